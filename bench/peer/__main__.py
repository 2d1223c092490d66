from bench.peer.run import entry

raise SystemExit(entry())

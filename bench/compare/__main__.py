from bench.compare.run import entry

raise SystemExit(entry())

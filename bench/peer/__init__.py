"""The peer comparison of issue 10: csm-graphql (resolvers and compiled reads), PostGraphile
v5 and a hand-written SQL floor, on the same database and rows, in one interleaved run.

Run ``python -m bench.peer`` from the repository root; see bench/README.md ("Peer
comparison"). This directory also holds PostGraphile's Node project (package.json, the lock
file, graphile.config.mjs, serve.mjs), which is installed into a cache directory outside the
repository, never here.
"""

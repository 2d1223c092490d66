"""Load benchmark for csm-graphql: ``python -m bench.run`` (see bench/README.md)."""

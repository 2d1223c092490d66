"""Before and after: two revisions of csm-graphql measured in one interleaved run, as ratios
(issue 9's "no regression beyond noise"). ``python -m bench.compare``; see bench/README.md."""

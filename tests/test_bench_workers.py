"""bench.workers (issue 10's request share per worker): the share arithmetic and its summary.
The measurement itself starts servers under load: it is run by hand (bench/README.md)."""

from __future__ import annotations

from collections import Counter

from bench.workers import shares, summary


def test_worker_shares_count_idle_workers() -> None:
    before = Counter({101: 10, 102: 5})
    assert shares(before, Counter({101: 30, 102: 5}), 2) == [20, 0]
    assert shares(Counter(), Counter({101: 7, 102: 9}), 2) == [9, 7]
    assert shares(Counter(), Counter({101: 7}), 3) == [7, 0, 0]
    text = summary([[20, 0], [9, 7], [10, 10]])
    assert text.startswith("3 runs: a worker idle in 1;")
    assert "median 56%" in text
    assert "range 50%-100%" in text

"""The list options the bench's commands share (bench/arguments.py)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import pytest
from bench.arguments import names_from, positive_ints
from bench.compare.run import parse_args as compare_args
from bench.peer.run import parse_args as peer_args
from bench.run import parse_args as run_args


def test_positive_ints() -> None:
    assert positive_ints("1, 8,32,") == [1, 8, 32]
    for bad in ("", "0", "2,-1"):
        with pytest.raises(argparse.ArgumentTypeError):
            positive_ints(bad)


def test_names_from_its_choices_only() -> None:
    queries = names_from(("portal", "cases"))
    assert queries("cases, portal") == ["cases", "portal"]
    for bad in ("", "detail", "portal,detail"):
        with pytest.raises(argparse.ArgumentTypeError):
            queries(bad)


@pytest.mark.parametrize("parse", [run_args, peer_args, compare_args])
def test_every_command_reads_them_alike(parse: Callable[[list[str]], argparse.Namespace]) -> None:
    arguments = parse(["--workers", "1,2", "--concurrency", "8", "--queries", "portal,cases"])
    assert (arguments.workers, arguments.concurrency) == ([1, 2], [8])
    assert arguments.queries == ["portal", "cases"]
    with pytest.raises(SystemExit):
        parse(["--queries", "nothing"])

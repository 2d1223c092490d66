"""Command-line argument types the bench's commands share (bench.run, bench.peer,
bench.compare): comma-separated lists of positive integers and of query names."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable


def positive_ints(text: str) -> list[int]:
    """``1,8,32`` -> [1, 8, 32]; anything else is argparse's usage error."""
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("expected positive integers, e.g. 1,8")
    return values


def names_from(choices: Iterable[str]) -> Callable[[str], list[str]]:
    """The type of a ``--queries`` option: a non-empty comma-separated subset of ``choices``."""
    allowed = tuple(choices)

    def names(text: str) -> list[str]:
        found = [part.strip() for part in text.split(",") if part.strip()]
        if not found or set(found) - set(allowed):
            raise argparse.ArgumentTypeError(f"choose from {', '.join(allowed)}")
        return found

    return names


__all__ = ["names_from", "positive_ints"]

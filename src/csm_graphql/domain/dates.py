"""Derived date values."""

from __future__ import annotations

from datetime import date


def days_remaining(due: date | None, today: date) -> int | None:
    """Whole days until ``due``; negative when overdue, None when there is no due date."""
    return None if due is None else (due - today).days

"""Spreadsheet formula injection: every text cell Tremplin writes to a CSV or XLSX (the match report, the staff's
results export) goes through neutralise(), so a value such as a business or programme name starting with "=" is
shown as text and never run as a formula."""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text value that a spreadsheet would read as a formula, prefixed with a single quote; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value

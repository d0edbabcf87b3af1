"""Dated currency rates: convert an amount to euros as of a date (programmes/rates.yaml)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

RATES_FILE = Path(__file__).with_name("rates.yaml")


@dataclass(frozen=True)
class RateTable:
    valid_from: dt.date
    source: str
    per_eur: dict[str, float]


@cache
def rate_tables(path: Path = RATES_FILE) -> tuple[RateTable, ...]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    tables = [
        RateTable(valid_from=t["from"], source=t["source"], per_eur={k: float(v) for k, v in t["per_eur"].items()}) for t in data["tables"]
    ]
    return tuple(sorted(tables, key=lambda t: t.valid_from))


def table_on(day: dt.date) -> RateTable:
    """The table in force on `day`; before the first table, the first one (better than refusing to compare)."""
    tables = rate_tables()
    current = tables[0]
    for table in tables:
        if table.valid_from <= day:
            current = table
    return current


def known_currencies() -> frozenset[str]:
    return frozenset(code for table in rate_tables() for code in table.per_eur)


def to_eur(amount: float, currency: str, day: dt.date) -> float | None:
    """`amount` in euros at the rate in force on `day`, or None if the currency has no rate."""
    rate = table_on(day).per_eur.get(currency)
    return None if rate is None else amount / rate

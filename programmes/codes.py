"""ISO code look-ups (countries, regions, currencies), through pycountry's bundled ISO tables."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def is_country(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


@cache
def is_region(code: str) -> bool:
    return pycountry.subdivisions.get(code=code) is not None


@cache
def is_currency(code: str) -> bool:
    return len(code) == 3 and pycountry.currencies.get(alpha_3=code) is not None


@cache
def region_and_parents(code: str) -> frozenset[str]:
    """A region with every region containing it (GB-MAN lies in GB-ENG), so a rule on a larger region matches."""
    found: set[str] = set()
    current = pycountry.subdivisions.get(code=code)
    while current is not None and current.code not in found:
        found.add(current.code)
        parent = getattr(current, "parent_code", None)
        current = pycountry.subdivisions.get(code=parent) if parent else None
    return frozenset(found or {code})

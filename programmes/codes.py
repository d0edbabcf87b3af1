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

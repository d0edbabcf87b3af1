"""Whether a programme is relevant to a firm at all, from the programme's territory and where the firm works.

A programme *reaches* a firm:

- `home` when it serves the firm's country (and, for a regional programme, the firm's region, a region inside it,
  or a larger region holding it, whose rules then ask the firm to name its smaller region) or an area (EU, EEA)
  the firm's country belongs to;
- `expansion` when it serves a country (or an area holding a country) the firm said it is expanding to, and its
  territory says firms established abroad can use it;
- `anywhere` when it is open to any firm in any country (open data, for example);
- not at all otherwise: such a programme is never offered, nor counted among the near misses, whatever its rules
  say. This is a filter, not an eligibility criterion (ARCHITECTURE.md: where a programme serves is not who may
  apply).

A firm that gives no region is not matched blindly with every regional programme of its country: they do not reach
it, and `regional_unseen` counts them, so the results can say that naming its region would show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from models.rules import Facts, larger_regions
from programmes.codes import region_and_parents
from programmes.schema import Territory

NOT_REACHED, HOME, EXPANSION, ANYWHERE = 0, 1, 2, 3
REACH_WORDS = {HOME: "home", EXPANSION: "expansion", ANYWHERE: "anywhere"}


def _in_regions(region: str | None, regions: list[str]) -> bool:
    """The firm's region is one of `regions`, inside one, or a larger region holding one (England holds London)."""
    if region is None:
        return False
    return not region_and_parents(region).isdisjoint(regions) or region in larger_regions(regions)


def reach_of(territory: Territory, facts: Facts) -> str | None:
    """One programme's reach for one firm: "home", "expansion", "anywhere" or None (see the module docstring)."""
    if territory.anywhere:
        return "anywhere"
    countries = territory.countries
    if facts.country in countries:
        if territory.regions and not _in_regions(facts.region, territory.regions):
            return None
        return "home"
    if territory.open_to_firms_abroad and not countries.isdisjoint(facts.expansion_countries):
        return "expansion"
    return None


@dataclass(frozen=True)
class CompiledTerritories:
    """Every programme's territory as arrays, so a firm's reach over a whole catalogue is a few look-ups."""

    columns: dict[str, int]  # country code -> column
    serves: np.ndarray  # (n, countries) bool: the programme serves firms of this country
    anywhere: np.ndarray  # (n,) bool
    open_abroad: np.ndarray  # (n,) bool
    region_columns: dict[str, int]
    regional: np.ndarray  # (n,) bool: the programme serves only some regions of its country
    regions: np.ndarray  # (n, regions) bool
    larger_columns: dict[str, int]
    larger: np.ndarray  # (n, larger regions) bool: regions holding one of the programme's regions

    def reach(self, facts: Facts) -> np.ndarray:
        """(n,) int8 of NOT_REACHED, HOME, EXPANSION, ANYWHERE; agrees with `reach_of` (a test checks)."""
        n = len(self.anywhere)
        at_home = self.in_country(facts) & (~self.regional | self.in_region(facts))
        abroad = [self.columns[c] for c in facts.expansion_countries if c in self.columns]
        expanding = self.serves[:, abroad].any(axis=1) & self.open_abroad if abroad else np.zeros(n, dtype=bool)
        reach = np.where(at_home, HOME, np.where(expanding, EXPANSION, NOT_REACHED))
        return np.where(self.anywhere, ANYWHERE, reach).astype(np.int8)

    def in_country(self, facts: Facts) -> np.ndarray:
        column = self.columns.get(facts.country)
        return self.serves[:, column] if column is not None else np.zeros(len(self.anywhere), dtype=bool)

    def in_region(self, facts: Facts) -> np.ndarray:
        n = len(self.anywhere)
        if facts.region is None:
            return np.zeros(n, dtype=bool)
        hits = [self.region_columns[r] for r in region_and_parents(facts.region) if r in self.region_columns]
        inside = self.regions[:, hits].any(axis=1) if hits else np.zeros(n, dtype=bool)
        larger = self.larger_columns.get(facts.region)
        return inside | (self.larger[:, larger] if larger is not None else np.zeros(n, dtype=bool))

    def unseen_for_want_of_a_region(self, facts: Facts) -> np.ndarray:
        """(n,) bool: regional programmes of the firm's country that it would see if it named its region."""
        if facts.region is not None:
            return np.zeros(len(self.anywhere), dtype=bool)
        return self.in_country(facts) & self.regional & ~self.anywhere


def compile_territories(territories: Sequence[Territory]) -> CompiledTerritories:
    served = [t.countries for t in territories]
    columns = {code: i for i, code in enumerate(sorted(set().union(*served)))} if served else {}
    region_codes = sorted({r for t in territories for r in t.regions})
    region_columns = {code: i for i, code in enumerate(region_codes)}
    larger_codes = sorted(set().union(*(larger_regions(t.regions) for t in territories)))
    larger_columns = {code: i for i, code in enumerate(larger_codes)}
    larger = np.zeros((len(territories), len(larger_columns)), dtype=bool)
    serves = np.zeros((len(territories), len(columns)), dtype=bool)
    regions = np.zeros((len(territories), len(region_columns)), dtype=bool)
    for row, (territory, countries) in enumerate(zip(territories, served, strict=True)):
        serves[row, [columns[c] for c in countries]] = True
        regions[row, [region_columns[r] for r in territory.regions]] = True
        larger[row, [larger_columns[r] for r in larger_regions(territory.regions)]] = True
    return CompiledTerritories(
        columns=columns,
        serves=serves,
        anywhere=np.array([t.anywhere for t in territories], dtype=bool),
        open_abroad=np.array([t.open_to_firms_abroad for t in territories], dtype=bool),
        region_columns=region_columns,
        regional=np.array([bool(t.regions) for t in territories], dtype=bool),
        regions=regions,
        larger_columns=larger_columns,
        larger=larger,
    )

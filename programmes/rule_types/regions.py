"""Rules on the region a firm is established in: region_in, region_not_in (ISO 3166-2 codes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator

from programmes.codes import is_region, region_and_parents
from programmes.rule_types.spec import MET, N_, UNKNOWN, UNMET, BaseRule, Evaluator, FactsView, Finding, Parameter, RuleSpec

REGIONS = Parameter(
    "regions",
    "codes",
    N_("Regions"),
    hint=N_("ISO 3166-2 codes separated by commas, like FR-IDF."),
    missing=N_("Enter at least one region code for this rule, like FR-IDF"),
)


def _regions(value: list[str]) -> list[str]:
    bad = [r for r in value if not is_region(r)]
    if bad:
        raise ValueError(f"unknown region code(s): {', '.join(bad)} (ISO 3166-2, e.g. FR-IDF)")
    return value


class RegionIn(BaseRule):
    type: Literal["region_in"]
    regions: list[str] = Field(min_length=1)
    _check = field_validator("regions")(_regions)


class RegionNotIn(BaseRule):
    type: Literal["region_not_in"]
    regions: list[str] = Field(min_length=1)
    _check = field_validator("regions")(_regions)


def larger_regions(regions: Sequence[str]) -> frozenset[str]:
    """The regions that contain one of `regions` without being one (England for a London borough)."""
    found: set[str] = set()
    for region in regions:
        found |= region_and_parents(region) - {region}
    return frozenset(found) - set(regions)


class RegionSet(Evaluator):
    """A firm in one of the regions (or in a region inside one) meets region_in; a firm that gave only a larger
    region holding one of them (England, for a London programme) is unknown: it may be inside, and naming its
    smaller region settles it."""

    ask = "region"

    def __init__(self, include: bool) -> None:
        self.include = include

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        """Boolean matrices (rule x region, rule x larger region, rule x country), so a look-up is a few columns."""
        regions = sorted({r for rule in rules for r in rule.regions})
        columns = {code: i for i, code in enumerate(regions)}
        larger = sorted(set().union(*(larger_regions(rule.regions) for rule in rules)))
        larger_columns = {code: i for i, code in enumerate(larger)}
        countries = sorted({r.split("-")[0] for r in regions})
        country_columns = {code: i for i, code in enumerate(countries)}
        by_region = np.zeros((len(rules), len(regions)), dtype=bool)
        by_larger = np.zeros((len(rules), len(larger)), dtype=bool)
        by_country = np.zeros((len(rules), len(countries)), dtype=bool)
        for row, rule in enumerate(rules):
            by_region[row, [columns[r] for r in rule.regions]] = True
            by_larger[row, [larger_columns[r] for r in larger_regions(rule.regions)]] = True
            by_country[row, [country_columns[r.split("-")[0]] for r in rule.regions]] = True
        return columns, by_region, larger_columns, by_larger, country_columns, by_country

    def evaluate(self, compiled: Any, facts: FactsView) -> np.ndarray:
        columns, by_region, larger_columns, by_larger, country_columns, by_country = compiled
        column = country_columns.get(facts.country)
        in_country = by_country[:, column] if column is not None else np.zeros(len(by_country), dtype=bool)
        outside = UNMET if self.include else MET
        if facts.region is None:
            return np.where(in_country, UNKNOWN, outside).astype(np.int8)
        hits = [columns[r] for r in region_and_parents(facts.region) if r in columns]
        inside = by_region[:, hits].any(axis=1) if hits else np.zeros(len(by_region), dtype=bool)
        larger = larger_columns.get(facts.region)
        maybe = by_larger[:, larger] & ~inside if larger is not None else np.zeros(len(by_region), dtype=bool)
        decided = np.where(maybe, UNKNOWN, np.where(inside == self.include, MET, UNMET))
        return np.where(in_country, decided, outside).astype(np.int8)

    def check(self, rule: Any, facts: FactsView) -> Finding:
        countries = {r.split("-")[0] for r in rule.regions}
        if facts.country not in countries:
            status = UNMET if self.include else MET
            return Finding(status, N_("Your business is established in %(country)s"), {"country": facts.country})
        if facts.region is None:
            return Finding(UNKNOWN, N_("Your region is not known"), ask=self.ask)
        inside = not region_and_parents(facts.region).isdisjoint(rule.regions)
        if not inside and facts.region in larger_regions(rule.regions):
            return Finding(
                UNKNOWN,
                N_("You gave %(region)s, which is larger than the area this serves: name your smaller region"),
                {"region": facts.region},
                self.ask,
            )
        status = MET if inside == self.include else UNMET
        return Finding(status, N_("Your business is in %(region)s"), {"region": facts.region})


SPECS = (
    RuleSpec(
        "region_in",
        20,
        RegionIn,
        RegionSet(include=True),
        N_("Based in one of these regions"),
        (REGIONS,),
        location=True,
        actionable=False,
        territory_countries=lambda rule: frozenset(r.split("-")[0] for r in rule.regions),
    ),
    RuleSpec(
        "region_not_in",
        21,
        RegionNotIn,
        RegionSet(include=False),
        N_("Not based in any of these regions"),
        (REGIONS,),
        location=True,
        actionable=False,
    ),
)

"""Rules on the country a firm is established in (or expanding to): country_in, country_not_in, operates_in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator

from programmes.codes import is_country
from programmes.rule_types.spec import MET, N_, UNMET, BaseRule, Evaluator, FactsView, Finding, Parameter, RuleSpec
from programmes.vocabulary import COUNTRY_GROUPS, expand_countries

COUNTRIES = Parameter(
    "countries",
    "codes",
    N_("Countries"),
    hint=N_("ISO 3166-1 codes separated by commas, or EU or EEA, like FR, BE."),
    missing=N_("Enter at least one country code for this rule, like FR or EU"),
)


def _countries(value: list[str]) -> list[str]:
    bad = [c for c in value if c not in COUNTRY_GROUPS and not is_country(c)]
    if bad:
        raise ValueError(f"unknown country code(s): {', '.join(bad)} (ISO 3166-1 alpha-2, or EU / EEA)")
    return value


class CountryIn(BaseRule):
    type: Literal["country_in"]
    countries: list[str] = Field(min_length=1)
    _check = field_validator("countries")(_countries)


class CountryNotIn(BaseRule):
    type: Literal["country_not_in"]
    countries: list[str] = Field(min_length=1)
    _check = field_validator("countries")(_countries)


class OperatesIn(BaseRule):
    """The firm is established in, or said it is expanding to, one of `countries`: for a programme that firms
    established abroad can use once they work in its country (the firm's `expansion_countries`)."""

    type: Literal["operates_in"]
    countries: list[str] = Field(min_length=1)
    _check = field_validator("countries")(_countries)


def _established(facts: FactsView) -> tuple[str, dict[str, Any]]:
    return N_("Your business is established in %(country)s"), {"country": facts.country}


class CountrySet(Evaluator):
    def __init__(self, include: bool) -> None:
        self.include = include

    def check(self, rule: Any, facts: FactsView) -> Finding:
        inside = facts.country in expand_countries(rule.countries)
        return Finding(MET if inside == self.include else UNMET, *_established(facts))

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        """A boolean matrix (rule x country) over the countries the rules name, so a look-up is one column."""
        members = [expand_countries(r.countries) for r in rules]
        columns = {code: i for i, code in enumerate(sorted(set().union(*members)))}
        matrix = np.zeros((len(rules), len(columns)), dtype=bool)
        for row, codes in enumerate(members):
            matrix[row, [columns[c] for c in codes]] = True
        return columns, matrix

    def evaluate(self, compiled: Any, facts: FactsView) -> np.ndarray:
        columns, matrix = compiled
        column = columns.get(facts.country)
        inside = matrix[:, column] if column is not None else np.zeros(len(matrix), dtype=bool)
        return np.where(inside == self.include, MET, UNMET).astype(np.int8)


class Operates(CountrySet):
    """Met when the firm is established in one of the countries or said it is expanding to one of them."""

    def __init__(self) -> None:
        super().__init__(include=True)

    def check(self, rule: Any, facts: FactsView) -> Finding:
        members = expand_countries(rule.countries)
        if facts.country in members:
            return Finding(MET, *_established(facts))
        wanted = sorted(facts.expansion_countries & members)
        if wanted:
            return Finding(MET, N_("You plan to expand to %(countries)s"), {"countries": ", ".join(wanted)})
        return Finding(UNMET, *_established(facts))

    def evaluate(self, compiled: Any, facts: FactsView) -> np.ndarray:
        columns, matrix = compiled
        hits = [columns[c] for c in {facts.country, *facts.expansion_countries} if c in columns]
        inside = matrix[:, hits].any(axis=1) if hits else np.zeros(len(matrix), dtype=bool)
        return np.where(inside, MET, UNMET).astype(np.int8)


def _named(rule: Any) -> frozenset[str]:
    return expand_countries(rule.countries)


SPECS = (
    RuleSpec(
        "country_in",
        10,
        CountryIn,
        CountrySet(include=True),
        N_("Based in one of these countries"),
        (COUNTRIES,),
        location=True,
        actionable=False,
        territory_countries=_named,
    ),
    RuleSpec(
        "country_not_in",
        11,
        CountryNotIn,
        CountrySet(include=False),
        N_("Not based in any of these countries"),
        (COUNTRIES,),
        location=True,
        actionable=False,
    ),
    RuleSpec(
        "operates_in",
        12,
        OperatesIn,
        Operates(),
        N_("Based in, or expanding to, one of these countries"),
        (COUNTRIES,),
        location=True,
        actionable=False,
        territory_countries=_named,
    ),
)

"""Rules on how long ago the firm was founded: min_age_years, max_age_years (young firms, start-ups)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from programmes.rule_types.bound import AT_LEAST, AT_MOST, Bound
from programmes.rule_types.spec import N_, BaseRule, FactsView, Parameter, RuleSpec

YEARS = Parameter(
    "years",
    "whole",
    N_("Years"),
    hint=N_("A whole number of years, like 3."),
    invalid=N_("Enter the number of years as a whole number, like 3"),
    missing=N_("Enter the number of years for this rule"),
    called=N_("The number of years"),
)


class MinAge(BaseRule):
    """Founded at least `years` years ago."""

    type: Literal["min_age_years"]
    years: int = Field(ge=0, le=200)


class MaxAge(BaseRule):
    """Founded at most `years` years ago (young firms, start-ups)."""

    type: Literal["max_age_years"]
    years: int = Field(ge=0, le=200)


def _words(rule: Any, facts: FactsView) -> tuple[str, dict[str, Any]]:
    return N_("Founded %(age)s years ago, limit %(limit)s years"), {"age": facts.age_years, "limit": rule.years}


def age(passes: Any) -> Bound:
    return Bound(
        "founded_year",
        lambda facts: facts.age_years,
        lambda rule, day: float(rule.years),
        passes,
        N_("The year your business was founded is not known"),
        _words,
    )


SPECS = (
    RuleSpec("min_age_years", 70, MinAge, age(AT_LEAST), N_("Founded at least a number of years ago"), (YEARS,)),
    # A firm cannot become younger: failing a maximum age is not a near miss.
    RuleSpec("max_age_years", 71, MaxAge, age(AT_MOST), N_("Founded at most a number of years ago"), (YEARS,), actionable=False),
)

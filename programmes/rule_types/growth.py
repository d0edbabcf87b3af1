"""A rule on the firm's growth: min_growth (scale-ups)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from programmes.rule_types.bound import AT_LEAST, Bound
from programmes.rule_types.spec import N_, BaseRule, FactsView, Parameter, RuleSpec

PCT = Parameter(
    "pct",
    "decimal",
    N_("Yearly growth (%)"),
    hint=N_("A percentage, like 20."),
    invalid=N_("Enter the growth as a percentage, like 20"),
    missing=N_("Enter the growth percentage for this rule"),
    called=N_("The growth percentage"),
)


class MinGrowth(BaseRule):
    """Average yearly growth over the last three years of at least `pct` per cent (scale-ups)."""

    type: Literal["min_growth"]
    pct: float = Field(ge=-100, le=10_000)


def _words(rule: Any, facts: FactsView) -> tuple[str, dict[str, Any]]:
    return N_("Growing %(growth)s %% a year, threshold %(limit)s %%"), {"growth": facts.growth_pct, "limit": rule.pct}


GROWTH = Bound(
    "annual_growth_pct",
    lambda facts: facts.growth_pct,
    lambda rule, day: float(rule.pct),
    AT_LEAST,
    N_("Your growth over the last three years is not known"),
    _words,
)

SPECS = (RuleSpec("min_growth", 80, MinGrowth, GROWTH, N_("Yearly growth of at least a percentage"), (PCT,)),)

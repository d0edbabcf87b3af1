"""A rule on what the firm wants help with: requires_goal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator

from programmes.rule_types.spec import MET, N_, UNMET, BaseRule, Evaluator, FactsView, Finding, Parameter, RuleSpec
from programmes.vocabulary import GOALS

GOALS_PARAMETER = Parameter(
    "goals",
    "codes",
    N_("Goals"),
    hint=N_("Goal codes separated by commas, like fund_project."),
    missing=N_("Enter at least one goal for this rule, like fund_project"),
    upper=False,
)


class RequiresGoal(BaseRule):
    """The firm wants help with at least one of `goals`."""

    type: Literal["requires_goal"]
    goals: list[str] = Field(min_length=1)

    @field_validator("goals")
    @classmethod
    def _known_goals(cls, value: list[str]) -> list[str]:
        bad = [g for g in value if g not in GOALS]
        if bad:
            raise ValueError(f"unknown goal(s): {', '.join(bad)}")
        return value


class Wants(Evaluator):
    ask = "goals"

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        return np.array([sum(1 << GOALS.index(g) for g in set(r.goals)) for r in rules], dtype=np.int64)

    def evaluate(self, compiled: Any, facts: FactsView) -> np.ndarray:
        mask = sum(1 << GOALS.index(g) for g in facts.goals)
        return np.where((compiled & mask) != 0, MET, UNMET).astype(np.int8)

    def check(self, rule: Any, facts: FactsView) -> Finding:
        if set(rule.goals) & facts.goals:
            return Finding(MET, N_("You said you want help with this"))
        return Finding(UNMET, N_("You did not say you want help with this"))


SPECS = (RuleSpec("requires_goal", 110, RequiresGoal, Wants(), N_("Wants help with one of these goals"), (GOALS_PARAMETER,)),)

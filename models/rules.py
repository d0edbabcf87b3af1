"""Three-valued evaluation of eligibility rules, with reasons.

Each rule type is one spec in programmes/rule_types/ (its parameters, its evaluator, its sentences); this module
is how the model uses them. `REGISTRY` holds every type by name, answering two questions:

- `check(rule, facts)`: for one programme, met / unmet / unknown with a sentence a person understands; this is
  what explanations show;
- `evaluate(compiled, facts)`: the same decision for many rules of this type at once, as a numpy array, so a
  profile is matched against a whole compiled catalogue in a handful of vector operations.

The two must agree; a property test checks that they do. When a rule is unknown, `ask` names the profile
question that would settle it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np

from models.profile import Money, Profile
from models.text import Text
from programmes.rule_types import SPECS, RuleSpec
from programmes.rule_types import spec as rule_spec
from programmes.rule_types.groups import RuleGroup, compile_groups
from programmes.rule_types.regions import larger_regions
from programmes.rule_types.sme_definition import fits_under as _fits_under


class Status(IntEnum):
    """Ordered so that combining criteria is a max (any unmet wins) and any_of is a min (any met wins)."""

    MET = 0
    UNKNOWN = 1
    UNMET = 2

    @property
    def word(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Facts:
    """What the rules read from a profile, computed once per match (amounts already in euros)."""

    day: dt.date
    country: str
    region: str | None
    sector: str | None
    employees: int | None
    turnover: Money | None
    turnover_eur: float | None
    balance_sheet_eur: float | None
    age_years: int | None
    growth_pct: float | None
    independent: bool | None
    scores: dict[str, int]
    goals: frozenset[str]
    expansion_countries: frozenset[str] = frozenset()

    @classmethod
    def of(cls, profile: Profile, day: dt.date) -> Facts:
        e = profile.enterprise
        return cls(
            day=day,
            country=e.country,
            region=e.region,
            sector=e.sector,
            employees=e.employees,
            turnover=e.turnover,
            turnover_eur=e.turnover_eur(day),
            balance_sheet_eur=e.balance_sheet_eur(day),
            age_years=e.age_years(day),
            growth_pct=e.growth_pct,
            independent=e.independent,
            scores=dict(profile.readiness.dimensions),
            goals=profile.goals,
            expansion_countries=frozenset(e.expansion_countries),
        )


@dataclass(frozen=True)
class Verdict:
    status: Status
    detail: Text
    ask: str | None = None


MET, UNKNOWN, UNMET = Status.MET, Status.UNKNOWN, Status.UNMET
# The same as plain int8 numbers for vector code (the rule types' own; see programmes/rule_types/spec.py).
V_MET, V_UNKNOWN, V_UNMET = rule_spec.MET, rule_spec.UNKNOWN, rule_spec.UNMET


class RuleType:
    """One rule type as the model uses it: its spec's evaluator, whose findings become Verdicts."""

    def __init__(self, spec: RuleSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self.ask = spec.evaluator.ask

    def check(self, rule: Any, facts: Facts) -> Verdict:
        finding = self.spec.evaluator.check(rule, facts)
        return Verdict(Status(int(finding.status)), Text(finding.message, finding.params), finding.ask)

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        """Parameters of many rules as arrays; `day` fixes the currency rates used."""
        return self.spec.evaluator.compile(rules, day)

    def evaluate(self, compiled: Any, facts: Facts) -> np.ndarray:
        return self.spec.evaluator.evaluate(compiled, facts)


REGISTRY: dict[str, RuleType] = {name: RuleType(spec) for name, spec in SPECS.items()}
_EVALUATORS = {name: spec.evaluator for name, spec in SPECS.items()}


def rule_type(name: str) -> RuleType:
    return REGISTRY[name]


def fits_under(facts: Facts, staff_below: float, turnover_max: float, balance_max: float) -> Status:
    """Three-valued size test of the EU definitions (programmes/rule_types/sme_definition.py), as a Status: used by
    the sme_definition rule and by models/firm_size.py."""
    return Status(int(_fits_under(facts, staff_below, turnover_max, balance_max)))


CompiledRules = list[RuleGroup]


def compile_rule_set(owned_rules: Sequence[tuple[int, Any]], day: dt.date) -> CompiledRules:
    """Group (owner index, rule) pairs by type, each group compiled once."""
    return compile_groups(owned_rules, day, _EVALUATORS)


def evaluate_rule_set(compiled: CompiledRules, count: int, facts: Facts) -> np.ndarray:
    """The combined status per owner: the worst of its rules (MET when it has none)."""
    result = np.zeros(count, dtype=np.int8)
    for group in compiled:
        group.fold(result, group.evaluate(facts), np.maximum)
    return result


__all__ = [
    "MET",
    "REGISTRY",
    "UNKNOWN",
    "UNMET",
    "V_MET",
    "V_UNKNOWN",
    "V_UNMET",
    "CompiledRules",
    "Facts",
    "RuleGroup",
    "RuleType",
    "Status",
    "Verdict",
    "compile_rule_set",
    "evaluate_rule_set",
    "fits_under",
    "larger_regions",
    "rule_type",
]

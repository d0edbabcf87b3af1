"""Rules on the firm's sector (NACE sections A to U): sector_in, sector_not_in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator

from programmes.rule_types.spec import MET, N_, UNKNOWN, UNMET, BaseRule, Evaluator, FactsView, Finding, Parameter, RuleSpec
from programmes.vocabulary import NACE_SECTIONS

SECTIONS = Parameter(
    "sections",
    "codes",
    N_("Sectors (NACE sections)"),
    hint=N_("Letters A to U separated by commas, like C, J."),
    missing=N_("Enter at least one NACE section for this rule, like C or J"),
)


def _sections(value: list[str]) -> list[str]:
    bad = [s for s in value if s not in NACE_SECTIONS]
    if bad:
        raise ValueError(f"unknown NACE section(s): {', '.join(bad)} (A to U)")
    return value


class SectorIn(BaseRule):
    type: Literal["sector_in"]
    sections: list[str] = Field(min_length=1)
    _check = field_validator("sections")(_sections)


class SectorNotIn(BaseRule):
    type: Literal["sector_not_in"]
    sections: list[str] = Field(min_length=1)
    _check = field_validator("sections")(_sections)


class SectorSet(Evaluator):
    """Sections as bitmasks: a firm's section is one bit, so many rules are decided by one `&`."""

    ask = "sector"

    def __init__(self, include: bool) -> None:
        self.include = include

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        bits = {s: 1 << i for i, s in enumerate(NACE_SECTIONS)}
        return np.array([sum(bits[s] for s in set(r.sections)) for r in rules], dtype=np.int64)

    def evaluate(self, compiled: Any, facts: FactsView) -> np.ndarray:
        if facts.sector is None:
            return np.full(compiled.shape, UNKNOWN, dtype=np.int8)
        inside = (compiled & (1 << NACE_SECTIONS.index(facts.sector))) != 0
        return np.where(inside == self.include, MET, UNMET).astype(np.int8)

    def check(self, rule: Any, facts: FactsView) -> Finding:
        if facts.sector is None:
            return Finding(UNKNOWN, N_("Your sector is not known"), ask=self.ask)
        inside = facts.sector in rule.sections
        return Finding(MET if inside == self.include else UNMET, N_("Your sector is NACE section %(sector)s"), {"sector": facts.sector})


SPECS = (
    RuleSpec(
        "sector_in", 60, SectorIn, SectorSet(include=True), N_("In one of these sectors (NACE sections)"), (SECTIONS,), actionable=False
    ),
    RuleSpec(
        "sector_not_in",
        61,
        SectorNotIn,
        SectorSet(include=False),
        N_("Not in any of these sectors (NACE sections)"),
        (SECTIONS,),
        actionable=False,
    ),
)

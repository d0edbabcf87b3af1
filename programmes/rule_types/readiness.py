"""Rules on the firm's AI readiness in one area (a dimension score from 0 to 100): min_readiness, max_readiness."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator

from programmes.rule_types.spec import MET, N_, UNMET, BaseRule, Evaluator, FactsView, Finding, Parameter, RuleSpec
from programmes.vocabulary import DIMENSIONS

DIMENSION = Parameter(
    "dimension",
    "dimension",
    N_("Readiness area"),
    placeholder=N_("Select an area"),
    missing=N_("Select the readiness area for this rule"),
)
SCORE = Parameter(
    "score",
    "whole",
    N_("Readiness score"),
    hint=N_("A whole number from 0 to 100."),
    invalid=N_("Enter the readiness score as a whole number from 0 to 100"),
    missing=N_("Enter the readiness score for this rule, from 0 to 100"),
    called=N_("The readiness score"),
)


class _Readiness(BaseRule):
    dimension: str
    score: int = Field(ge=0, le=100)

    @field_validator("dimension")
    @classmethod
    def _known_dimension(cls, value: str) -> str:
        if value not in DIMENSIONS:
            raise ValueError(f"unknown dimension {value!r} (one of {', '.join(DIMENSIONS)})")
        return value


class MinReadiness(_Readiness):
    type: Literal["min_readiness"]


class MaxReadiness(_Readiness):
    type: Literal["max_readiness"]


class Readiness(Evaluator):
    def __init__(self, passes: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> None:
        self.passes = passes

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        return [r.dimension for r in rules], np.array([r.score for r in rules], dtype=float)

    def evaluate(self, compiled: Any, facts: FactsView) -> np.ndarray:
        dimensions, limits = compiled
        scores = np.array([facts.scores[d] for d in dimensions], dtype=float)
        return np.where(self.passes(scores, limits), MET, UNMET).astype(np.int8)

    def check(self, rule: Any, facts: FactsView) -> Finding:
        score = facts.scores[rule.dimension]
        met = bool(self.passes(np.array([score]), np.array([rule.score]))[0])
        return Finding(
            MET if met else UNMET,
            N_("Your %(dimension)s readiness is %(score)s, threshold %(limit)s"),
            {"dimension": rule.dimension, "score": score, "limit": rule.score},
        )


SPECS = (
    RuleSpec(
        "min_readiness",
        100,
        MinReadiness,
        Readiness(lambda scores, limits: scores >= limits),
        N_("Readiness in an area of at least a score"),
        (DIMENSION, SCORE),
    ),
    # A programme for firms not yet ready: a firm does not become less ready to qualify.
    RuleSpec(
        "max_readiness",
        101,
        MaxReadiness,
        Readiness(lambda scores, limits: scores <= limits),
        N_("Readiness in an area of at most a score"),
        (DIMENSION, SCORE),
        actionable=False,
    ),
)

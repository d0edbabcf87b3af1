"""`Bound`: the evaluator of a rule that compares one numeric fact of the firm with a limit per rule (employees,
turnover, age, growth). A rule type built on it says which fact, which comparison and which sentences."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from programmes.rule_types.spec import MET, UNKNOWN, UNMET, Evaluator, FactsView, Finding, compare

# The comparisons a bound makes: the firm's value on the left, the rule's limit on the right.
BELOW, AT_MOST, AT_LEAST = operator.lt, operator.le, operator.ge


class Bound(Evaluator):
    """`fact` reads the firm's value (None when unknown); `limit` reads a rule's limit (a float; NaN when it cannot
    be compared, which fails safe); `passes(value, limits)` is the comparison; `unknown` is the sentence when the
    value is missing and `describe(rule, facts)` the sentence (message id, parameters) when it is known."""

    def __init__(
        self,
        ask: str,
        fact: Callable[[FactsView], float | None],
        limit: Callable[[Any, dt.date], float],
        passes: Callable[[Any, Any], Any],
        unknown: str,
        describe: Callable[[Any, FactsView], tuple[str, Mapping[str, Any]]],
    ) -> None:
        self.ask = ask  # type: ignore[misc]  # set per instance: the rule types built on Bound differ
        self.fact, self.limit, self.passes = fact, limit, passes
        self.unknown, self.describe = unknown, describe

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        return np.array([self.limit(r, day) for r in rules], dtype=float)

    def evaluate(self, compiled: Any, facts: FactsView) -> np.ndarray:
        return compare(self.fact(facts), compiled, self.passes)

    def check(self, rule: Any, facts: FactsView) -> Finding:
        value = self.fact(facts)
        if value is None:
            return Finding(UNKNOWN, self.unknown, ask=self.ask)
        met = bool(self.passes(value, np.array([self.limit(rule, facts.day)]))[0])
        return Finding(MET if met else UNMET, *self.describe(rule, facts))

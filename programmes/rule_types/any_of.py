"""any_of: met when any one of its parts (simple rules) is met; the one rule type made of other rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field

from programmes.rule_types.groups import compile_groups
from programmes.rule_types.registry import SIMPLE_EVALUATORS, SimpleRule
from programmes.rule_types.spec import N_, UNKNOWN, UNMET, BaseRule, Evaluator, FactsView, Finding, RuleSpec


class AnyOf(BaseRule):
    """Met when any one of `rules` is met (e.g. 'an SME, or a person about to found one')."""

    type: Literal["any_of"]
    rules: list[SimpleRule] = Field(min_length=2)  # type: ignore[valid-type]  # a union built at import


class Either(Evaluator):
    """Met if any part is met; unknown if none is met and some part is unknown; unmet if every part is unmet."""

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        parts = [(owner, part) for owner, rule in enumerate(rules) for part in rule.rules]
        return len(rules), compile_groups(parts, day, SIMPLE_EVALUATORS)

    def evaluate(self, compiled: Any, facts: FactsView) -> np.ndarray:
        count, parts = compiled
        result = np.full(count, UNMET, dtype=np.int8)
        for group in parts:
            group.fold(result, group.evaluate(facts), np.minimum)
        return result

    def check(self, rule: Any, facts: FactsView) -> Finding:
        findings = [SIMPLE_EVALUATORS[part.type].check(part, facts) for part in rule.rules]
        best = min(findings, key=lambda f: f.status)
        return Finding(best.status, best.message, best.params, best.ask if best.status == UNKNOWN else None)


# The editor does not offer any_of in its list of types (its parts are typed as JSON), so it has no parameters.
SPEC = RuleSpec("any_of", 1000, AnyOf, Either(), N_("Any one of several rules"))

"""unconfirmed: a condition a source states that Tremplin cannot check from a profile."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from programmes.rule_types.spec import N_, UNKNOWN, BaseRule, Evaluator, FactsView, Finding, RuleSpec


class Unconfirmed(BaseRule):
    """A condition on the firm that a source states but Tremplin cannot check from a profile (for example
    'technology readiness level 6 or above'), or that the sources leave unknown. Always `unknown`, so the
    programme is at best `needs_info`; `text` says what to confirm with the operator."""

    type: Literal["unconfirmed"]


class AlwaysUnknown(Evaluator):
    def check(self, rule: Any, facts: FactsView) -> Finding:
        return Finding(UNKNOWN, N_("Tremplin cannot check this: confirm it with the programme's operator"))

    def evaluate(self, compiled: Any, facts: FactsView) -> np.ndarray:
        return np.full(len(compiled), UNKNOWN, dtype=np.int8)


SPECS = (RuleSpec("unconfirmed", 120, Unconfirmed, AlwaysUnknown(), N_("A condition Tremplin cannot check (always to confirm)")),)

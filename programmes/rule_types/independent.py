"""A rule on ownership: independent (not 25 % or more owned by a large enterprise)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from programmes.rule_types.spec import MET, N_, UNKNOWN, UNMET, BaseRule, Evaluator, FactsView, Finding, RuleSpec


class Independent(BaseRule):
    """Not 25 % or more owned by a large enterprise."""

    type: Literal["independent"]


class Ownership(Evaluator):
    ask = "independent"

    def check(self, rule: Any, facts: FactsView) -> Finding:
        if facts.independent is None:
            return Finding(UNKNOWN, N_("Whether a large enterprise owns 25 % or more of your business is not known"), ask=self.ask)
        if facts.independent:
            return Finding(MET, N_("Your business is independent"))
        return Finding(UNMET, N_("A large enterprise owns 25 % or more of your business"))

    def evaluate(self, compiled: Any, facts: FactsView) -> np.ndarray:
        status = UNKNOWN if facts.independent is None else MET if facts.independent else UNMET
        return np.full(len(compiled), status, dtype=np.int8)


SPECS = (RuleSpec("independent", 90, Independent, Ownership(), N_("Independent (not 25 % or more owned by a large enterprise)")),)

"""Many rules decided at once: rules grouped by type, each group's parameters compiled once into arrays.

Used for a whole catalogue (models.rules.compile_rule_set) and for the parts of any_of rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from programmes.rule_types.spec import Evaluator, FactsView


@dataclass(frozen=True)
class RuleGroup:
    """All rules of one type, compiled: who owns each, and their parameters as arrays."""

    owners: np.ndarray
    type_name: str
    params: Any
    unique_owners: bool  # no owner has two rules of this type: plain fancy indexing is then enough
    evaluator: Evaluator

    def evaluate(self, facts: FactsView) -> np.ndarray:
        return self.evaluator.evaluate(self.params, facts)

    def fold(self, target: np.ndarray, values: np.ndarray, ufunc: np.ufunc) -> None:
        """target[owner] = ufunc(target[owner], value) for every rule; ufunc.at only when owners repeat."""
        if self.unique_owners:
            target[self.owners] = ufunc(target[self.owners], values)
        else:
            ufunc.at(target, self.owners, values)


def compile_groups(owned_rules: Sequence[tuple[int, Any]], day: dt.date, evaluators: Mapping[str, Evaluator]) -> list[RuleGroup]:
    """Group (owner index, rule) pairs by type, each group compiled once by its type's evaluator."""
    by_type: dict[str, list[tuple[int, Any]]] = {}
    for owner, rule in owned_rules:
        by_type.setdefault(rule.type, []).append((owner, rule))
    groups = []
    for name, pairs in sorted(by_type.items()):
        owners = np.array([o for o, _ in pairs], dtype=np.int64)
        evaluator = evaluators[name]
        params = evaluator.compile([r for _, r in pairs], day)
        groups.append(RuleGroup(owners, name, params, len(np.unique(owners)) == len(owners), evaluator))
    return groups

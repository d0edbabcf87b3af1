"""The EU SME test as one rule: sme_definition (Recommendation 2003/361/EC)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from programmes.rule_types.spec import MET, N_, UNKNOWN, UNMET, BaseRule, Evaluator, FactsView, Finding, Parameter, RuleSpec, compare

MAX_EMPLOYEES = Parameter(
    "max_employees",
    "whole",
    N_("SME employee limit"),
    hint=N_("Leave blank for the EU definition (250)."),
    invalid=N_("Enter the SME employee limit as a whole number, like 250"),
    called=N_("The SME employee limit"),
)
MAX_TURNOVER_EUR = Parameter(
    "max_turnover_eur",
    "decimal",
    N_("SME turnover limit in euros"),
    hint=N_("Leave blank for the EU definition (50000000)."),
    invalid=N_("Enter the SME turnover limit as a number of euros, like 50000000"),
    called=N_("The SME turnover limit"),
)
MAX_BALANCE_SHEET_EUR = Parameter(
    "max_balance_sheet_eur",
    "decimal",
    N_("SME balance-sheet limit in euros"),
    hint=N_("Leave blank for the EU definition (43000000)."),
    invalid=N_("Enter the SME balance-sheet limit as a number of euros, like 43000000"),
    called=N_("The SME balance-sheet limit"),
)


class SmeDefinition(BaseRule):
    """The EU SME test (Recommendation 2003/361/EC): fewer than `max_employees` employees, and turnover at most
    `max_turnover_eur` or balance-sheet total at most `max_balance_sheet_eur`."""

    type: Literal["sme_definition"]
    max_employees: int = 250
    max_turnover_eur: float = 50_000_000
    max_balance_sheet_eur: float = 43_000_000


def fits_under(facts: FactsView, staff_below: float, turnover_max: float, balance_max: float) -> np.int8:
    """Three-valued size test of the EU definitions: fewer staff than `staff_below`, and turnover or balance-sheet
    total (either is enough) within its ceiling. Used by the sme_definition rule and by models/firm_size.py."""

    def within(value: float | None, limit: float, below: bool) -> np.int8:
        if value is None:
            return UNKNOWN
        return MET if (value < limit if below else value <= limit) else UNMET

    money = min(within(facts.turnover_eur, turnover_max, False), within(facts.balance_sheet_eur, balance_max, False))
    return max(within(facts.employees, staff_below, True), money)


class SmeTest(Evaluator):
    """Fewer than 250 employees, and turnover <= EUR 50M or balance-sheet total <= EUR 43M.

    The financial test passes on either figure, so it is unmet only when both are known and both too high."""

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        return tuple(
            np.array([getattr(r, field) for r in rules], dtype=float)
            for field in ("max_employees", "max_turnover_eur", "max_balance_sheet_eur")
        )

    def evaluate(self, compiled: Any, facts: FactsView) -> np.ndarray:
        max_employees, max_turnover, max_balance = compiled
        staff = compare(facts.employees, max_employees, lambda v, lim: v < lim)
        turnover_ok = compare(facts.turnover_eur, max_turnover, lambda v, lim: v <= lim)
        balance_ok = compare(facts.balance_sheet_eur, max_balance, lambda v, lim: v <= lim)
        money = np.minimum(turnover_ok, balance_ok)  # either test passing is enough
        return np.maximum(staff, money)

    def check(self, rule: Any, facts: FactsView) -> Finding:
        # The same decision as `evaluate`, in plain Python: explanations are written one criterion at a time.
        status = fits_under(facts, rule.max_employees, rule.max_turnover_eur, rule.max_balance_sheet_eur)
        if facts.employees is not None and facts.employees >= rule.max_employees:
            return Finding(
                status, N_("%(employees)s employees, limit %(limit)s"), {"employees": facts.employees, "limit": rule.max_employees}
            )
        if status == UNKNOWN:
            ask = "employees" if facts.employees is None else "annual_turnover" if facts.turnover_eur is None else "balance_sheet_total"
            return Finding(status, N_("Your employees, turnover or balance-sheet total are not all known"), ask=ask)
        if status == UNMET:
            return Finding(
                status,
                N_("Turnover above EUR %(turnover)s and balance-sheet total above EUR %(balance)s"),
                {"turnover": rule.max_turnover_eur, "balance": rule.max_balance_sheet_eur},
            )
        return Finding(status, N_("%(employees)s employees, within the EU SME limits"), {"employees": facts.employees})


SPECS = (
    RuleSpec(
        "sme_definition",
        50,
        SmeDefinition,
        SmeTest(),
        N_("An SME under the EU definition"),
        (MAX_EMPLOYEES, MAX_TURNOVER_EUR, MAX_BALANCE_SHEET_EUR),
    ),
)

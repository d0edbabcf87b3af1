"""Rules on amounts of money, compared in euros at the day's rates: max_turnover, min_turnover, max_balance_sheet."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, field_validator

from programmes.codes import is_currency
from programmes.rates import to_eur
from programmes.rule_types.bound import AT_LEAST, AT_MOST, Bound
from programmes.rule_types.spec import N_, NAN, BaseRule, FactsView, Parameter, RuleSpec

AMOUNT = Parameter(
    "amount",
    "decimal",
    N_("Amount"),
    hint=N_("A number, like 50000000."),
    invalid=N_("Enter the amount as a number, like 50000000"),
    missing=N_("Enter the amount for this rule"),
    called=N_("The amount"),
)
CURRENCY = Parameter(
    "currency", "code", N_("Currency"), hint=N_("An ISO 4217 code, like EUR."), missing=N_("Enter the currency for this rule, like EUR")
)


class _Money(BaseRule):
    amount: float = Field(ge=0)
    currency: str

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if not is_currency(value):
            raise ValueError(f"unknown currency {value!r} (ISO 4217, e.g. EUR)")
        return value


class MaxTurnover(_Money):
    """Annual turnover at most `amount`."""

    type: Literal["max_turnover"]


class MinTurnover(_Money):
    """Annual turnover at least `amount`."""

    type: Literal["min_turnover"]


class MaxBalanceSheet(_Money):
    """Balance-sheet total (total assets) at most `amount`; often the alternative to a turnover limit."""

    type: Literal["max_balance_sheet"]


def _in_euros(rule: Any, day: dt.date) -> float:
    eur = to_eur(rule.amount, rule.currency, day)
    # A limit in a currency without a rate cannot be compared: NaN makes every comparison fail safe (unmet for
    # max, unmet for min), and `catalogue check` reports such currencies before they are published.
    return NAN if eur is None else eur


def _turnover_words(rule: Any, facts: FactsView) -> tuple[str, dict[str, Any]]:
    assert facts.turnover is not None
    return (
        N_("Turnover %(currency)s %(amount)s, limit %(limit_currency)s %(limit)s"),
        {"currency": facts.turnover.currency, "amount": facts.turnover.amount, "limit_currency": rule.currency, "limit": rule.amount},
    )


def turnover(passes: Any) -> Bound:
    return Bound(
        "annual_turnover", lambda facts: facts.turnover_eur, _in_euros, passes, N_("Your annual turnover is not known"), _turnover_words
    )


def _balance_words(rule: Any, facts: FactsView) -> tuple[str, dict[str, Any]]:
    return (
        N_("Balance-sheet total EUR %(amount)s, limit %(limit_currency)s %(limit)s"),
        {"amount": round(facts.balance_sheet_eur or 0), "limit_currency": rule.currency, "limit": rule.amount},
    )


BALANCE_SHEET = Bound(
    "balance_sheet_total",
    lambda facts: facts.balance_sheet_eur,
    _in_euros,
    AT_MOST,
    N_("Your balance-sheet total is not known"),
    _balance_words,
)

SPECS = (
    RuleSpec("max_turnover", 40, MaxTurnover, turnover(AT_MOST), N_("Yearly turnover at most an amount"), (AMOUNT, CURRENCY)),
    RuleSpec("min_turnover", 41, MinTurnover, turnover(AT_LEAST), N_("Yearly turnover at least an amount"), (AMOUNT, CURRENCY)),
    RuleSpec("max_balance_sheet", 42, MaxBalanceSheet, BALANCE_SHEET, N_("Balance-sheet total at most an amount"), (AMOUNT, CURRENCY)),
)

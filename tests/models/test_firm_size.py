"""The EU size class (Recommendation 2003/361/EC; small mid-caps: Recommendation (EU) 2025/1099), at every limit."""

from __future__ import annotations

from typing import Any

import pytest

from models.firm_size import size_class
from models.rules import Facts, Status
from tests.factories import TODAY, make_profile


def classify(employees: int | None, turnover: float | None = None, balance: float | None = None):
    enterprise: dict[str, Any] = {"employees": employees}
    if turnover is not None:
        enterprise["annual_turnover"] = {"amount": turnover, "currency": "EUR"}
    if balance is not None:
        enterprise["balance_sheet_total"] = {"amount": balance, "currency": "EUR"}
    return size_class(Facts.of(make_profile(enterprise), TODAY))


@pytest.mark.parametrize(
    ("employees", "turnover", "balance", "size", "is_sme"),
    [
        (9, 2e6, None, "micro", Status.MET),
        (10, 2e6, None, "small", Status.MET),
        (9, 2_000_001, 1e6, "micro", Status.MET),  # the balance sheet alone is enough
        (9, 3e6, 3e6, "small", Status.MET),
        (49, 10e6, None, "small", Status.MET),
        (50, 10e6, None, "medium", Status.MET),
        (249, 50e6, None, "medium", Status.MET),
        (249, 60e6, 43e6, "medium", Status.MET),
        (249, 60e6, 44e6, "small_midcap", Status.UNMET),  # both money ceilings passed: not an SME
        (250, 1e6, None, "small_midcap", Status.UNMET),
        (749, 150e6, None, "small_midcap", Status.UNMET),
        (750, 1e6, None, "large", Status.UNMET),
        (6000, 1.5e9, None, "large", Status.UNMET),
        (300, None, None, None, Status.UNMET),  # not an SME whatever the money; small mid-cap needs a figure
        (42, None, None, None, Status.UNKNOWN),
        (None, 1e6, None, None, Status.UNKNOWN),
        (5, 3e6, None, None, Status.MET),  # micro or small: the balance sheet would tell
    ],
)
def test_size_class_at_each_limit(employees, turnover, balance, size, is_sme):
    found = classify(employees, turnover, balance)
    assert (found.size, found.is_sme) == (size, is_sme)
    assert found.explanation.render().startswith(("Under the EU definition", "Tremplin cannot tell"))


def test_the_sentence_says_why_a_firm_is_not_an_sme():
    assert "250 staff or more" in classify(250, 1e6).explanation.render()
    assert "medium-sized" in classify(120, 20e6).explanation.render()


def test_without_money_figures_the_headcount_alone_picks_the_benefit():
    assert classify(300).best_guess == "small_midcap" and classify(300).size is None
    assert classify(6000).best_guess == "large"
    assert classify(40).best_guess == "small"
    assert classify(None).best_guess is None
    assert classify(9, 1e6).best_guess == "micro"

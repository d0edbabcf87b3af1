"""Every rule type gives met, unmet and unknown where it can, with a sentence and, when unknown, a question."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from models.rules import REGISTRY, Facts, Status, compile_rule_set, evaluate_rule_set
from programmes.rule_types import RULE_TYPE_NAMES, Rule
from tests.factories import TODAY, make_profile

RULE = TypeAdapter(Rule)


def rule(**params: Any):
    return RULE.validate_python({"text": "A criterion.", **params})


def facts(enterprise: dict[str, Any] | None = None, **overrides: Any) -> Facts:
    return Facts.of(make_profile(enterprise, **overrides), TODAY)


def test_every_declared_rule_type_has_an_evaluator():
    assert set(RULE_TYPE_NAMES) == set(REGISTRY)


# (rule parameters, enterprise facts, expected status, expected ask)
CASES = [
    ({"type": "country_in", "countries": ["FR"]}, {"country": "FR"}, "met", None),
    ({"type": "country_in", "countries": ["EU"]}, {"country": "DE"}, "met", None),
    ({"type": "country_in", "countries": ["EU"]}, {"country": "GB"}, "unmet", None),
    ({"type": "country_not_in", "countries": ["FR"]}, {"country": "FR"}, "unmet", None),
    ({"type": "country_not_in", "countries": ["FR"]}, {"country": "IT"}, "met", None),
    ({"type": "operates_in", "countries": ["DE"]}, {"country": "DE"}, "met", None),
    ({"type": "operates_in", "countries": ["DE"]}, {"country": "FR", "expansion_countries": ["DE", "IT"]}, "met", None),
    ({"type": "operates_in", "countries": ["EU"]}, {"country": "US", "expansion_countries": ["AT"]}, "met", None),
    ({"type": "operates_in", "countries": ["DE"]}, {"country": "FR", "expansion_countries": ["IT"]}, "unmet", None),
    ({"type": "operates_in", "countries": ["DE"]}, {"country": "FR"}, "unmet", None),
    ({"type": "region_in", "regions": ["FR-IDF"]}, {"country": "FR", "region": "FR-IDF"}, "met", None),
    ({"type": "region_in", "regions": ["FR-IDF"]}, {"country": "FR", "region": "FR-ARA"}, "unmet", None),
    ({"type": "region_in", "regions": ["FR-IDF"]}, {"country": "FR"}, "unknown", "region"),
    ({"type": "region_in", "regions": ["GB-ENG"]}, {"country": "GB", "region": "GB-MAN"}, "met", None),  # Manchester lies in England
    ({"type": "region_in", "regions": ["GB-SCT"]}, {"country": "GB", "region": "GB-MAN"}, "unmet", None),
    ({"type": "region_in", "regions": ["FR-IDF"]}, {"country": "DE"}, "unmet", None),
    ({"type": "region_not_in", "regions": ["FR-IDF"]}, {"country": "FR", "region": "FR-IDF"}, "unmet", None),
    ({"type": "region_not_in", "regions": ["FR-IDF"]}, {"country": "FR"}, "unknown", "region"),
    ({"type": "region_not_in", "regions": ["FR-IDF"]}, {"country": "DE"}, "met", None),
    ({"type": "max_employees", "limit": 250}, {"employees": 249}, "met", None),
    ({"type": "max_employees", "limit": 250}, {"employees": 250}, "unmet", None),
    ({"type": "max_employees", "limit": 250}, {"employees": None}, "unknown", "employees"),
    ({"type": "min_employees", "limit": 10}, {"employees": 10}, "met", None),
    ({"type": "min_employees", "limit": 10}, {"employees": 9}, "unmet", None),
    ({"type": "min_employees", "limit": 10}, {"employees": None}, "unknown", "employees"),
    ({"type": "max_turnover", "amount": 50e6, "currency": "EUR"}, {"annual_turnover": {"amount": 50e6, "currency": "EUR"}}, "met", None),
    (
        {"type": "max_turnover", "amount": 50e6, "currency": "EUR"},
        {"annual_turnover": {"amount": 54e6, "currency": "USD"}},
        "met",
        None,
    ),  # EUR 49.9M
    (
        {"type": "max_turnover", "amount": 50e6, "currency": "EUR"},
        {"annual_turnover": {"amount": 55e6, "currency": "USD"}},
        "unmet",
        None,
    ),  # EUR 50.8M
    ({"type": "max_turnover", "amount": 50e6, "currency": "EUR"}, {"annual_turnover": {"amount": 50e6, "currency": "GBP"}}, "unmet", None),
    ({"type": "max_turnover", "amount": 50e6, "currency": "EUR"}, {}, "unknown", "annual_turnover"),
    ({"type": "min_turnover", "amount": 1e6, "currency": "CAD"}, {"annual_turnover": {"amount": 1e6, "currency": "EUR"}}, "met", None),
    ({"type": "min_turnover", "amount": 1e6, "currency": "CAD"}, {"annual_turnover": {"amount": 1e5, "currency": "EUR"}}, "unmet", None),
    ({"type": "min_turnover", "amount": 1e6, "currency": "CAD"}, {}, "unknown", "annual_turnover"),
    ({"type": "sme_definition"}, {"employees": 42, "annual_turnover": {"amount": 4e6, "currency": "EUR"}}, "met", None),
    (
        {"type": "max_balance_sheet", "amount": 20e6, "currency": "EUR"},
        {"balance_sheet_total": {"amount": 20e6, "currency": "EUR"}},
        "met",
        None,
    ),
    (
        {"type": "max_balance_sheet", "amount": 20e6, "currency": "EUR"},
        {"balance_sheet_total": {"amount": 30e6, "currency": "USD"}},
        "unmet",
        None,
    ),
    ({"type": "max_balance_sheet", "amount": 20e6, "currency": "EUR"}, {}, "unknown", "balance_sheet_total"),
    (
        {"type": "sme_definition"},
        {
            "employees": 42,
            "annual_turnover": {"amount": 90e6, "currency": "EUR"},
            "balance_sheet_total": {"amount": 20e6, "currency": "EUR"},
        },
        "met",
        None,
    ),
    (
        {"type": "sme_definition"},
        {
            "employees": 42,
            "annual_turnover": {"amount": 90e6, "currency": "EUR"},
            "balance_sheet_total": {"amount": 90e6, "currency": "EUR"},
        },
        "unmet",
        None,
    ),
    ({"type": "sme_definition"}, {"employees": 300, "annual_turnover": {"amount": 4e6, "currency": "EUR"}}, "unmet", None),
    (
        {"type": "sme_definition"},
        {"employees": 42, "annual_turnover": {"amount": 90e6, "currency": "EUR"}},
        "unknown",
        "balance_sheet_total",
    ),
    ({"type": "sme_definition"}, {"employees": None, "annual_turnover": {"amount": 4e6, "currency": "EUR"}}, "unknown", "employees"),
    ({"type": "sector_in", "sections": ["C", "J"]}, {"sector": "J"}, "met", None),
    ({"type": "sector_in", "sections": ["C", "J"]}, {"sector": "K"}, "unmet", None),
    ({"type": "sector_in", "sections": ["C", "J"]}, {}, "unknown", "sector"),
    ({"type": "sector_not_in", "sections": ["K"]}, {"sector": "K"}, "unmet", None),
    ({"type": "sector_not_in", "sections": ["K"]}, {"sector": "C"}, "met", None),
    ({"type": "sector_not_in", "sections": ["K"]}, {}, "unknown", "sector"),
    ({"type": "min_age_years", "years": 3}, {"founded_year": 2023}, "met", None),
    ({"type": "min_age_years", "years": 3}, {"founded_year": 2024}, "unmet", None),
    ({"type": "min_age_years", "years": 3}, {}, "unknown", "founded_year"),
    ({"type": "max_age_years", "years": 8}, {"founded_year": 2018}, "met", None),
    ({"type": "max_age_years", "years": 8}, {"founded_year": 2010}, "unmet", None),
    ({"type": "max_age_years", "years": 8}, {}, "unknown", "founded_year"),
    ({"type": "min_growth", "pct": 20}, {"annual_growth_pct": 20}, "met", None),
    ({"type": "min_growth", "pct": 20}, {"annual_growth_pct": 19.5}, "unmet", None),
    ({"type": "min_growth", "pct": 20}, {}, "unknown", "annual_growth_pct"),
    ({"type": "independent"}, {"independent": True}, "met", None),
    ({"type": "independent"}, {"independent": False}, "unmet", None),
    ({"type": "independent"}, {}, "unknown", "independent"),
    ({"type": "unconfirmed"}, {}, "unknown", None),
    (
        {
            "type": "any_of",
            "rules": [{"type": "max_employees", "limit": 250, "text": "SME"}, {"type": "max_age_years", "years": 0, "text": "New"}],
        },
        {"employees": 300, "founded_year": 2026},
        "met",
        None,
    ),
    (
        {
            "type": "any_of",
            "rules": [{"type": "max_employees", "limit": 250, "text": "SME"}, {"type": "max_age_years", "years": 0, "text": "New"}],
        },
        {"employees": 300, "founded_year": 2020},
        "unmet",
        None,
    ),
    (
        {
            "type": "any_of",
            "rules": [{"type": "max_employees", "limit": 250, "text": "SME"}, {"type": "max_age_years", "years": 0, "text": "New"}],
        },
        {"employees": 300},
        "unknown",
        "founded_year",
    ),
]


@pytest.mark.parametrize(("params", "enterprise", "expected", "ask"), CASES)
def test_rule_status_sentence_and_question(params, enterprise, expected, ask):
    r = rule(**params)
    f = facts({"employees": 42, **enterprise} if "employees" not in enterprise else enterprise)
    verdict = REGISTRY[r.type].check(r, f)
    assert verdict.status.word == expected
    assert verdict.ask == ask
    assert len(verdict.detail.render()) > 10
    # The vector evaluation used for whole catalogues decides the same.
    compiled = compile_rule_set([(0, r)], TODAY)
    assert Status(int(evaluate_rule_set(compiled, 1, f)[0])).word == expected


def test_every_rule_type_is_exercised_by_the_cases():
    assert {p["type"] for p, *_ in CASES} == set(RULE_TYPE_NAMES) - {"min_readiness", "max_readiness", "requires_goal"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "min_readiness", "dimension": "data", "score": 50}, "met"),
        ({"type": "min_readiness", "dimension": "data", "score": 51}, "unmet"),
        ({"type": "max_readiness", "dimension": "cloud", "score": 75}, "met"),
        ({"type": "max_readiness", "dimension": "cloud", "score": 74}, "unmet"),
        ({"type": "requires_goal", "goals": ["find_expert_advice", "scale_up"]}, "met"),
        ({"type": "requires_goal", "goals": ["scale_up"]}, "unmet"),
    ],
)
def test_readiness_and_goal_rules(params, expected):
    # make_profile: data 50 (level 2), cloud 75 (level 3), goals [find_expert_advice]
    r = rule(**params)
    f = facts()
    assert REGISTRY[r.type].check(r, f).status.word == expected
    assert Status(int(evaluate_rule_set(compile_rule_set([(0, r)], TODAY), 1, f)[0])).word == expected


SIMPLE_RULES = st.sampled_from([params for params, *_ in CASES])
ENTERPRISES = st.fixed_dictionaries(
    {"country": st.sampled_from(["FR", "DE", "GB", "US", "JP"])},
    optional={
        "employees": st.integers(0, 2000),
        "annual_turnover": st.builds(
            lambda a, c: {"amount": a, "currency": c}, st.floats(0, 2e8), st.sampled_from(["EUR", "USD", "GBP", "JPY", "CAD"])
        ),
        "balance_sheet_total": st.builds(lambda a: {"amount": a, "currency": "EUR"}, st.floats(0, 2e8)),
        "sector": st.sampled_from(list("ACJK")),
        "founded_year": st.integers(1990, 2026),
        "annual_growth_pct": st.floats(-50, 200),
        "independent": st.booleans(),
        "expansion_countries": st.sampled_from([[], ["CA"], ["IT", "CA"], ["AT"]]),
    },
)


@settings(max_examples=150, deadline=None)
@given(rules=st.lists(SIMPLE_RULES, min_size=1, max_size=12), enterprise=ENTERPRISES)
def test_vector_evaluation_agrees_with_the_explanations(rules, enterprise):
    owned = [(i % 3, rule(**params)) for i, params in enumerate(rules)]
    f = Facts.of(make_profile(enterprise), TODAY)
    combined = evaluate_rule_set(compile_rule_set(owned, TODAY), 3, f)
    for owner in range(3):
        statuses = [REGISTRY[r.type].check(r, f).status for o, r in owned if o == owner]
        assert combined[owner] == max(statuses, default=Status.MET)


def test_rates_make_currencies_comparable_on_a_date():
    from programmes.rates import to_eur

    assert to_eur(1.0824, "USD", dt.date(2026, 1, 1)) == pytest.approx(1.0)
    assert to_eur(100, "XYZ", dt.date(2026, 1, 1)) is None
    assert REGISTRY["max_turnover"].compile([rule(type="max_turnover", amount=0.9526, currency="CHF")], TODAY)[0] == pytest.approx(1.0)
    # A currency with no rate cannot pass a limit: the limit compiles to NaN, and every comparison fails.
    assert np.isnan(REGISTRY["max_turnover"].compile([rule(type="max_turnover", amount=1, currency="INR")], TODAY)[0])

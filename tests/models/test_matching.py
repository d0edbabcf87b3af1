"""Outcomes, explanations and ranking of a profile against a compiled catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.matching import compile_catalogue, match
from models.ranking import prior
from tests.factories import TODAY, make_profile, make_programme, match_one


def test_all_criteria_met_is_eligible():
    m = match_one(make_programme(), make_profile())
    assert m.eligibility == "eligible"
    assert {c.status.word for c in m.criteria} == {"met"}


def test_an_unknown_and_no_unmet_is_needs_info_with_the_question_to_ask():
    programme = make_programme(rules=[{"type": "max_employees", "limit": 250, "text": "Fewer than 250 employees."}])
    m = match_one(programme, make_profile({"employees": None}))
    assert m.eligibility == "needs_info"
    unknown = [c for c in m.criteria if c.status.word == "unknown"]
    assert [(c.id, c.ask) for c in unknown] == [("max_employees", "employees")]


def test_any_unmet_is_ineligible_and_says_what_would_change_it():
    programme = make_programme(
        rules=[
            {"type": "max_employees", "limit": 250, "text": "Open to firms with fewer than 250 employees."},
            {"type": "unconfirmed", "text": "Confirm your technology readiness level."},
        ]
    )
    m = match_one(programme, make_profile({"employees": 400}))
    assert m.eligibility == "ineligible"
    failed = [c for c in m.criteria if c.status.word == "unmet"]
    assert failed[0].label == "Open to firms with fewer than 250 employees."
    assert failed[0].detail.render() == "400 employees, limit 250"


@pytest.mark.parametrize(
    ("status", "application", "expected"),
    [
        ("closed", {"mode": "Call", "closes": "2026-02-25"}, "ineligible"),
        ("open", {"mode": "Call", "closes": "2026-11-24"}, "ineligible"),  # past its closing date: expired
        ("open", {"mode": "Call", "opens": "2026-12-01"}, "ineligible"),  # not open yet
        ("unknown", {"mode": "Call"}, "needs_info"),
        ("open", {"mode": "Call", "closes": "2026-11-25"}, "eligible"),  # closes today: still open
        ("rolling", {"mode": "Any time"}, "eligible"),
    ],
)
def test_a_closed_or_expired_programme_is_never_eligible(status, application, expected):
    m = match_one(make_programme(status=status, application=application), make_profile())
    assert m.eligibility == expected
    assert (
        next(c for c in m.criteria if c.id == "open_for_applications").status.word
        == {"ineligible": "unmet", "needs_info": "unknown", "eligible": "met"}[expected]
    )


def test_repeated_rule_types_get_distinct_criterion_ids():
    programme = make_programme(rules=[{"type": "unconfirmed", "text": "Check A."}, {"type": "unconfirmed", "text": "Check B."}])
    ids = [c.id for c in match_one(programme, make_profile()).criteria]
    assert ids == ["unconfirmed", "unconfirmed-2", "open_for_applications"]


def catalogue_of(count: int, seed: int):
    import random

    rng = random.Random(seed)
    dims = ["strategy", "skills", "data", "cloud", "compute", "funding", "governance"]
    goals = ["upskill_staff", "find_expert_advice", "access_compute", "fund_project", "scale_up"]
    programmes = []
    for i in range(count):
        programmes.append(
            make_programme(
                id=f"p-{i:03d}",
                rules=rng.choice(
                    [
                        [],
                        [{"type": "max_employees", "limit": rng.choice([10, 50, 250]), "text": "Size limit."}],
                        [{"type": "unconfirmed", "text": "Check."}],
                    ]
                ),
                builds=rng.sample(dims, rng.randint(1, 3)),
                goals=rng.sample(goals, rng.randint(1, 2)),
                target_stages=sorted(rng.sample([1, 2, 3, 4, 5], rng.randint(1, 3))),
                benefit={"kind": "grant", "description": "Money.", "sme_share_pct": rng.choice([0, 30, 50, 100])}
                if rng.random() < 0.7
                else {"kind": "grant", "description": "Money."},
                status=rng.choice(["open", "rolling", "unknown"]),
                application={"mode": "Call", "closes": str(TODAY + dt.timedelta(days=rng.randint(0, 500)))}
                if rng.random() < 0.4
                else {"mode": "Call"},
            )
        )
    return programmes


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    employees=st.integers(0, 400),
    capacity=st.one_of(st.none(), st.integers(0, 100)),
    levels=st.fixed_dictionaries(
        {d: st.integers(0, 4) for d in ["strategy", "skills", "data", "cloud", "compute", "funding", "governance"]}
    ),
    goals=st.lists(st.sampled_from(["upskill_staff", "find_expert_advice", "access_compute", "fund_project", "scale_up"]), unique=True),
)
def test_scores_lie_in_0_1_and_contributions_add_up_to_them(seed, employees, capacity, levels, goals):
    profile = make_profile({"employees": employees}, levels=levels, goals=goals, cofunding_capacity_pct=capacity)
    result = match(profile, compile_catalogue(catalogue_of(30, seed), "t", TODAY), prior(), "t", TODAY)
    for m in result.matches:
        assert 0 <= m.score <= 1
        assert sum(f.contribution for f in m.factors) == pytest.approx(m.score, abs=6e-4)  # each rounded to 4 places
    assert [m.rank for m in result.matches] == list(range(1, len(result.matches) + 1))
    assert [m.score for m in result.matches] == sorted((m.score for m in result.matches), reverse=True)
    assert all(m.eligibility in ("eligible", "needs_info") for m in result.matches)
    assert all(m.eligibility == "ineligible" for m in result.not_eligible)


def test_ranking_is_deterministic_whatever_the_catalogue_order():
    programmes = catalogue_of(40, seed=7)
    profile = make_profile()
    forward = match(profile, compile_catalogue(programmes, "t", TODAY), prior(), "t", TODAY)
    backward = match(profile, compile_catalogue(list(reversed(programmes)), "t", TODAY), prior(), "t", TODAY)
    assert [m.programme.id for m in forward.matches] == [m.programme.id for m in backward.matches]
    assert [m.programme.id for m in forward.not_eligible] == [m.programme.id for m in backward.not_eligible]


def test_equal_scores_fall_back_to_eligible_first_then_id():
    twins = [make_programme(id="b-twin"), make_programme(id="a-twin")]
    unsure = make_programme(id="0-unsure", rules=[{"type": "max_employees", "limit": 250, "text": "Size."}])
    result = match(make_profile({"employees": None}), compile_catalogue([*twins, unsure], "t", TODAY), prior(), "t", TODAY)
    assert [m.programme.id for m in result.matches] == ["a-twin", "b-twin", "0-unsure"]


def test_only_the_top_are_explained_when_asked():
    programmes = catalogue_of(60, seed=3)
    result = match(make_profile(), compile_catalogue(programmes, "t", TODAY), prior(), "t", TODAY, explain_limit=5)
    full = match(make_profile(), compile_catalogue(programmes, "t", TODAY), prior(), "t", TODAY)
    assert len(result.matches) == 5 and result.match_count == len(full.matches) > 5
    assert [m.programme.id for m in result.matches] == [m.programme.id for m in full.matches[:5]]
    assert [m.programme.id for m in result.not_eligible] == [m.programme.id for m in full.not_eligible[:5]]


def test_near_misses_come_first_among_the_ineligible():
    one_failure = make_programme(id="z-one", rules=[{"type": "max_employees", "limit": 10, "text": "Tiny firms."}])
    two_failures = make_programme(
        id="a-two",
        rules=[{"type": "max_employees", "limit": 10, "text": "Tiny."}, {"type": "country_in", "countries": ["DE"], "text": "Germany."}],
    )
    result = match(make_profile({"employees": 42}), compile_catalogue([two_failures, one_failure], "t", TODAY), prior(), "t", TODAY)
    assert [m.programme.id for m in result.not_eligible] == ["z-one", "a-two"]


def test_factors_reward_what_the_firm_lacks_and_wants():
    # The firm is weakest in skills and compute and wants expert advice.
    builds_gaps = make_programme(id="gaps", builds=["skills", "compute"], goals=["find_expert_advice"])
    builds_strengths = make_programme(id="strengths", builds=["cloud"], goals=["adopt_cloud"])
    result = match(make_profile(), compile_catalogue([builds_strengths, builds_gaps], "t", TODAY), prior(), "t", TODAY)
    assert [m.programme.id for m in result.matches] == ["gaps", "strengths"]
    factors = {f.id: f for f in result.matches[0].factors}
    assert factors["gap_fit"].value == 1.0 and factors["goal_fit"].value == 1.0


def test_cost_beyond_stated_capacity_counts_against():
    cheap = make_programme(id="cheap", benefit={"kind": "grant", "description": "Half paid.", "sme_share_pct": 50})
    within = match_one(cheap, make_profile(cofunding_capacity_pct=60))
    beyond = match_one(cheap, make_profile(cofunding_capacity_pct=20))
    value = lambda m: next(f.value for f in m.factors if f.id == "cost")  # noqa: E731
    assert value(within) == 0.5 and value(beyond) == 0.125

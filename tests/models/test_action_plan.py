"""The action plan: which matched programme to take up first, and why."""

from __future__ import annotations

import datetime as dt

import pytest

from models.action_plan import DEADLINE_DAYS, action_plan
from models.explanations import next_step
from models.matching import compile_catalogue, match
from models.ranking import prior
from tests.factories import TODAY, make_profile, make_programme

ALL_DIMENSIONS = ("strategy", "skills", "data", "cloud", "compute", "funding", "governance")


def result_for(programmes, profile, day=TODAY):
    return match(profile, compile_catalogue(programmes, "test", day), prior(), "test", day)


def low_readiness():
    """Stage 2: weakest in skills and compute; wants money and computing power, not advice."""
    return make_profile(goals=["fund_project", "access_compute"])


def high_readiness(**levels):
    return make_profile(levels={d: 4 for d in ALL_DIMENSIONS} | levels, goals=["fund_project", "access_compute"])


def programme(pid, category, **overrides):
    """A programme of one category; by default it builds and targets what a money-minded firm at stage 2 wants."""
    defaults = {
        "advisory": {"builds": ["strategy"], "goals": ["find_expert_advice"], "target_stages": [1]},
        "skills": {"builds": ["skills"], "goals": ["upskill_staff"], "target_stages": [1]},
        "data_regulation": {"builds": ["data", "governance"], "goals": ["regulatory_guidance"], "target_stages": [2, 3]},
        "compute": {"builds": ["compute"], "goals": ["access_compute"], "target_stages": [2, 3, 4, 5]},
        "funding": {"builds": ["funding", "compute"], "goals": ["fund_project"], "target_stages": [2, 3, 4, 5]},
        "procurement": {"builds": ["funding"], "goals": ["sell_to_public_sector"], "target_stages": [4, 5]},
    }[category]
    return make_programme(id=pid, category=category, **(defaults | overrides))


def catalogue_of_every_kind():
    return [
        programme("grant-a", "funding"),
        programme("grant-b", "funding"),
        programme("gpu-hours", "compute"),
        programme("tenders", "procurement"),
        programme("sandbox", "data_regulation"),
        programme("diagnostic", "advisory"),
        programme("ai-course", "skills"),
    ]


def ids(plan):
    return [step.match.programme.id for step in plan.steps]


def categories(plan):
    return [step.match.programme.category for step in plan.steps]


def test_a_low_readiness_firm_gets_advice_and_skills_before_compute_and_funding():
    result = result_for(catalogue_of_every_kind(), low_readiness())
    ranked_first = result.matches[0].programme.category
    assert ranked_first in ("funding", "compute"), "the ranker alone would start with money: the plan must reorder"

    plan = action_plan(result)

    assert plan.stage == 2
    assert set(categories(plan)[:2]) == {"advisory", "skills"}
    first_spend = min(i for i, c in enumerate(categories(plan)) if c in ("compute", "funding"))
    assert all(c in ("advisory", "skills", "data_regulation") for c in categories(plan)[:first_spend])
    assert categories(plan).index("data_regulation") < first_spend
    assert categories(plan)[-1] == "procurement"
    assert {s.basis for s in plan.steps[:2]} == {"foundation"}
    assert plan.steps[0].reason.render().startswith("Your AI readiness is at an early stage")
    assert "stage 2 of 5" in plan.summary.render()


def test_a_high_readiness_firm_may_start_with_funding_or_compute():
    plan = action_plan(result_for(catalogue_of_every_kind(), high_readiness()))

    assert plan.stage == 5
    assert categories(plan)[0] in ("funding", "compute", "procurement")
    assert plan.steps[0].basis == "invest_now"
    # No dimension is below 50, so advice and training wait until the end.
    assert set(categories(plan)[-2:]) == {"advisory", "skills"}
    assert {s.basis for s in plan.steps[-2:]} == {"can_wait"}


def test_at_a_high_stage_training_that_builds_a_weak_dimension_still_comes_early():
    plan = action_plan(result_for(catalogue_of_every_kind(), high_readiness(skills=1)))

    assert plan.stage == 5
    course = next(s for s in plan.steps if s.match.programme.id == "ai-course")
    assert course.basis == "weakest"
    assert course.builds_weak == ("skills",)
    assert course.number < next(s.number for s in plan.steps if s.match.programme.id == "diagnostic")


def test_at_stage_three_advice_on_the_weakest_areas_comes_before_compute_and_funding():
    profile = make_profile(levels={d: 2 for d in ALL_DIMENSIONS} | {"skills": 1}, goals=["fund_project"])
    programmes = [
        programme("grant-a", "funding", target_stages=[3]),
        programme("gpu-hours", "compute", target_stages=[3]),
        programme("diagnostic", "advisory", builds=["cloud"], target_stages=[3]),  # not a weakest dimension
        programme("ai-course", "skills", target_stages=[3]),  # builds skills, the weakest
    ]
    plan = action_plan(result_for(programmes, profile))

    assert plan.stage == 3
    assert result_for(programmes, profile).matches[0].programme.id == "grant-a", "the ranker alone would start with the grant"
    assert ids(plan) == ["ai-course", "gpu-hours", "diagnostic", "grant-a"]
    assert [s.basis for s in plan.steps] == ["weakest", "groundwork", "can_wait", "spend_later"]


def test_an_imminent_deadline_jumps_ahead_with_its_reason():
    closes = TODAY + dt.timedelta(days=30)
    later = TODAY + dt.timedelta(days=DEADLINE_DAYS + 30)
    programmes = [
        *catalogue_of_every_kind(),
        programme("last-call", "funding", status="open", application={"mode": "Call", "closes": closes.isoformat()}),
        programme("next-year", "funding", status="open", application={"mode": "Call", "closes": later.isoformat()}),
    ]
    plan = action_plan(result_for(programmes, low_readiness()), limit=20)

    first = plan.steps[0]
    assert first.match.programme.id == "last-call"
    assert first.closes_soon and first.basis == "deadline"
    assert first.reason.params["date"] == closes
    assert first.reason.render().startswith(f"Closing soon, on {closes}")
    assert "60 days" in plan.summary.render()
    later_step = next(s for s in plan.steps if s.match.programme.id == "next-year")
    assert not later_step.closes_soon and later_step.number > 3


@pytest.mark.parametrize(("days", "soon"), [(0, True), (DEADLINE_DAYS, True), (DEADLINE_DAYS + 1, False)])
def test_closing_soon_means_within_sixty_days_of_the_match_day(days, soon):
    closes = TODAY + dt.timedelta(days=days)
    grant = programme("grant-a", "funding", status="open", application={"mode": "Call", "closes": closes.isoformat()})
    plan = action_plan(result_for([programme("diagnostic", "advisory"), grant], low_readiness()))

    assert (plan.steps[0].match.programme.id == "grant-a") is soon
    assert next(s for s in plan.steps if s.match.programme.id == "grant-a").closes_soon is soon


def test_a_needs_info_programme_says_what_to_confirm_first():
    check = programme(
        "ai-course",
        "skills",
        rules=[
            {"type": "country_in", "countries": ["FR"], "text": "Open to firms in France."},
            {"type": "max_employees", "limit": 250, "text": "Fewer than 250 employees."},
            {"type": "unconfirmed", "text": "Confirm you have a training plan."},
        ],
    )
    result = result_for([check, programme("grant-a", "funding")], make_profile({"employees": None}))
    plan = action_plan(result)

    step = next(s for s in plan.steps if s.match.programme.id == "ai-course")
    assert step.match.eligibility == "needs_info"
    assert step.to_confirm is not None and step.to_confirm.id == "max_employees"
    # The plan's reason is the step's place, shared with its neighbours; the fact to confirm is the step's own.
    assert "criterion" not in step.reason.params
    confirm = next_step(step.match)
    assert (confirm.action, confirm.ask) == ("confirm", "employees")
    assert confirm.text.render() == "Confirm first: Fewer than 250 employees."
    eligible = next(s for s in plan.steps if s.match.programme.id == "grant-a")
    assert eligible.to_confirm is None and next_step(eligible.match).action == "apply"


def test_the_first_three_steps_are_not_three_grants():
    programmes = [programme(f"grant-{n}", "funding") for n in range(4)] + [
        programme("gpu-hours", "compute"),
        programme("tenders", "procurement"),
    ]
    plan = action_plan(result_for(programmes, high_readiness()))

    assert sorted(categories(plan)[:3]) == ["compute", "funding", "procurement"]
    assert categories(plan)[3:] == ["funding"] * 3


def test_with_fewer_categories_than_three_the_order_of_the_tiers_is_kept():
    programmes = [programme("advice-a", "advisory"), programme("advice-b", "advisory"), programme("grant-a", "funding")]
    plan = action_plan(result_for(programmes, low_readiness()))

    assert categories(plan) == ["advisory", "advisory", "funding"]
    assert "variety" not in {s.basis for s in plan.steps}


def test_same_input_same_plan():
    programmes = [*catalogue_of_every_kind(), *(programme(f"grant-{n}", "funding") for n in range(5))]
    profile = low_readiness()
    first = action_plan(result_for(programmes, profile))
    again = action_plan(result_for(list(reversed(programmes)), profile))

    assert ids(first) == ids(again)
    assert [s.reason for s in first.steps] == [s.reason for s in again.steps]
    assert first.summary == again.summary


@pytest.mark.parametrize("limit", [0, 1, 3, 8])
def test_the_limit_caps_the_plan(limit):
    programmes = [*catalogue_of_every_kind(), *(programme(f"grant-{n}", "funding") for n in range(5))]
    plan = action_plan(result_for(programmes, low_readiness()), limit=limit)

    assert len(plan) == limit
    assert [s.number for s in plan.steps] == list(range(1, limit + 1))
    assert plan.considered == 12


def test_the_default_limit_is_eight():
    programmes = [*catalogue_of_every_kind(), *(programme(f"grant-{n}", "funding") for n in range(5))]
    assert len(action_plan(result_for(programmes, low_readiness()))) == 8


def test_no_matches_gives_an_empty_plan_that_says_there_is_nothing_to_plan_yet():
    closed = programme("old-call", "funding", status="closed", application={"mode": "Call", "closes": "2025-01-31"})
    plan = action_plan(result_for([closed], low_readiness()))

    assert plan.steps == () and len(plan) == 0
    assert plan.stage is None
    assert "nothing to plan yet" in plan.summary.render()


def test_a_negative_limit_is_refused():
    with pytest.raises(ValueError, match="negative"):
        action_plan(result_for([programme("grant-a", "funding")], low_readiness()), limit=-1)


def test_each_step_names_its_phase():
    plan = action_plan(result_for(catalogue_of_every_kind(), low_readiness()))
    phase_of = {s.match.programme.category: s.phase for s in plan.steps}
    assert phase_of == {
        "advisory": "prepare",
        "skills": "prepare",
        "data_regulation": "build",
        "compute": "build",
        "funding": "invest",
        "procurement": "scale",
    }


def test_a_programme_of_a_country_the_firm_only_plans_to_expand_to_comes_after_everything_it_can_use_now():
    closes = TODAY + dt.timedelta(days=10)
    german_grant = programme(
        "de-grant",
        "funding",
        country="DE",
        territory={"country": "DE", "open_to_firms_abroad": True},
        rules=[{"type": "operates_in", "countries": ["DE"], "text": "Works in Germany."}],
        status="open",
        application={"mode": "Call", "closes": closes.isoformat()},
        target_stages=[1, 2, 3],
    )
    profile = make_profile({"expansion_countries": ["DE"]}, goals=["fund_project"])
    plan = action_plan(result_for([german_grant, *catalogue_of_every_kind()], profile), limit=20)

    last = plan.steps[-1]
    assert (last.match.programme.id, last.match.reach, last.basis) == ("de-grant", "expansion", "expansion")
    assert not last.closes_soon  # its deadline does not pull it to the front of a plan for now
    assert "60 days" not in plan.summary.render()

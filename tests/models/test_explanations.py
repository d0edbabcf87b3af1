"""What a firm reads first about a programme: why it fits in its own terms, the next step, and which refusals it
could act on."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from models.explanations import actionable, next_step, why_it_fits
from models.text import N_, Text
from tests.factories import TODAY, make_profile, make_programme, match_one

# Stage 2, weakest in skills (0) and compute (0); strategy and funding at 25.
SKILLS_FIRST = {"goals": ["upskill_staff", "find_expert_advice"]}


def words(programme, profile, day=TODAY) -> list[str]:
    return [t.render() for t in why_it_fits(match_one(programme, profile, day), profile, day)]


def test_why_a_course_fits_speaks_of_the_firms_goal_weakest_area_and_stage_not_of_the_score():
    course = make_programme(category="skills", builds=["skills"], goals=["upskill_staff"], target_stages=[1, 2])
    said = words(course, make_profile(**SKILLS_FIRST))

    assert said == [
        "You asked for help with training your staff in AI.",
        "It strengthens your staff's skills, where your business is weakest.",
        "It is meant for businesses at your stage of AI readiness.",
    ]
    assert not any(re.search(r"\d\.\d", sentence) or "score" in sentence for sentence in said)


def test_goals_are_listed_in_words_and_both_weakest_areas_are_named_together():
    lab = make_programme(
        category="compute", builds=["skills", "compute"], goals=["access_compute", "test_before_invest"], target_stages=[4]
    )
    said = words(lab, make_profile(goals=["test_before_invest", "access_compute", "fund_project"]))

    assert said == [
        "You asked for help with testing AI before you invest and computing power.",
        "It strengthens your two weakest areas: your staff's skills and your access to AI tools and computing power.",
    ]


def test_an_area_below_fifty_counts_when_the_programme_builds_no_weakest_one():
    grant = make_programme(category="funding", builds=["funding"], goals=["fund_project"], target_stages=[5])
    assert words(grant, make_profile(goals=["scale_up"])) == [
        "It strengthens your funding for AI, where your business scores below 50 out of 100."
    ]


@pytest.mark.parametrize(("days", "said"), [(30, True), (90, True), (91, False)])
def test_a_deadline_within_ninety_days_is_a_reason(days, said):
    closes = TODAY + dt.timedelta(days=days)
    call = make_programme(status="open", application={"mode": "Call", "closes": closes.isoformat()})
    sentence = f"It closes soon, on {closes}."
    assert (sentence in words(call, make_profile())) is said


def test_with_nothing_particular_to_say_the_reason_is_the_conditions():
    plain = make_programme(builds=["cloud"], goals=["adopt_cloud"], target_stages=[5])
    assert words(plain, make_profile()) == ["Your business meets every condition it sets."]
    unsure = make_programme(
        builds=["cloud"],
        goals=["adopt_cloud"],
        target_stages=[5],
        rules=[
            {"type": "country_in", "countries": ["FR"], "text": "Open to firms in France."},
            {"type": "max_turnover", "amount": 50_000_000, "currency": "EUR", "text": "Turnover of at most EUR 50 million."},
        ],
    )
    assert words(unsure, make_profile()) == ["None of its conditions rules your business out."]


def test_the_next_step_is_to_apply_or_the_one_fact_to_confirm_with_the_question_that_settles_it():
    closes = TODAY + dt.timedelta(days=200)
    call = make_programme(status="open", application={"mode": "Call", "closes": closes.isoformat()})
    step = next_step(match_one(call, make_profile()))
    assert (step.action, step.text.render()) == ("apply", f"Apply on the programme's page before {closes}")

    rolling = next_step(match_one(make_programme(), make_profile()))
    assert (rolling.action, rolling.text.render()) == ("apply", "Apply on the programme's page")

    sized = make_programme(
        rules=[
            {"type": "country_in", "countries": ["FR"], "text": "Open to firms in France."},
            {"type": "max_employees", "limit": 250, "text": "Fewer than 250 employees."},
        ]
    )
    confirm = next_step(match_one(sized, make_profile({"employees": None})))
    assert (confirm.action, confirm.ask, confirm.text.render()) == ("confirm", "employees", "Confirm first: Fewer than 250 employees.")

    unknown_status = next_step(match_one(make_programme(status="unknown"), make_profile()))
    assert (unknown_status.action, unknown_status.ask) == ("confirm", None)
    assert unknown_status.text.render() == "Check with the operator that it is open now."


def rules(*extra):
    return [{"type": "country_in", "countries": ["FR"], "text": "Open to firms in France."}, *extra]


@pytest.mark.parametrize(
    ("programme", "firm", "can_act"),
    [
        # A size it could reach, an age it will reach, a goal it could take up: near misses.
        (make_programme(rules=rules({"type": "min_employees", "limit": 50, "text": "At least 50 employees."})), {}, True),
        (
            make_programme(rules=rules({"type": "min_age_years", "years": 20, "text": "At least 20 years old."})),
            {"founded_year": 2016},
            True,
        ),
        # A call that opens later can be waited for.
        (make_programme(status="open", application={"mode": "Call", "opens": "2027-01-15"}), {}, True),
        # Where it is, its sector, an age it is past, a call closed with no new one: not near misses.
        (
            make_programme(rules=[{"type": "region_in", "regions": ["FR-ARA"], "text": "Firms in Auvergne-Rhône-Alpes."}]),
            {"region": "FR-IDF"},
            False,
        ),
        (make_programme(rules=rules({"type": "sector_in", "sections": ["J"], "text": "Digital firms only."})), {"sector": "C"}, False),
        (make_programme(rules=rules({"type": "max_age_years", "years": 5, "text": "At most 5 years old."})), {"founded_year": 2010}, False),
        (make_programme(status="closed", application={"mode": "Call", "closes": "2026-02-01"}), {}, False),
        # One failure it cannot change is enough to leave it out, whatever else it could meet.
        (
            make_programme(
                rules=rules(
                    {"type": "sector_in", "sections": ["J"], "text": "Digital firms only."},
                    {"type": "min_employees", "limit": 50, "text": "At least 50 employees."},
                )
            ),
            {"sector": "C"},
            False,
        ),
    ],
)
def test_a_near_miss_is_one_the_firm_could_act_on(programme, firm, can_act):
    found = match_one(programme, make_profile(firm))
    assert found.eligibility == "ineligible"
    assert actionable(found, TODAY) is can_act


def test_a_list_of_phrases_is_said_as_a_list_each_phrase_translated():
    said = Text(N_("You asked for help with %(goals)s."), {"goals": (Text("a"), Text("b"), Text("c"))})
    assert said.render() == "You asked for help with a, b and c."
    assert said.render(translate=lambda m: {"a": "A"}.get(m, m), format_list=" / ".join) == "You asked for help with A / b / c."

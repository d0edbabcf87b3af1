"""The question bank is sound, and the scorer is deterministic, bounded and monotone."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from models.readiness import BANK_FILE, bank_problems, load_bank, parse_bank, score_answers, score_levels
from programmes.vocabulary import DIMENSIONS

BANK = load_bank()


def test_the_bank_has_no_problems_and_25_to_40_questions():
    assert bank_problems(BANK) == []
    assert 25 <= len(BANK.questions) <= 40
    assert all(BANK.questions_for(d) for d in DIMENSIONS)


def test_the_bank_asks_every_firmographic_question_the_rules_need():
    asked = {q["id"] for q in BANK.profile_questions}
    assert {
        "country",
        "region",
        "sector",
        "employees",
        "annual_turnover",
        "balance_sheet_total",
        "founded_year",
        "annual_growth_pct",
        "independent",
    } <= asked


def test_quick_check_scores_25_per_level():
    levels = {"strategy": 1, "skills": 0, "data": 2, "cloud": 3, "compute": 0, "funding": 1, "governance": 4}
    readiness = score_levels(BANK, levels)
    assert readiness.dimensions == {d: 25 * v for d, v in levels.items()}
    assert readiness.weakest == ("skills", "compute")  # ties go to the dimension listed first


def test_stage_follows_the_overall_score():
    assert score_levels(BANK, dict.fromkeys(DIMENSIONS, 0)).stage.level == 1
    assert score_levels(BANK, dict.fromkeys(DIMENSIONS, 2)).stage.level == 3
    assert score_levels(BANK, dict.fromkeys(DIMENSIONS, 4)).stage.level == 5
    assert all(s.label and s.meaning for s in BANK.stages)


def test_best_and_worst_answers_span_the_scale():
    best = {
        q.id: ([o.id for o in q.options if o.points > 0] if q.kind == "multiple" else max(q.options, key=lambda o: o.points).id)
        for q in BANK.questions
    }
    assert set(score_answers(BANK, best).dimensions.values()) == {100}
    assert set(score_answers(BANK, {}).dimensions.values()) == {0}


def test_drivers_name_every_answer_of_a_dimension_best_first():
    question = BANK.questions_for("data")[0]
    top = max(question.options, key=lambda o: o.points)
    readiness = score_answers(BANK, {question.id: [top.id] if question.kind == "multiple" else top.id})
    drivers = readiness.drivers["data"]
    assert {d.question_id for d in drivers} == {q.id for q in BANK.questions_for("data")}
    assert drivers[0].question_id == question.id


def option_ids(question) -> list[str]:
    return [o.id for o in question.options if o.id != "none_of_these"]


@st.composite
def answer_sets(draw):
    """Some questions answered (any valid answer), others left out."""
    answers = {}
    for question in BANK.questions:
        if draw(st.booleans()):
            choices = st.sampled_from(option_ids(question))
            answers[question.id] = draw(st.lists(choices, unique=True)) if question.kind == "multiple" else draw(choices)
    return answers


@settings(max_examples=200, deadline=None)
@given(answers=answer_sets(), data=st.data())
def test_a_better_answer_never_lowers_any_score(answers, data):
    before = score_answers(BANK, answers)
    question = data.draw(st.sampled_from(BANK.questions))
    current = question.points_for(answers.get(question.id))
    if question.kind == "multiple":
        extra = data.draw(st.sampled_from([o.id for o in question.options if o.id != "none_of_these"]))
        chosen = answers.get(question.id) or []
        improved = sorted(set(chosen) | {extra})
    else:
        better = [o.id for o in question.options if o.points >= current]
        improved = data.draw(st.sampled_from(better))
    after = score_answers(BANK, {**answers, question.id: improved})
    assert all(after.dimensions[d] >= before.dimensions[d] for d in DIMENSIONS)
    assert after.overall >= before.overall
    assert after.stage.level >= before.stage.level


@settings(max_examples=100, deadline=None)
@given(answers=answer_sets())
def test_scores_are_deterministic_and_bounded(answers):
    first, second = score_answers(BANK, answers), score_answers(BANK, dict(reversed(list(answers.items()))))
    assert first == second
    assert all(0 <= v <= 100 for v in first.dimensions.values())
    assert 0 <= first.overall <= 100


@settings(max_examples=100, deadline=None)
@given(levels=st.fixed_dictionaries({d: st.integers(0, 4) for d in DIMENSIONS}), dimension=st.sampled_from(DIMENSIONS))
def test_a_higher_level_never_lowers_the_quick_check(levels, dimension):
    before = score_levels(BANK, levels)
    after = score_levels(BANK, {**levels, dimension: min(4, levels[dimension] + 1)})
    assert after.overall >= before.overall and after.dimensions[dimension] >= before.dimensions[dimension]


def test_a_broken_bank_is_refused():
    raw = yaml.safe_load(BANK_FILE.read_text(encoding="utf-8"))
    raw["questions"] = raw["questions"][:5]
    with pytest.raises(ValueError, match="25 to 40"):
        parse_bank(raw)

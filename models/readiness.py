"""Answers -> readiness: a 0-100 score per dimension, an overall score, a stage, the weakest dimensions, and the
answers that drove each score.

The question bank (questionnaire.yaml) is data; this module only reads it. Two ways in:
- the quick check: one level 0-4 per dimension, scored 25 x level (the API contract);
- the full assessment: each question's option carries points; a dimension's score is the weighted share of the
  points it could have had. An unanswered question scores as its lowest option, so every score is defined and a
  better answer never lowers a score (monotone: property-tested).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from programmes.vocabulary import DIMENSIONS, GOALS

BANK_FILE = Path(__file__).with_name("questionnaire.yaml")
QUICK_CHECK_LEVEL_POINTS = 25


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    points: float


@dataclass(frozen=True)
class Question:
    id: str
    dimension: str
    text: str
    hint: str | None
    kind: str  # "single" or "multiple"
    weight: float
    options: tuple[Option, ...]
    max_points: float  # single: the best option's points; multiple: the cap on the summed points

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def points_for(self, answer: str | Sequence[str] | None) -> float:
        """Points for an answer (an option id, or a list of ids for `multiple`); unanswered scores 0."""
        if answer is None:
            return 0.0
        chosen = [answer] if isinstance(answer, str) else list(answer)
        total = sum(o.points for o in self.options if o.id in set(chosen))
        return min(total, self.max_points)


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    description: str
    weight: float


@dataclass(frozen=True)
class Stage:
    level: int
    label: str
    min_overall: int
    meaning: str
    oecd_type: str | None = None


@dataclass(frozen=True)
class QuickCheckItem:
    dimension: str
    question: str
    hint: str | None
    levels: tuple[str, ...]


@dataclass(frozen=True)
class QuestionBank:
    version: str
    dimensions: tuple[Dimension, ...]
    stages: tuple[Stage, ...]
    quick_check: tuple[QuickCheckItem, ...]
    questions: tuple[Question, ...]
    profile_questions: tuple[Mapping[str, Any], ...]
    goals: tuple[Mapping[str, Any], ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    def question(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)  # type: ignore[attr-defined]

    def questions_for(self, dimension: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.dimension == dimension)

    def stage_for(self, overall: float) -> Stage:
        reached = [s for s in self.stages if overall >= s.min_overall]
        return reached[-1]


def _question(raw: Mapping[str, Any]) -> Question:
    options = tuple(Option(id=o["id"], label=o["label"], points=float(o["points"])) for o in raw["options"])
    kind = raw.get("kind", "single")
    # A multiple-choice question's points add up to a cap; a single-choice question is worth its best option.
    max_points = float(raw.get("max_points", sum(o.points for o in options))) if kind == "multiple" else max(o.points for o in options)
    return Question(
        id=raw["id"],
        dimension=raw["dimension"],
        text=raw["text"],
        hint=raw.get("hint"),
        kind=kind,
        weight=float(raw.get("weight", 1)),
        options=options,
        max_points=max_points,
    )


def parse_bank(raw: Mapping[str, Any]) -> QuestionBank:
    bank = QuestionBank(
        version=str(raw["version"]),
        dimensions=tuple(
            Dimension(id=d["id"], label=d["label"], description=d["description"], weight=float(d["weight"])) for d in raw["dimensions"]
        ),
        stages=tuple(
            Stage(
                level=int(s["level"]),
                label=s["label"],
                min_overall=int(s["min_overall"]),
                meaning=s["meaning"],
                oecd_type=s.get("oecd_type"),
            )
            for s in raw["stages"]
        ),
        quick_check=tuple(
            QuickCheckItem(dimension=q["dimension"], question=q["question"], hint=q.get("hint"), levels=tuple(q["levels"]))
            for q in raw["quick_check"]
        ),
        questions=tuple(_question(q) for q in raw["questions"]),
        profile_questions=tuple(raw["profile_questions"]),
        goals=tuple(raw["goals"]),
    )
    problems = bank_problems(bank)
    if problems:
        raise ValueError("question bank is invalid: " + "; ".join(problems))
    return bank


def bank_problems(bank: QuestionBank) -> list[str]:
    """Everything that would make scoring ill-defined; an empty list means the bank is sound."""
    problems: list[str] = []
    if tuple(d.id for d in bank.dimensions) != DIMENSIONS:
        problems.append(f"dimensions must be exactly {', '.join(DIMENSIONS)} in that order")
    if any(d.weight <= 0 for d in bank.dimensions):
        problems.append("every dimension weight must be positive")
    levels = [s.level for s in bank.stages]
    if levels != [1, 2, 3, 4, 5] or bank.stages[0].min_overall != 0:
        problems.append("stages must be levels 1-5, the first starting at 0")
    if [s.min_overall for s in bank.stages] != sorted({s.min_overall for s in bank.stages}):
        problems.append("stage thresholds must rise")
    if tuple(q.dimension for q in bank.quick_check) != DIMENSIONS or any(len(q.levels) != 5 for q in bank.quick_check):
        problems.append("the quick check needs one question per dimension with five levels")
    ids = [q.id for q in bank.questions]
    if len(ids) != len(set(ids)):
        problems.append("question ids must be unique")
    if not 25 <= len(ids) <= 40:
        problems.append(f"the full assessment needs 25 to 40 questions, not {len(ids)}")
    for question in bank.questions:
        if question.dimension not in DIMENSIONS:
            problems.append(f"{question.id}: unknown dimension {question.dimension}")
        if question.kind not in ("single", "multiple"):
            problems.append(f"{question.id}: kind must be single or multiple")
        option_ids = [o.id for o in question.options]
        if len(option_ids) != len(set(option_ids)) or len(option_ids) < 2:
            problems.append(f"{question.id}: needs two or more options with unique ids")
        if question.max_points <= 0 or question.weight <= 0:
            problems.append(f"{question.id}: needs positive points and weight")
        if any(o.points < 0 for o in question.options):
            problems.append(f"{question.id}: points cannot be negative")
    for dimension in DIMENSIONS:
        if not bank.questions_for(dimension):
            problems.append(f"no question for {dimension}")
    if tuple(g["id"] for g in bank.goals) != GOALS:
        problems.append("goals must be exactly the spec's twelve, in order")
    return problems


@cache
def load_bank(path: Path = BANK_FILE) -> QuestionBank:
    with path.open(encoding="utf-8") as handle:
        return parse_bank(yaml.safe_load(handle))


@dataclass(frozen=True)
class Driver:
    """One answer's part in a dimension score."""

    question_id: str
    answer: str | tuple[str, ...] | None
    points: float
    max_points: float
    weight: float


@dataclass(frozen=True)
class Readiness:
    dimensions: Mapping[str, int]
    overall: int
    stage: Stage
    weakest: tuple[str, ...]
    drivers: Mapping[str, tuple[Driver, ...]]
    method: str  # "quick_check" or "full_assessment"


def _finish(bank: QuestionBank, scores: Mapping[str, int], drivers: Mapping[str, tuple[Driver, ...]], method: str) -> Readiness:
    total_weight = sum(d.weight for d in bank.dimensions)
    overall = round(sum(scores[d.id] * d.weight for d in bank.dimensions) / total_weight)
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    # Ties go to the dimension listed first in the bank, so the same answers always name the same two.
    weakest = tuple(sorted(DIMENSIONS, key=lambda d: (scores[d], order[d]))[:2])
    return Readiness(
        dimensions=dict(scores),
        overall=overall,
        stage=bank.stage_for(overall),
        weakest=weakest,
        drivers=drivers,
        method=method,
    )


def score_levels(bank: QuestionBank, levels: Mapping[str, int]) -> Readiness:
    """The quick check: each dimension scores 25 x its level (0-4)."""
    scores = {d: QUICK_CHECK_LEVEL_POINTS * int(levels[d]) for d in DIMENSIONS}
    drivers = {
        d: (Driver(question_id=f"level_{d}", answer=str(levels[d]), points=float(levels[d]), max_points=4.0, weight=1.0),)
        for d in DIMENSIONS
    }
    return _finish(bank, scores, drivers, "quick_check")


def score_answers(bank: QuestionBank, answers: Mapping[str, str | Sequence[str]]) -> Readiness:
    """The full assessment. Each dimension: 100 x sum(weight x points) / sum(weight x max points), rounded.

    Drivers list a dimension's answers, the ones that gave most weighted points first.
    """
    scores: dict[str, int] = {}
    drivers: dict[str, tuple[Driver, ...]] = {}
    for dimension in DIMENSIONS:
        questions = bank.questions_for(dimension)
        rows = []
        for question in questions:
            answer = answers.get(question.id)
            stored = tuple(answer) if isinstance(answer, list | tuple) else answer
            rows.append(Driver(question.id, stored, question.points_for(answer), question.max_points, question.weight))
        earned = sum(r.points * r.weight for r in rows)
        possible = sum(r.max_points * r.weight for r in rows)
        scores[dimension] = round(100 * earned / possible)
        drivers[dimension] = tuple(sorted(rows, key=lambda r: (-r.points * r.weight, r.question_id)))
    return _finish(bank, scores, drivers, "full_assessment")

"""Per-programme test cases (OpenFisca style): a profile, a date, and the outcome the catalogue must give.

The cases live beside the catalogue in catalogue/cases/*.yaml; tests/programmes runs every one through the
matcher, so a change to a rule or to the engine that alters an expected outcome fails the suite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from programmes.loader import Problem
from programmes.schema import Programme

OUTCOMES = ("eligible", "needs_info", "ineligible")
STATUSES = ("met", "unmet", "unknown")
REACH_EXPECTATIONS = ("home", "expansion", "anywhere", "none")  # "none": the programme is not offered to this firm


@dataclass(frozen=True)
class Case:
    file: str
    line: int
    programme: str
    name: str
    on: dt.date
    profile: dict[str, Any]
    expected: str
    criteria: dict[str, str] = field(default_factory=dict)
    reach: str | None = None  # when given, the reach the programme must have for this firm

    @property
    def label(self) -> str:
        return f"{self.file}:{self.line} {self.programme}: {self.name}"


def load_cases(directory: Path) -> tuple[list[Case], list[Problem]]:
    cases: list[Case] = []
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text) or []
        lines = [item.start_mark.line + 1 for item in node.value] if node is not None else []
        for raw, line in zip(data, lines, strict=True):
            where = f"line {line}"
            if isinstance(raw, dict) and True in raw:
                # YAML 1.1 reads a bare `on:` key as the boolean true; the case format calls it `on`.
                raw["on"] = raw.pop(True)
            try:
                case = Case(
                    file=path.name,
                    line=line,
                    programme=raw["programme"],
                    name=raw["name"],
                    on=raw["on"],
                    profile=raw["profile"],
                    expected=raw["expected"],
                    criteria=dict(raw.get("criteria") or {}),
                    reach=raw.get("reach"),
                )
            except (KeyError, TypeError) as error:
                problems.append(
                    Problem(
                        path.name,
                        where,
                        str(raw.get("programme", "")) if isinstance(raw, dict) else "",
                        "",
                        f"a case needs programme, name, on, profile and expected ({error})",
                    )
                )
                continue
            if case.expected not in OUTCOMES:
                problems.append(Problem(path.name, where, case.programme, "expected", f"must be one of {', '.join(OUTCOMES)}"))
            bad = {k: v for k, v in case.criteria.items() if v not in STATUSES}
            if bad:
                problems.append(Problem(path.name, where, case.programme, "criteria", f"statuses must be one of {', '.join(STATUSES)}"))
            if case.reach is not None and case.reach not in REACH_EXPECTATIONS:
                problems.append(Problem(path.name, where, case.programme, "reach", f"must be one of {', '.join(REACH_EXPECTATIONS)}"))
            if not isinstance(case.on, dt.date):
                problems.append(Problem(path.name, where, case.programme, "on", "must be a date (YYYY-MM-DD)"))
            cases.append(case)
    return cases, problems


def case_problems(cases: Sequence[Case], programmes: Sequence[Programme]) -> list[Problem]:
    """Cases naming no programme, and programmes with no case."""
    known = {p.id for p in programmes}
    covered = {c.programme for c in cases}
    problems = [
        Problem(c.file, f"line {c.line}", c.programme, "programme", "no programme has this id") for c in cases if c.programme not in known
    ]
    problems += [Problem("cases/", "", p, "", "this programme has no test case") for p in sorted(known - covered)]
    return problems

"""Check your answers: each section's questions with the answer given, in words, and where to change it."""

from __future__ import annotations

from dataclasses import dataclass

import pycountry
from flask_babel import format_decimal
from flask_babel import gettext as _

from models.names import clean_name
from models.readiness import QuestionBank
from webapp.assessment.forms import country_name
from webapp.assessment.steps import ABOUT, BUSINESS, GOALS, Section, sections
from webapp.db import Draft


@dataclass(frozen=True)
class Row:
    question: str
    answer: str
    field_id: str


def _money(value: dict | None) -> str:
    return _("Not given") if not value else f"{value['currency']} {format_decimal(value['amount'], format='#,##0.##')}"


def _plain(value: object) -> str:
    if value is None or value == "":
        return _("Not given")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_decimal(value, format="#,##0.##")
    return str(value)


def _section_rows(current: Section, draft: Draft, bank: QuestionBank) -> list[Row]:
    data = draft.data
    enterprise = data.get("enterprise", {})
    questions = {q["id"]: q for q in bank.profile_questions}
    if current.slug == ABOUT:
        country = pycountry.countries.get(alpha_2=enterprise.get("country", "")) if enterprise.get("country") else None
        sector = next((o["label"] for o in questions["sector"]["options"] if o["id"] == enterprise.get("sector")), None)
        return [
            Row(_("Name of your business"), _plain(clean_name(enterprise.get("name") or "")), "name"),
            Row(_(questions["country"]["text"]), country.name if country else _("Not given"), "country"),
            Row(_(questions["sector"]["text"]), _(sector) if sector else _("Not given"), "sector"),
            Row(_(questions["employees"]["text"]), _plain(enterprise.get("employees")), "employees"),
        ]
    if current.slug == BUSINESS:
        region = pycountry.subdivisions.get(code=enterprise["region"]) if enterprise.get("region") else None
        independent = {True: _("Yes"), False: _("No")}.get(enterprise.get("independent"), _("Not sure"))
        growth = enterprise.get("annual_growth_pct")
        return [
            Row(_(questions["region"]["text"]), region.name if region else _("Not given"), "region"),
            Row(_(questions["annual_turnover"]["text"]), _money(enterprise.get("annual_turnover")), "annual_turnover_amount"),
            Row(_(questions["balance_sheet_total"]["text"]), _money(enterprise.get("balance_sheet_total")), "balance_sheet_total_amount"),
            Row(_(questions["founded_year"]["text"]), str(enterprise.get("founded_year") or _("Not given")), "founded_year"),
            Row(
                _(questions["annual_growth_pct"]["text"]), _("Not given") if growth is None else f"{_plain(growth)} %", "annual_growth_pct"
            ),
            Row(_(questions["independent"]["text"]), independent, "independent"),
            Row(
                _(questions["expansion_countries"]["text"]),
                ", ".join(country_name(c) for c in enterprise.get("expansion_countries", [])) or _("None"),
                "expansion_countries",
            ),
        ]
    if current.slug == GOALS:
        labels = {g["id"]: _(g["label"]) for g in bank.goals}
        capacity = data.get("cofunding_capacity_pct")
        return [
            Row(_("What do you want help with?"), "; ".join(labels[g] for g in data.get("goals", [])) or _("Not given"), "goals"),
            Row(
                _("How much of a project's cost you could pay"),
                _("Not given") if capacity is None else f"{_plain(capacity)} %",
                "cofunding_capacity_pct",
            ),
        ]
    assert current.dimension is not None
    if draft.path == "quick":
        item = next(q for q in bank.quick_check if q.dimension == current.dimension)
        level = data.get("levels", {}).get(current.dimension)
        return [Row(_(item.question), _(item.levels[level]) if level is not None else _("Not given"), "level")]
    rows = []
    answers = data.get("answers", {})
    for question in bank.questions_for(current.dimension):
        chosen = answers.get(question.id)
        picked = [chosen] if isinstance(chosen, str) else list(chosen or [])
        labels = [_(o.label) for o in question.options if o.id in picked]
        rows.append(Row(_(question.text), "; ".join(labels) or _("Not given"), question.id))
    return rows


def summary_rows(draft: Draft, bank: QuestionBank) -> list[tuple[Section, list[Row]]]:
    done = set(draft.data.get("done", []))
    return [(s, _section_rows(s, draft, bank)) for s in sections(draft.path, bank) if s.slug in done]

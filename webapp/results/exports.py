"""The match report as files: CSV, XLSX, JSON and a tagged PDF. Each renders only the Report from content.py.

Spreadsheet formula injection: every text cell of the CSV and XLSX goes through neutralise(), so a value such as
a business or programme name starting with "=" is shown as text and never run as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any
from urllib.parse import urlsplit

from flask import render_template
from flask_babel import gettext

from models.document_schema import Match
from webapp.charts import radar_geometry
from webapp.results.content import BEST_SHOWN, ReachGroup, Report, reach_groups
from webapp.spreadsheet import neutralise

FACTOR_IDS: tuple[str, ...] = ("gap_fit", "goal_fit", "stage_fit", "cost", "deadline", "needs_info")
FORMATS: dict[str, str] = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
PROGRAMME_COLUMNS: tuple[str, ...] = (
    "group",
    "reach",
    "rank",
    "programme_id",
    "name",
    "country",
    "eligibility",
    "score",
    *FACTOR_IDS,
    "criteria",
    "benefit",
    "benefit_terms",
    "source_url",
    "source_kind",
    "last_verified",
)
# Characters an XLSX (XML 1.0) cell cannot hold; tab, line feed and carriage return are allowed.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def report_filename(report: Report, ext: str) -> str:
    """e.g. tremplin-report-2026-11-25.csv: only a-z, 0-9, '-' and '.', whatever the input."""
    day = report.provenance.created_at.date().isoformat()
    safe_ext = re.sub(r"[^a-z0-9]", "", ext.lower()) or "bin"
    return re.sub(r"[^a-z0-9.-]", "-", f"tremplin-report-{day}.{safe_ext}")


def _timestamp(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds") + "Z"


def _provenance_rows(report: Report) -> list[tuple[str, str]]:
    p = report.provenance
    return [
        ("Report", report.title),
        ("Business", report.business_name),
        ("Country", report.firm_country),
        ("Size (EU definition)", report.firm_size),
        ("Generated at", _timestamp(p.generated_at)),
        ("Assessment created at", _timestamp(p.created_at)),
        ("Matched on", p.matched_on.isoformat()),
        ("Catalogue version", p.catalogue_version),
        ("Model version", p.model_version),
    ]


def _criteria_text(programme: Match) -> str:
    return " | ".join(f"{c.label}: {c.status} ({c.detail})" if c.detail else f"{c.label}: {c.status}" for c in programme.criteria)


def _programme_rows(report: Report) -> list[list[Any]]:
    """The programmes in their reach groups (your country, each country you expand to, anywhere), by rank."""
    return [_programme_row(group.heading, programme) for group in report.groups for programme in group.items]


def _programme_row(group: str, programme: Match) -> list[Any]:
    contributions = {f.id: f.contribution for f in programme.factors}
    return [
        group,
        programme.reach,
        programme.rank,
        programme.programme_id,
        programme.name,
        programme.country,
        programme.eligibility,
        programme.score,
        *(contributions.get(f, "") for f in FACTOR_IDS),
        _criteria_text(programme),
        programme.benefit.description,
        " | ".join(programme.benefit_terms),
        programme.source_url,
        programme.source_kind or "",
        programme.last_verified,
    ]


def to_csv(report: Report) -> str:
    """Provenance rows (label, value), a blank row, then the programme table with its header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for label, value in _provenance_rows(report):
        writer.writerow([neutralise(label), neutralise(value)])
    writer.writerow([])
    writer.writerow(PROGRAMME_COLUMNS)
    for row in _programme_rows(report):
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(_XML_ILLEGAL.sub("", value))
    return value


def to_xlsx(report: Report) -> bytes:
    """Three sheets: Programmes (as the CSV's table), Readiness and Provenance."""
    from openpyxl import Workbook

    book = Workbook()
    programmes = book.active
    programmes.title = "Programmes"
    programmes.append(list(PROGRAMME_COLUMNS))
    for row in _programme_rows(report):
        programmes.append([_cell(v) for v in row])

    readiness = book.create_sheet("Readiness")
    r = report.readiness
    readiness.append([_cell("Overall"), r.overall])
    readiness.append([_cell("Stage"), r.stage_level, _cell(r.stage_label), _cell(r.stage_meaning)])
    readiness.append([_cell("Weakest"), *(_cell(d.label) for d in r.weakest)])
    readiness.append([])
    readiness.append(["dimension", "label", "score"])
    for d in r.dimensions:
        readiness.append([_cell(d.id), _cell(d.label), d.score])

    provenance = book.create_sheet("Provenance")
    for label, value in _provenance_rows(report):
        provenance.append([_cell(label), _cell(value)])

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_json(report: Report) -> bytes:
    """The stored API document, plus a "provenance" object."""
    p = report.provenance
    document = {
        **report.stored,
        "provenance": {
            "generated_at": _timestamp(p.generated_at),
            "assessment_created_at": _timestamp(p.created_at),
            "matched_on": p.matched_on.isoformat(),
            "catalogue_version": p.catalogue_version,
            "model_version": p.model_version,
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def url_host(url: str) -> str:
    """The host of a source address (www.bpifrance.fr): what the report prints, linking to the whole address."""
    return urlsplit(url).hostname or url


def planned(report: Report) -> list[tuple[int, Match]]:
    """(step number, programme) for each step of the action plan, in its order: the programmes the report
    details. A result stored before there were plans details its BEST_SHOWN first matches by rank."""
    by_id = {p.programme_id: p for p in report.programmes}
    if not report.action_plan.steps:
        return [(p.rank, p) for p in report.programmes[:BEST_SHOWN]]
    return [(s.step, by_id[s.programme_id]) for s in report.action_plan.steps if s.programme_id in by_id]


def unplanned_groups(report: Report) -> list[ReachGroup]:
    """The matches the plan leaves out, in their reach groups, by rank."""
    in_plan = {p.programme_id for _, p in planned(report)}
    rest = [p for p in report.programmes if p.programme_id not in in_plan]
    return reach_groups(rest, report.firm_country, where=lambda p: (p.reach, p.country))


def to_html(report: Report) -> str:
    """The PDF's source: templates/results/report.html, self-contained (inline style, inline SVG chart)."""
    labels = {d.id: d.label for d in report.readiness.dimensions}
    scores = {d.id: d.score for d in report.readiness.dimensions}
    groups = unplanned_groups(report)
    return render_template(
        "results/report.html",
        report=report,
        geometry=radar_geometry(scores, labels),
        dimension_labels=labels,
        scores=scores,
        radar_title=gettext("Readiness in each of the seven areas"),
        programme_by_id={p.programme_id: p for p in report.programmes},
        planned=planned(report),
        unplanned_groups=groups,
        unplanned_count=sum(len(g.items) for g in groups),
        url_host=url_host,
    )


def to_pdf(report: Report) -> bytes:
    """A tagged PDF/UA-1 rendering of to_html(); needs an app context (templates and translations)."""
    from weasyprint import HTML

    html = HTML(string=to_html(report), base_url=None)
    return html.write_pdf(pdf_variant="pdf/ua-1")

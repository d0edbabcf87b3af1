"""Results of a firm's profile, reached through its private link: the latest, and each earlier one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request

from models.readiness import load_bank
from programmes.vocabulary import CATEGORIES
from webapp.assessment import drafts
from webapp.assessment.steps import SECTION_ASKING
from webapp.charts import radar_geometry
from webapp.db import Assessment

results = Blueprint("results", __name__)
OUTCOMES = ("eligible", "needs_info")
NEAR_MISSES_SHOWN = 10


def _filters() -> tuple[list[str], list[str]]:
    """Filters from the query string; anything unknown is ignored rather than trusted."""
    categories = [c for c in request.args.getlist("category") if c in CATEGORIES] or list(CATEGORIES)
    outcomes = [o for o in request.args.getlist("outcome") if o in OUTCOMES] or list(OUTCOMES)
    return categories, outcomes


def _grouped(matches: list[dict[str, Any]], categories: list[str], outcomes: list[str]) -> list[tuple[str, list[dict[str, Any]]]]:
    shown = [m for m in matches if m["category"] in categories and m["eligibility"] in outcomes]
    return [(c, [m for m in shown if m["category"] == c]) for c in CATEGORIES if any(m["category"] == c for m in shown)]


def _render(token: str, entries: list[Assessment], chosen: Assessment) -> str:
    document = chosen.result
    bank = load_bank()
    labels = {d.id: d.label for d in bank.dimensions}
    categories, outcomes = _filters()
    return render_template(
        "results/results.html",
        token=token,
        document=document,
        assessment=chosen,
        latest=entries[0],
        history=entries,
        bank=bank,
        dimension_labels=labels,
        geometry=radar_geometry(document["readiness"]["dimensions"], labels),
        groups=_grouped(document["matches"], categories, outcomes),
        all_categories=CATEGORIES,
        chosen_categories=categories,
        chosen_outcomes=outcomes,
        near_misses=document["not_eligible"][:NEAR_MISSES_SHOWN],
        section_asking=SECTION_ASKING,
    )


@results.get("/results/<token>")
def latest(token: str) -> str:
    draft = drafts.find_draft(token)
    entries = drafts.history(draft) if draft else []
    if not entries:
        abort(404)
    return _render(token, entries, entries[0])


@results.get("/results/<token>/<int:sequence>")
def earlier(token: str, sequence: int) -> str:
    draft = drafts.find_draft(token)
    entries = drafts.history(draft) if draft else []
    chosen = next((e for e in entries if e.sequence == sequence), None)
    if chosen is None:
        abort(404)
    return _render(token, entries, chosen)


# Downloads of one assessment's report: the latest, or an earlier one of the draft's history.


def _download(chosen: Assessment | None, fmt: str) -> Any:
    from flask import Response  # imported here so the lines above stay as they are

    from webapp.results import exports
    from webapp.results.content import report_content

    if chosen is None or fmt not in exports.FORMATS:
        abort(404)
    report = report_content(chosen)
    # The CSV starts with a byte order mark so that spreadsheets read its accents as UTF-8.
    renderers = {
        "pdf": exports.to_pdf,
        "csv": lambda r: exports.to_csv(r).encode("utf-8-sig"),
        "xlsx": exports.to_xlsx,
        "json": exports.to_json,
    }
    response = Response(renderers[fmt](report), content_type=exports.FORMATS[fmt])
    response.headers["Content-Disposition"] = f"attachment; filename={exports.report_filename(report, fmt)}"
    response.headers["Cache-Control"] = "no-store"
    return response


@results.get("/results/<token>/report.<fmt>")
def latest_report(token: str, fmt: str) -> Any:
    draft = drafts.find_draft(token)
    entries = drafts.history(draft) if draft else []
    return _download(entries[0] if entries else None, fmt)


@results.get("/results/<token>/<int:sequence>/report.<fmt>")
def earlier_report(token: str, sequence: int, fmt: str) -> Any:
    draft = drafts.find_draft(token)
    entries = drafts.history(draft) if draft else []
    return _download(next((e for e in entries if e.sequence == sequence), None), fmt)

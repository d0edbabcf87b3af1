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

"""Results of a firm's profile, reached through its private link: the latest, and each earlier one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from models.names import clean_name
from models.readiness import load_bank
from programmes.vocabulary import CATEGORIES
from webapp import drafts
from webapp.assessment.steps import SECTION_ASKING
from webapp.assessments import is_current
from webapp.charts import radar_geometry
from webapp.db import Assessment, db, write_transaction
from webapp.presentation import catalogue_changed_message
from webapp.results.content import ReachGroup, best_of, near_misses_of, plan_of, reach_groups
from webapp.results.downloads import report_download
from webapp.results.exports import FORMATS
from webapp.results.queries import draft_history_or_404, entry_or_404, shared_or_404

results = Blueprint("results", __name__)
OUTCOMES = ("eligible", "needs_info")
# The orders the list of other programmes can take; the first is the default (the ranker's).
SORTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "best": lambda m: m["rank"],
    "deadline": lambda m: (m.get("closes") is None, m.get("closes") or "", m["rank"]),
    "name": lambda m: (m["name"].casefold(), m["rank"]),
    "kind": lambda m: (CATEGORIES.index(m["category"]), m["rank"]),
}
SORT_LABELS = {"best": _l("Best match first"), "deadline": _l("Closing soonest first"), "name": _l("Name"), "kind": _l("Kind of help")}


@dataclass(frozen=True)
class ListChoice:
    """What the reader chose for the list of other programmes, from the query string; anything unknown is ignored
    rather than trusted."""

    categories: list[str]
    outcomes: list[str]
    sort: str

    @classmethod
    def from_request(cls) -> ListChoice:
        categories = [c for c in request.args.getlist("category") if c in CATEGORIES] or list(CATEGORIES)
        outcomes = [o for o in request.args.getlist("outcome") if o in OUTCOMES] or list(OUTCOMES)
        sort = request.args.get("sort", "best")
        return cls(categories, outcomes, sort if sort in SORTS else "best")

    @property
    def narrowed(self) -> bool:
        return len(self.categories) < len(CATEGORIES) or len(self.outcomes) < len(OUTCOMES) or self.sort != "best"

    def keeps(self, match: dict[str, Any]) -> bool:
        return match["category"] in self.categories and match["eligibility"] in self.outcomes


def _firm_country(assessment: Assessment) -> str:
    return str((assessment.request or {}).get("enterprise", {}).get("country") or "").upper()


def _best(document: dict[str, Any]) -> list[dict[str, Any]]:
    return best_of(plan_of(document), document["matches"], programme_id=itemgetter("programme_id"))


def _grouped(assessment: Assessment, choice: ListChoice, leave_out: list[dict[str, Any]] = ()) -> list[ReachGroup]:
    """The matches the choice keeps, less `leave_out`, in its order and in reach groups: the firm's own territory,
    each country it expands to, anywhere."""
    left_out = {m["programme_id"] for m in leave_out}
    kept = [m for m in assessment.result["matches"] if choice.keeps(m) and m["programme_id"] not in left_out]
    return reach_groups(sorted(kept, key=SORTS[choice.sort]), _firm_country(assessment))


def _render(token: str, entries: list[Assessment], chosen: Assessment) -> str:
    document = chosen.result
    bank = load_bank()
    labels = {d.id: d.label for d in bank.dimensions}
    choice = ListChoice.from_request()
    best = _best(document)
    groups = _grouped(chosen, choice, leave_out=best)
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
        best=best,
        plan=plan_of(document),
        matches_by_id={m["programme_id"]: m for m in document["matches"]},
        groups=groups,
        shown=sum(len(g.items) for g in groups),
        all_categories=CATEGORIES,
        chosen_categories=choice.categories,
        chosen_outcomes=choice.outcomes,
        chosen_sort=choice.sort,
        sort_labels=SORT_LABELS,
        filtered=choice.narrowed,
        near_misses=near_misses_of(document),
        section_asking=SECTION_ASKING,
        outdated=not is_current(chosen),
        firm_country=_firm_country(chosen),
    )


@results.get("/results/<token>")
def latest(token: str) -> str:
    _, entries = draft_history_or_404(token)
    return _render(token, entries, entries[0])


@results.get("/results/<token>/<int:sequence>")
def earlier(token: str, sequence: int) -> str:
    _, entries = draft_history_or_404(token)
    return _render(token, entries, entry_or_404(entries, sequence))


@results.post("/results/<token>/<int:sequence>/refresh")
def refresh(token: str, sequence: int) -> Response:
    """Match a result's answers again with today's catalogue: a new entry of the history (the old one is kept).

    Idempotent per catalogue version: refreshing twice, or after someone else did, shows the result already made."""
    if not FlaskForm().validate():
        abort(400)
    _, entries = draft_history_or_404(token)
    chosen = entry_or_404(entries, sequence)
    try:
        with write_transaction():
            submission = drafts.refresh(drafts.find_draft(token), db.session.merge(chosen))
        if submission.changed_since_last is not None:
            flash(catalogue_changed_message(submission.changed_since_last))
    except IntegrityError:
        pass  # a refresh that raced this one committed first: its result is the latest
    return redirect(url_for("results.latest", token=token))


# Downloads of one assessment's report: the latest, or an earlier one of the draft's history.


@results.get("/results/<token>/report.<fmt>")
def latest_report(token: str, fmt: str) -> Any:
    return earlier_report(token, None, fmt)


@results.get("/results/<token>/<int:sequence>/report.<fmt>")
def earlier_report(token: str, sequence: int | None, fmt: str) -> Any:
    _, entries = draft_history_or_404(token)
    chosen = entry_or_404(entries, sequence)
    if fmt not in FORMATS:
        abort(404)
    return report_download(chosen, fmt)


# Read-only share links for an adviser: made from the private results page, opened at /shared/<share token>.


def same_origin_referrer(response: Any) -> Any:
    # These pages carry a secret in their URL or body: keep it out of the Referer headers sent to the programme
    # pages they link to (webapp.security already keeps every /results/ and /shared/ page out of caches).
    # "same-origin", not "no-referrer": Flask-WTF checks the Referer of every form post over HTTPS, and the share
    # page posts its own forms.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _share_page(token: str, status: int = 200, form: Any = None, new_link: str | None = None) -> Any:
    from flask import make_response

    from webapp.results import sharing

    draft, entries = draft_history_or_404(token)
    chosen = entry_or_404(entries, request.args.get("sequence", type=int))
    html = render_template(
        "results/share.html",
        token=token,
        assessment=chosen,
        latest=entries[0],
        form=form or sharing.ShareForm(),
        revoke_form=sharing.RevokeForm(),
        new_link=new_link,
        links=sharing.links_of(draft),
        sequences={e.id: e.sequence for e in entries},
        public_id=sharing.public_id,
        is_live=sharing.is_live,
    )
    return same_origin_referrer(make_response(html, status))


@results.get("/results/<token>/share")
def share(token: str) -> Any:
    return _share_page(token)


@results.post("/results/<token>/share")
def create_share(token: str) -> Any:
    from flask import url_for

    from webapp.db import write_transaction
    from webapp.results import sharing

    form = sharing.ShareForm()
    if not form.validate():
        return _share_page(token, 400, form)
    sequence = request.args.get("sequence", type=int)
    with write_transaction():
        draft, entries = draft_history_or_404(token)
        share_token = sharing.create_link(draft, entry_or_404(entries, sequence), int(form.expiry.data), bool(form.include_name.data))
    new_link = url_for("results.shared", share_token=share_token, _external=True)
    return _share_page(token, 200, sharing.ShareForm(formdata=None), new_link)


@results.post("/results/<token>/share/<link_id>/revoke")
def revoke_share(token: str, link_id: str) -> Any:
    from flask import flash, redirect, url_for
    from flask_babel import gettext as _

    from webapp.db import write_transaction
    from webapp.results import sharing

    if not sharing.RevokeForm().validate():
        abort(400)
    with write_transaction():
        draft = drafts.find_draft(token)
        link = sharing.link_by_public_id(draft, link_id) if draft else None
        if link is None:
            abort(404)
        sharing.revoke(link)
    flash(_("The link has been revoked. It no longer opens your results."))
    return redirect(url_for("results.share", token=token, sequence=request.args.get("sequence", type=int)))


@results.get("/shared/<share_token>")
def shared(share_token: str) -> Any:
    from flask import make_response

    link, assessment = shared_or_404(share_token)
    document = assessment.result
    bank = load_bank()
    labels = {d.id: d.label for d in bank.dimensions}
    name = clean_name(str((assessment.request or {}).get("enterprise", {}).get("name") or "")) if link.include_business_name else ""
    best = _best(document)
    html = render_template(
        "results/shared.html",
        document=document,
        assessment=assessment,
        link=link,
        business_name=name,
        bank=bank,
        dimension_labels=labels,
        geometry=radar_geometry(document["readiness"]["dimensions"], labels),
        best=best,
        plan=plan_of(document),
        matches_by_id={m["programme_id"]: m for m in document["matches"]},
        groups=_grouped(assessment, ListChoice(list(CATEGORIES), list(OUTCOMES), "best"), leave_out=best),
        near_misses=near_misses_of(document),
    )
    response = same_origin_referrer(make_response(html))
    response.headers["X-Robots-Tag"] = "noindex"
    return response

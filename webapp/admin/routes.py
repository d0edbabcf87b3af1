"""/admin, the catalogue: curation, lifecycle, import and export, audit, reach and insights, results export.

Sign-in and staff accounts are in webapp.admin.accounts; the blueprint and its guards in webapp.admin.blueprint.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from sqlalchemy import select

from models.readiness import load_bank
from programmes.loader import FORMATS, dump, load_text
from programmes.schema import Programme
from programmes.vocabulary import CATEGORIES, PROGRAMME_STATUSES
from webapp.admin import analytics, audit, charts, curation, programme_documents, programme_forms, revisions
from webapp.admin.blueprint import admin, requires
from webapp.catalogue import published_programmes
from webapp.db import AuditEntry, ProgrammeRecord, db, write_transaction

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
REFUSED = revisions.StepRefusedError  # a step the rules do not allow (curation's or a revision's): said, not raised


class UploadForm(FlaskForm):
    file = FileField(
        _l("Catalogue file (YAML, JSON or CSV)"), validators=[FileRequired(message=_l("Choose a file"))], widget=GovFileInput()
    )


@admin.get("/")
@requires("viewer")
def dashboard() -> str:
    found = curation.records()
    counts = {state: sum(r.lifecycle == state for r in found) for state in curation.LIFECYCLES}
    stale = [r for r in found if curation.is_stale(r) and r.lifecycle != "archived"]
    return render_template(
        "admin/dashboard.html", counts=counts, stale=stale, total=len(found), waiting=revisions.waiting(), form=FlaskForm()
    )


@admin.get("/programmes")
@requires("viewer")
def programmes() -> str:
    args = request.args
    found = curation.records(
        search=args.get("q", "")[:100],
        country=args.get("country", "")[:2],
        category=args.get("category", "") if args.get("category") in CATEGORIES else "",
        lifecycle=args.get("lifecycle", "") if args.get("lifecycle") in curation.LIFECYCLES else "",
        stale_only=args.get("stale") == "1",
        status=args.get("status", "") if args.get("status") in PROGRAMME_STATUSES else "",
    )
    countries = sorted({r.document["country"] for r in curation.records()})
    return render_template(
        "admin/programmes.html",
        records=found,
        countries=countries,
        categories=CATEGORIES,
        lifecycles=curation.LIFECYCLES,
        statuses=PROGRAMME_STATUSES,
        args=args,
        is_stale=curation.is_stale,
    )


def _record_or_404(programme_id: str) -> ProgrammeRecord:
    record = db.session.get(ProgrammeRecord, programme_id)
    if record is None:
        abort(404)
    return record


@admin.get("/programmes/<programme_id>")
@requires("viewer")
def programme(programme_id: str) -> str:
    record = _record_or_404(programme_id)
    pending = record.revision_lifecycle is not None
    return render_template(
        "admin/programme.html",
        record=record,
        versions=curation.versions(programme_id),
        # While a revision waits, the programme cannot leave the catalogue (curation.transition says why).
        moves=() if pending else curation.TRANSITIONS[record.lifecycle],
        stale=curation.is_stale(record),
        form=FlaskForm(),
        changes=revisions.changes(record),
        seen=revisions.revision_digest(record),
        editable=revisions.editable_text(record),
        version_label=revisions.version_label,
    )


@admin.post("/programmes/<programme_id>/move")
@requires("curator")
def move(programme_id: str) -> Response:
    if not FlaskForm().validate():
        abort(400)
    to = request.form.get("to", "")
    try:
        with write_transaction():
            curation.transition(programme_id, to)
    except curation.CurationError as problem:
        flash(str(problem))
    return redirect(url_for("admin.programme", programme_id=programme_id))


def _revision_step(programme_id: str, step: Any, done: str) -> Response:
    """Run one step of a revision's review in a write transaction; a refused step is said on the programme page."""
    if not FlaskForm().validate():
        abort(400)
    _record_or_404(programme_id)
    try:
        with write_transaction():
            step(request.form.get("seen", ""))
    except REFUSED as problem:
        flash(str(problem))
    else:
        flash(done)
    return redirect(url_for("admin.programme", programme_id=programme_id))


@admin.post("/programmes/<programme_id>/revision/move")
@requires("curator")
def move_revision(programme_id: str) -> Response:
    to = request.form.get("to", "")
    done = _("The revision is in review.") if to == "in_review" else _("The revision is back in draft.")
    return _revision_step(programme_id, lambda seen: revisions.move_revision(programme_id, to, curation.actor(), seen), done)


@admin.post("/programmes/<programme_id>/revision/publish")
@requires("curator")
def publish_revision(programme_id: str) -> Response:
    done = _("The revision is published: SMEs now see it.")
    return _revision_step(programme_id, lambda seen: revisions.publish_revision(programme_id, curation.actor(), seen), done)


@admin.post("/programmes/<programme_id>/revision/publish-now")
@requires("admin")
def publish_revision_now(programme_id: str) -> Response:
    done = _("The revision is published now, without review: SMEs now see it.")
    return _revision_step(programme_id, lambda seen: revisions.publish_now(programme_id, seen), done)


@admin.post("/programmes/<programme_id>/revision/discard")
@requires("curator")
def discard_revision(programme_id: str) -> Response:
    done = _("The revision is discarded. Its text stays in the history.")
    return _revision_step(programme_id, lambda seen: revisions.discard_revision(programme_id, curation.actor(), seen), done)


def _text_to_preview(record: ProgrammeRecord) -> tuple[dict[str, Any], bool]:
    """The revision's text when the page asks for it (?text=revision) and one is waiting, else the published one."""
    if request.args.get("text") == "revision" and record.revision_document is not None:
        return record.revision_document, True
    return record.document, False


@admin.get("/programmes/<programme_id>/card")
@requires("viewer")
def card_preview(programme_id: str) -> str:
    """The programme's card as SMEs see it in their results, for its live text or its revision before it goes live."""
    record = _record_or_404(programme_id)
    document, of_revision = _text_to_preview(record)
    return render_template(
        "admin/card.html",
        record=record,
        of_revision=of_revision,
        preview=programme_documents.preview_match(Programme.model_validate(document)),
    )


@admin.post("/programmes/<programme_id>/verify")
@requires("curator")
def verify(programme_id: str) -> Response:
    if not FlaskForm().validate():
        abort(400)
    _record_or_404(programme_id)
    with write_transaction():
        curation.mark_verified(programme_id)
    flash(_("Marked as verified today."))
    return redirect(url_for("admin.programme", programme_id=programme_id))


@admin.post("/programmes/<programme_id>/restore/<int:number>")
@requires("curator")
def restore(programme_id: str, number: int) -> Response:
    if not FlaskForm().validate():
        abort(400)
    try:
        with write_transaction():
            curation.restore(programme_id, number)
        flash(_("Version %(number)d restored as a new version.", number=number))
    except curation.CurationError as problem:
        flash(str(problem))
    except ValueError:
        flash(_("That version is no longer a valid programme, so it cannot be restored."))
    return redirect(url_for("admin.programme", programme_id=programme_id))


@admin.route("/import", methods=["GET", "POST"])
@requires("curator")
def import_catalogue() -> Any:
    """Upload a catalogue file: a dry run reports what would change and every error; apply is all or nothing."""
    form = UploadForm()
    report, problems, status = None, [], 200
    if request.method == "POST" and form.validate():
        upload = form.file.data
        raw = upload.read(MAX_UPLOAD_BYTES + 1)
        name = (upload.filename or "upload")[:100]
        fmt = name.rsplit(".", 1)[-1].lower().replace("yml", "yaml")
        if len(raw) > MAX_UPLOAD_BYTES or fmt not in FORMATS:
            problems = [_("Upload a .yaml, .json or .csv file of at most 2 MB.")]
        else:
            try:
                programmes_found, found_problems = load_text(raw.decode("utf-8"), fmt, name)
            except UnicodeDecodeError:
                programmes_found, found_problems = [], []
                problems = [_("The file is not UTF-8 text.")]
            problems += [str(p) for p in found_problems]
            if not problems:
                # Nothing from a file goes live without review: new programmes become drafts, published ones get
                # a revision (webapp.admin.curation.import_for_review).
                apply = request.form.get("apply") == "1"
                report = curation.import_for_review(programmes_found, apply, current_user.email, name)
        status = 400 if problems else 200
    elif request.method == "POST":
        status = 400
    return render_template(
        "admin/import.html", form=form, report=report, problems=problems, applied=request.form.get("apply") == "1"
    ), status


@admin.get("/export.<fmt>")
@requires("curator")
def export(fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404)
    text = dump(published_programmes(), fmt)
    with write_transaction():
        audit.record("export", "catalogue", fmt)
    mimetype = {"yaml": "application/yaml", "json": "application/json", "csv": "text/csv"}[fmt]
    return Response(text, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename=tremplin-catalogue.{fmt}"})


@admin.get("/audit")
@requires("admin")
def audit_log() -> str:
    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(500)))
    return render_template("admin/audit.html", entries=entries)


@admin.get("/audit.csv")
@requires("admin")
def audit_export() -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "at_utc", "actor", "action", "object_type", "object_id", "diff", "ip"])
    for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        diff = "" if e.diff is None else json.dumps(e.diff, ensure_ascii=False)
        at = e.at.isoformat(timespec="seconds") + "Z"
        writer.writerow([e.id, at, e.actor_email or "", e.action, e.object_type or "", e.object_id or "", diff, e.ip or ""])
    with write_transaction():
        audit.record("export", "audit_log", None)
    return Response(out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=tremplin-audit.csv"})


@admin.get("/programmes/<programme_id>/reach")
@requires("viewer")
def reach(programme_id: str) -> str:
    """Whom this programme (draft or published), or its revision (?text=revision), would reach among the stored
    assessments, before publishing."""
    record = _record_or_404(programme_id)
    document, of_revision = _text_to_preview(record)
    preview = analytics.reach_preview(Programme.model_validate(document), analytics.stored_assessments(), dt.date.today())
    return render_template(
        "admin/reach.html",
        record=record,
        document=document,
        of_revision=of_revision,
        reach=preview,
        size_labels=analytics.SIZE_LABELS,
        min_cell=analytics.MIN_CELL,
    )


@admin.get("/insights")
@requires("viewer")
def insights() -> str:
    """Aggregates over stored assessments: demand, readiness, what is matched, where the catalogue is thin, fairness."""
    found = analytics.insights(analytics.stored_assessments(), published_programmes())
    return render_template(
        "admin/insights.html",
        insights=found,
        size_labels=analytics.SIZE_LABELS,
        min_cell=analytics.MIN_CELL,
        time_chart=charts.time_chart(found.over_time),
        matched_chart=charts.bar_chart(found.most_matched),
        dimension_labels={d.id: d.label for d in load_bank().dimensions},
    )


def _saved_message(record: ProgrammeRecord) -> str:
    if record.lifecycle != "published":
        return _("Saved.")
    if record.revision_document is None:
        return _("Nothing was saved: the text is the same as the published one.")
    return _("Saved as a revision in draft. SMEs keep seeing the published text until the revision is reviewed and published.")


def _editor(form: FlaskForm, title: str, action: str, cancel_url: str, creating: bool, revising: bool = False) -> Any:
    """Render, add a rule, preview or save the programme editor (all without JavaScript).

    `revising`: the programme is published, so what is saved here becomes its revision (the page says so)."""
    status = 200
    preview = None
    if request.method == "POST":
        if request.form.get("add_rule"):
            programme_forms.add_empty_rule(form)
        else:
            programme = programme_documents.validate_programme(form)
            if programme is None:
                status = 400
            elif request.form.get("preview"):
                preview = programme_documents.preview_match(programme)
            else:
                try:
                    with write_transaction():
                        record = curation.save(programme, creating=creating)
                        message = _saved_message(record)
                except REFUSED as problem:
                    form.id.errors = [str(problem)]
                    status = 400
                else:
                    flash(message)
                    return redirect(url_for("admin.programme", programme_id=programme.id))
    return render_template(
        "admin/programme_form.html",
        form=form,
        title=title,
        action=action,
        preview=preview,
        cancel_url=cancel_url,
        revising=revising,
    ), status


@admin.route("/programmes/new", methods=["GET", "POST"])
@requires("curator")
def new_programme() -> Any:
    form = programme_forms.ProgrammeForm()
    return _editor(form, _("New programme"), url_for("admin.new_programme"), url_for("admin.programmes"), creating=True)


@admin.route("/programmes/<programme_id>/edit", methods=["GET", "POST"])
@requires("curator")
def edit_programme(programme_id: str) -> Any:
    record = _record_or_404(programme_id)
    revising = record.lifecycle == "published"
    title = _("Edit the revision") if revising else _("Edit programme")
    if request.method == "GET":
        # A published programme's editor starts from its waiting revision, if any: the work in progress.
        form = programme_forms.ProgrammeForm(data=programme_documents.document_to_form_data(revisions.editable_text(record)))
    else:
        form = programme_forms.ProgrammeForm()
        if form.id.data != programme_id:
            form.id.errors = [_("The id of an existing programme cannot change; duplicate it instead")]
            return render_template(
                "admin/programme_form.html",
                form=form,
                title=title,
                action=request.path,
                preview=None,
                cancel_url=url_for("admin.programme", programme_id=programme_id),
                revising=revising,
            ), 400
    cancel = url_for("admin.programme", programme_id=programme_id)
    return _editor(form, title, request.path, cancel, creating=False, revising=revising)


@admin.get("/programmes/<programme_id>/duplicate")
@requires("curator")
def duplicate_programme(programme_id: str) -> Any:
    record = _record_or_404(programme_id)
    document = curation.duplicate_document(record, f"{programme_id}-copy"[:80])
    form = programme_forms.ProgrammeForm(data=programme_documents.document_to_form_data(document))
    return _editor(
        form, _("Duplicate programme"), url_for("admin.new_programme"), url_for("admin.programme", programme_id=programme_id), creating=True
    )


@admin.get("/results-export")
@requires("curator")
def results_export() -> Any:
    """Match results as CSV (streamed) or XLSX: one row per (assessment, matched programme); contact details only for
    firms with a live consent to follow-up, never the business name."""
    from flask import stream_with_context

    from webapp.admin import results_export as rx

    form = rx.make_form(request.args, dt.datetime.now(dt.UTC).date())
    if not request.args:
        return render_template("admin/results_export.html", form=form, columns=rx.COLUMNS)
    if not form.validate():
        return render_template("admin/results_export.html", form=form, columns=rx.COLUMNS), 400
    if request.args.get("download") != "1":
        return render_template("admin/results_export.html", form=form, columns=rx.COLUMNS)
    query = form.query()
    filters = {"country": query.country or None, "programme": query.programme or None, "format": query.fmt}
    headers = {"Content-Disposition": f"attachment; filename={rx.filename(query)}"}
    if query.fmt == "xlsx":
        content, rows = rx.to_xlsx(query)
        with write_transaction():
            audit.record("export", "results", f"{query.start}..{query.end}", {**filters, "rows": rows})
        return Response(content, mimetype=rx.FORMATS["xlsx"], headers=headers)
    with write_transaction():
        audit.record("export", "results", f"{query.start}..{query.end}", filters)
    return Response(stream_with_context(rx.csv_stream(query)), content_type=rx.FORMATS["csv"], headers=headers)

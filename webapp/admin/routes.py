"""/admin: sign-in with a second factor, then curation, lifecycle, audit and staff, each behind its role.

Every /admin URL but the sign-in steps needs a signed-in staff member (anonymous visitors are sent to sign in);
each view then names the least role it needs (403 for anyone below it). Every form carries a CSRF token.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

import segno
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovPasswordInput, GovRadioInput, GovTextInput
from sqlalchemy import select
from wtforms import PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from models.readiness import load_bank
from programmes.loader import FORMATS, dump, load_text
from programmes.schema import Programme
from programmes.vocabulary import CATEGORIES, PROGRAMME_STATUSES
from webapp.admin import analytics, audit, auth, charts, curation, programme_forms
from webapp.catalogue import ImportReport, import_programmes, published_programmes
from webapp.db import AuditEntry, ProgrammeRecord, StaffSession, StaffUser, db, utcnow, write_transaction

admin = Blueprint("admin", __name__, url_prefix="/admin")
PUBLIC_ENDPOINTS = {"admin.sign_in", "admin.enrol", "admin.sign_in_code"}
PENDING_KEY, PENDING_SECONDS = "staff_pending", 300
GENERIC_FAILURE = _l("The email address, password or code is not right")
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class SignInForm(FlaskForm):
    email = StringField(
        _l("Email address"), validators=[InputRequired(message=_l("Enter your email address")), Length(max=254)], widget=GovTextInput()
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(message=_l("Enter your password")), Length(max=200)], widget=GovPasswordInput()
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[InputRequired(message=_l("Enter the 6-digit code")), Length(max=10)],
        widget=GovTextInput(),
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"},
    )


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[InputRequired(message=_l("Enter a new password"))], widget=GovPasswordInput())
    confirm = PasswordField(
        _l("Type the new password again"),
        validators=[
            InputRequired(message=_l("Type the new password again")),
            EqualTo("password", message=_l("The two passwords are not the same")),
        ],
        widget=GovPasswordInput(),
    )


class StaffForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        validators=[
            InputRequired(message=_l("Enter an email address")),
            Length(max=254),
            Email(check_deliverability=False, message=_l("Enter a valid email address")),
        ],
        widget=GovTextInput(),
    )
    role = RadioField(
        _l("Role"),
        choices=[SelectChoice(r, r) for r in auth.ROLES],
        validators=[InputRequired(message=_l("Choose a role"))],
        widget=GovRadioInput(),
    )


class UploadForm(FlaskForm):
    file = FileField(
        _l("Catalogue file (YAML, JSON or CSV)"), validators=[FileRequired(message=_l("Choose a file"))], widget=GovFileInput()
    )


def requires(role: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.can(role):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_role = role  # type: ignore[attr-defined]
        return guarded

    return decorate


@admin.before_request
def _signed_in_only() -> Any:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("admin.sign_in"))
    if current_user.user.must_change_password and request.endpoint not in ("admin.password", "admin.sign_out"):
        return redirect(url_for("admin.password"))
    return None


@admin.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _pending_user() -> StaffUser | None:
    pending = session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    user = db.session.get(StaffUser, pending["user_id"])
    return user if user is not None and user.active else None


def _throttled(email: str) -> Response | None:
    wait = auth.retry_after(email, auth.client_ip())
    if wait is None:
        return None
    with write_transaction():
        audit.record("sign_in_throttled", "staff", None, actor_email=auth.normalise_email(email)[:254])
    response = Response(render_template("admin/throttled.html", minutes=max(1, wait // 60 + 1)), status=429)
    response.headers["Retry-After"] = str(wait)
    return response


def _fail(email: str) -> None:
    with write_transaction():
        auth.record_failure(email, auth.client_ip())
        audit.record("sign_in_failed", "staff", None, actor_email=auth.normalise_email(email)[:254])


@admin.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    form = SignInForm()
    if request.method == "POST":
        email = (request.form.get("email") or "")[:254]
        throttled = _throttled(email)
        if throttled:
            return throttled
        if form.validate():
            user = auth.find_user(form.email.data)
            if auth.check_password(user, form.password.data) and user is not None:
                session[PENDING_KEY] = {"user_id": user.id, "at": time.time()}
                return redirect(url_for("admin.sign_in_code" if user.totp_confirmed else "admin.enrol"))
            _fail(email)
            form.password.errors = [str(GENERIC_FAILURE)]
        return render_template("admin/sign_in.html", form=form), 400
    return render_template("admin/sign_in.html", form=form)


def _finish_sign_in(user: StaffUser) -> Response:
    session.clear()  # a new session at sign-in: nothing from before carries over
    token = auth.start_session(user)
    audit.record("sign_in", "staff", str(user.id), actor_email=user.email)
    login_user(auth.StaffPrincipal(user, token))
    return redirect(url_for("admin.password" if user.must_change_password else "admin.dashboard"))


@admin.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code() -> Any:
    user = _pending_user()
    if user is None or not user.totp_confirmed:
        return redirect(url_for("admin.sign_in"))
    form = CodeForm()
    if request.method == "POST":
        throttled = _throttled(user.email)
        if throttled:
            return throttled
        if form.validate():
            with write_transaction():
                user = db.session.get(StaffUser, user.id)
                if user is not None and user.totp_secret and auth.verify_totp(user, user.totp_secret, form.code.data):
                    return _finish_sign_in(user)
        _fail(user.email if user else "")
        form.code.errors = [str(GENERIC_FAILURE)]
        return render_template("admin/code.html", form=form), 400
    return render_template("admin/code.html", form=form)


@admin.route("/sign-in/enrol", methods=["GET", "POST"])
def enrol() -> Any:
    """First sign-in: set up the authenticator app (the QR code is drawn here, as inline SVG)."""
    user = _pending_user()
    if user is None or user.totp_confirmed:
        return redirect(url_for("admin.sign_in"))
    secret = session.get("staff_enrol_secret") or auth.new_totp_secret()
    session["staff_enrol_secret"] = secret
    form = CodeForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            with write_transaction():
                user = db.session.get(StaffUser, user.id)
                if user is not None and auth.verify_totp(user, secret, form.code.data):
                    user.totp_secret, user.totp_confirmed = secret, True
                    audit.record("totp_enrolled", "staff", str(user.id), actor_email=user.email)
                    return _finish_sign_in(user)
        _fail(user.email if user else "")
        form.code.errors = [str(GENERIC_FAILURE)]
        status = 400
    uri = auth.provisioning_uri(user, secret)
    qr = segno.make(uri, error="m").svg_inline(scale=5, title=_("QR code to add Tremplin to your authenticator app"), dark="#0b0c0c")
    return render_template("admin/enrol.html", form=form, qr=qr, secret=secret), status


@admin.route("/password", methods=["GET", "POST"])
def password() -> Any:
    form = PasswordForm()
    if request.method == "POST":
        problem = auth.staff_password_problem(form.password.data or "", current_user.email) if form.validate() else None
        if form.errors or problem:
            if problem:
                form.password.errors = [problem]
            return render_template("admin/password.html", form=form), 400
        with write_transaction():
            user = db.session.get(StaffUser, current_user.user.id)
            user.password_hash, user.must_change_password = auth.hash_password(form.password.data), False
            audit.record("password_changed", "staff", str(user.id))
        flash(_("Your password has been changed."))
        return redirect(url_for("admin.dashboard"))
    return render_template("admin/password.html", form=form)


@admin.post("/sign-out")
def sign_out() -> Response:
    with write_transaction():
        auth.revoke_session(current_user.session_token)
        audit.record("sign_out", "staff", str(current_user.user.id))
    logout_user()
    session.clear()
    return redirect(url_for("admin.sign_in"))


@admin.get("/")
@requires("viewer")
def dashboard() -> str:
    found = curation.records()
    counts = {state: sum(r.lifecycle == state for r in found) for state in curation.LIFECYCLES}
    stale = [r for r in found if curation.is_stale(r) and r.lifecycle != "archived"]
    return render_template("admin/dashboard.html", counts=counts, stale=stale, total=len(found), form=FlaskForm())


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
    return render_template(
        "admin/programme.html",
        record=record,
        versions=curation.versions(programme_id),
        moves=curation.TRANSITIONS[record.lifecycle],
        stale=curation.is_stale(record),
        form=FlaskForm(),
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
                apply = request.form.get("apply") == "1"

                def audit_import(done: ImportReport) -> None:
                    audit.record("import", "catalogue", name, {"created": done.created, "updated": done.updated, "applied": True})

                note = f"import of {name}"
                report = import_programmes(programmes_found, apply, current_user.email, note, on_apply=audit_import)
                if not apply:
                    with write_transaction():
                        audit.record("import_dry_run", "catalogue", name, {"created": report.created, "updated": report.updated})
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


@admin.route("/staff", methods=["GET", "POST"])
@requires("admin")
def staff() -> Any:
    form = StaffForm()
    created = None
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                with write_transaction():
                    user, one_time = auth.create_user(form.email.data, form.role.data)
                    audit.record("staff_create", "staff", str(user.id), {"email": user.email, "role": user.role})
                created = (user.email, one_time)
            except ValueError as problem:
                form.email.errors = [str(problem)]
                status = 400
        else:
            status = 400
    users = list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))
    return render_template("admin/staff.html", form=form, users=users, created=created), status


@admin.post("/staff/<int:user_id>/deactivate")
@requires("admin")
def deactivate(user_id: int) -> Response:
    if not FlaskForm().validate():
        abort(400)
    with write_transaction():
        user = db.session.get(StaffUser, user_id)
        if user is None:
            abort(404)
        if user.id == current_user.user.id:
            flash(_("You cannot deactivate your own account."))
        else:
            user.active = False
            for live in db.session.scalars(select(StaffSession).where(StaffSession.user_id == user.id, StaffSession.revoked_at.is_(None))):
                live.revoked_at = utcnow()
            audit.record("staff_deactivate", "staff", str(user.id), {"email": user.email})
    return redirect(url_for("admin.staff"))


@admin.get("/programmes/<programme_id>/reach")
@requires("viewer")
def reach(programme_id: str) -> str:
    """Whom this programme (draft or published) would reach among the stored assessments, before publishing."""
    record = _record_or_404(programme_id)
    preview = analytics.reach_preview(Programme.model_validate(record.document), analytics.stored_assessments(), dt.date.today())
    return render_template("admin/reach.html", record=record, reach=preview, size_labels=analytics.SIZE_LABELS, min_cell=analytics.MIN_CELL)


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


def _editor(form: FlaskForm, title: str, action: str, cancel_url: str, creating: bool) -> Any:
    """Render, add a rule, preview or save the programme editor (all without JavaScript)."""
    status = 200
    preview = None
    if request.method == "POST":
        if request.form.get("add_rule"):
            programme_forms.add_empty_rule(form)
        else:
            programme = programme_forms.validate_programme(form)
            if programme is None:
                status = 400
            elif request.form.get("preview"):
                preview = programme_forms.preview_match(programme)
            else:
                try:
                    with write_transaction():
                        curation.save(programme, creating=creating)
                except curation.CurationError as problem:
                    form.id.errors = [str(problem)]
                    status = 400
                else:
                    flash(_("Saved."))
                    return redirect(url_for("admin.programme", programme_id=programme.id))
    return render_template(
        "admin/programme_form.html", form=form, title=title, action=action, preview=preview, cancel_url=cancel_url
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
    if request.method == "GET":
        form = programme_forms.ProgrammeForm(data=programme_forms.document_to_form_data(record.document))
    else:
        form = programme_forms.ProgrammeForm()
        if form.id.data != programme_id:
            form.id.errors = [_("The id of an existing programme cannot change; duplicate it instead")]
            return render_template(
                "admin/programme_form.html",
                form=form,
                title=_("Edit programme"),
                action=request.path,
                preview=None,
                cancel_url=url_for("admin.programme", programme_id=programme_id),
            ), 400
    return _editor(form, _("Edit programme"), request.path, url_for("admin.programme", programme_id=programme_id), creating=False)


@admin.get("/programmes/<programme_id>/duplicate")
@requires("curator")
def duplicate_programme(programme_id: str) -> Any:
    record = _record_or_404(programme_id)
    document = curation.duplicate_document(record, f"{programme_id}-copy"[:80])
    form = programme_forms.ProgrammeForm(data=programme_forms.document_to_form_data(document))
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
    headers = {"Content-Disposition": f"attachment; filename={rx.filename(query)}", "Cache-Control": "no-store"}
    if query.fmt == "xlsx":
        content, rows = rx.to_xlsx(query)
        with write_transaction():
            audit.record("export", "results", f"{query.start}..{query.end}", {**filters, "rows": rows})
        return Response(content, mimetype=rx.FORMATS["xlsx"], headers=headers)
    with write_transaction():
        audit.record("export", "results", f"{query.start}..{query.end}", filters)
    return Response(stream_with_context(rx.csv_stream(query)), content_type=rx.FORMATS["csv"], headers=headers)

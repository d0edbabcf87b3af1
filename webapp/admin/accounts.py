"""/admin accounts: sign-in with a password and a second factor (TOTP), first-time enrolment, password change,
sign-out, and the staff list (create, deactivate). Failed attempts are throttled per account in the database and
audit-logged; the per-address limit is in webapp.limits.
"""

from __future__ import annotations

import time
from typing import Any

import segno
from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovTextInput
from sqlalchemy import select
from wtforms import PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from webapp.admin import audit, auth
from webapp.admin.blueprint import admin, requires
from webapp.db import StaffSession, StaffUser, db, utcnow, write_transaction

PENDING_KEY, PENDING_SECONDS = "staff_pending", 300
GENERIC_FAILURE = _l("The email address, password or code is not right")


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

"""Staff sign-in, second factor, throttling, sessions, and who may open which /admin page."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from sqlalchemy import func, select

from tests.webapp.admin_helpers import PASSWORD, make_staff, next_code, sign_in
from tests.webapp.test_pages import check_page
from webapp.admin.auth import digest
from webapp.db import AuditEntry, StaffSession, StaffUser, db, write_transaction


def audit_actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_there_is_no_default_account_and_the_cli_prints_a_one_time_password(app_context):
    assert db.session.scalar(select(func.count()).select_from(StaffUser)) == 0
    result = app_context.test_cli_runner().invoke(args=["users", "create", "Boss@Agency.example", "--role", "admin"])
    assert result.exit_code == 0
    password = re.search(r"shown once: (\S+)", result.output).group(1)
    user = db.session.scalar(select(StaffUser))
    assert user.email == "boss@agency.example" and user.must_change_password and not user.totp_confirmed
    assert user.password_hash.startswith("$argon2id$") and password not in user.password_hash
    again = app_context.test_cli_runner().invoke(args=["users", "create", "boss@agency.example", "--role", "admin"])
    assert again.exit_code == 1 and "already has an account" in again.output


def test_first_sign_in_enrols_a_second_factor_then_asks_for_a_new_password(app_context, client):
    result = app_context.test_cli_runner().invoke(args=["users", "create", "new@agency.example", "--role", "curator"])
    one_time = re.search(r"shown once: (\S+)", result.output).group(1)
    response = client.post("/admin/sign-in", data={"email": "new@agency.example", "password": one_time})
    assert response.headers["Location"].endswith("/admin/sign-in/enrol")
    page = client.get("/admin/sign-in/enrol").get_data(as_text=True)
    check_page(page)
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>")[0].replace("http://www.w3.org", "")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    response = client.post("/admin/sign-in/enrol", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"].endswith("/admin/password")
    assert client.get("/admin/").headers["Location"].endswith("/admin/password")  # nothing else until the password is changed
    weak = client.post("/admin/password", data={"password": "short", "confirm": "short"})
    assert weak.status_code == 400 and "at least 12 characters" in weak.get_data(as_text=True)
    response = client.post("/admin/password", data={"password": PASSWORD, "confirm": PASSWORD})
    assert response.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200
    assert {"totp_enrolled", "sign_in", "password_changed"} <= set(audit_actions())


def test_wrong_password_and_unknown_account_get_the_same_message(client, app_context):
    user = make_staff()
    wrong = client.post("/admin/sign-in", data={"email": user.email, "password": "nope-nope-nope"}).get_data(as_text=True)
    unknown = client.post("/admin/sign-in", data={"email": "who@nowhere.example", "password": "nope-nope-nope"}).get_data(as_text=True)
    message = "The email address, password or code is not right"
    assert message in wrong and message in unknown
    assert audit_actions().count("sign_in_failed") == 2


def test_a_wrong_or_replayed_code_is_refused(client, app_context):
    user = make_staff()
    client.post("/admin/sign-in", data={"email": user.email, "password": PASSWORD})
    assert client.post("/admin/sign-in/code", data={"code": "000000"}).status_code == 400
    code = next_code(user)
    assert client.post("/admin/sign-in/code", data={"code": code}).status_code == 302
    other = app_context.test_client()
    other.post("/admin/sign-in", data={"email": user.email, "password": PASSWORD})
    assert other.post("/admin/sign-in/code", data={"code": code}).status_code == 400  # the same code, used again


def test_ten_failures_in_15_minutes_throttle_the_account_with_retry_after(client, app_context):
    user = make_staff()
    for _ in range(10):
        assert client.post("/admin/sign-in", data={"email": user.email, "password": "wrong-password!"}).status_code == 400
    response = client.post("/admin/sign-in", data={"email": user.email, "password": PASSWORD})  # even the right one
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "sign_in_throttled" in audit_actions()


def test_ten_failures_from_one_address_throttle_it_whatever_the_account(client, app_context):
    make_staff()
    for n in range(10):
        client.post("/admin/sign-in", data={"email": f"guess{n}@agency.example", "password": "wrong-password!"})
    response = client.post("/admin/sign-in", data={"email": "admin@agency.example", "password": PASSWORD})
    assert response.status_code == 429 and "Retry-After" in response.headers


def test_old_failures_no_longer_count(client, app_context):
    from webapp.db import SignInAttempt

    user = make_staff()
    with write_transaction():
        for _ in range(10):
            db.session.add(SignInAttempt(email=user.email, ip="127.0.0.1", at=dt.datetime.utcnow() - dt.timedelta(minutes=16)))
    assert client.post("/admin/sign-in", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_sign_out_revokes_the_session_so_a_replayed_cookie_fails(client, app_context):
    user = make_staff()
    sign_in(client, user)
    cookie = client.get_cookie("session").value
    assert client.get("/admin/").status_code == 200
    client.post("/admin/sign-out")
    replay = app_context.test_client()
    replay.set_cookie("session", cookie)
    response = replay.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/sign-in")
    assert "sign_out" in audit_actions()


def test_each_sign_in_gets_a_new_session(client, app_context):
    user = make_staff()
    sign_in(client, user)
    first = client.get_cookie("session").value
    client.post("/admin/sign-out")
    sign_in(client, user)
    assert client.get_cookie("session").value != first
    assert db.session.scalar(select(func.count()).select_from(StaffSession)) == 2


@pytest.mark.parametrize(("field", "age"), [("last_seen_at", dt.timedelta(minutes=31)), ("created_at", dt.timedelta(hours=12, minutes=1))])
def test_idle_and_absolute_timeouts_end_the_session(client, app_context, field, age):
    user = make_staff()
    sign_in(client, user)
    with write_transaction():
        for session in db.session.scalars(select(StaffSession)):
            setattr(session, field, dt.datetime.utcnow() - age)
            session.last_seen_at = (
                min(session.last_seen_at, session.created_at + dt.timedelta(hours=12)) if field == "created_at" else session.last_seen_at
            )
    response = client.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/sign-in")


def admin_urls(app):
    """Every /admin rule with sample arguments filled in."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        samples = {"user_id": "2", "number": "1", "fmt": "csv"}
        args = {name: samples.get(name, "fr-osez-ia-diagnostic-data-ia") for name in rule.arguments}
        yield rule, rule.build(args)[1]


PUBLIC = {"admin.sign_in", "admin.enrol", "admin.sign_in_code"}


def test_no_admin_url_answers_200_to_an_anonymous_visitor(app_context, with_catalogue):
    client = app_context.test_client()
    for rule, url in admin_urls(app_context):
        if rule.endpoint in PUBLIC:
            continue
        for method in ("GET", "POST"):
            response = client.open(url, method=method)
            assert response.status_code != 200, (method, url)
            assert response.status_code in (302, 405), (method, url, response.status_code)


@pytest.mark.parametrize("role", ["viewer", "curator"])
def test_no_admin_url_answers_200_to_an_under_privileged_user(app_context, with_catalogue, role):
    from webapp.admin.auth import ROLES

    user = make_staff(role)
    client = app_context.test_client()
    sign_in(client, user)
    checked = 0
    for rule, url in admin_urls(app_context):
        view = app_context.view_functions[rule.endpoint]
        needed = getattr(view, "required_role", None)
        if needed is None or ROLES.index(needed) <= ROLES.index(role):
            continue
        for method in ("GET", "POST"):
            response = client.open(url, method=method)
            assert response.status_code in (403, 405), (role, method, url, response.status_code)
            checked += 1
    assert checked > 0


def test_every_admin_view_but_sign_in_declares_its_role(app_context):
    for rule, _url in admin_urls(app_context):
        if rule.endpoint in PUBLIC | {"admin.password", "admin.sign_out"}:
            continue
        assert getattr(app_context.view_functions[rule.endpoint], "required_role", None), rule.endpoint


def test_admin_forms_refuse_posts_without_a_csrf_token(tmp_path):
    from flask_migrate import upgrade

    from config import TestingConfig
    from webapp import create_app

    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'csrf.db'}", "WTF_CSRF_ENABLED": True})
    with app.app_context():
        upgrade()
        response = app.test_client().post("/admin/sign-in", data={"email": "a@b.example", "password": "x" * 12})
        assert response.status_code == 400
        db.engine.dispose()


def test_the_audit_log_is_append_only(app_context):
    from webapp.admin import audit

    with write_transaction():
        audit.record("test", actor_email="x@example.org")
    entry = db.session.scalar(select(AuditEntry))
    entry.action = "changed"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.delete(db.session.scalar(select(AuditEntry)))
        db.session.commit()
    db.session.rollback()


def test_staff_pages_render_cleanly_for_an_admin(client, app_context, with_catalogue):
    sign_in(client, make_staff())
    for url in (
        "/admin/",
        "/admin/programmes",
        "/admin/programmes/fr-osez-ia-diagnostic-data-ia",
        "/admin/import",
        "/admin/audit",
        "/admin/staff",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        check_page(response.get_data(as_text=True))
        assert response.headers["Cache-Control"] == "no-store"
    assert digest("x") != digest("y")

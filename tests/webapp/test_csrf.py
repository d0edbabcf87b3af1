"""CSRF, with the protection on (TestingConfig turns it off): a state-changing post without a valid token is refused
with 400 and changes nothing, a valid one works, and a journey page whose token has expired comes back with the
answers that were typed, never losing them."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from flask import Flask, session
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_wtf.csrf import validate_csrf
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select
from wtforms.validators import ValidationError

from config import TestingConfig
from tests.webapp.admin_helpers import PASSWORD, make_staff, next_code
from tests.webapp.journey_helpers import ABOUT, BUSINESS, GOALS, LEVELS
from tests.webapp.test_pages import check_page
from webapp import create_app, drafts
from webapp.catalogue import upsert_programmes
from webapp.db import Assessment, Draft, SignInAttempt, StaffUser, db, write_transaction

TIMED_OUT = "This page timed out for your security. Your answers are shown below: check them and select ‘Save and continue’."


@pytest.fixture(scope="module")
def csrf_app(tmp_path_factory: pytest.TempPathFactory, bundled: list) -> Iterator[Flask]:
    path = tmp_path_factory.mktemp("csrf") / "own.db"
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "WTF_CSRF_ENABLED": True})
    with app.app_context():
        upgrade()
        with write_transaction():
            upsert_programmes(bundled)
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def token_on(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on a page, as a browser would send it."""
    return form_token(client.get(path).get_data(as_text=True))


def form_token(html: str) -> str:
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def expired_token(client: FlaskClient, app: Flask, seconds_ago: int = 7200) -> str:
    """A token for this browser's session, signed as it was `seconds_ago` (past WTF_CSRF_TIME_LIMIT, 3600 s): what a
    page left open over lunch sends. Flask-WTF signs the session's raw token with a timestamp; this moves the clock."""
    with client.session_transaction() as session:
        raw = session["csrf_token"]

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds_ago

    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token", signer=Earlier).dumps(raw)


def start(client: FlaskClient) -> str:
    response = client.post("/start", data={"path": "quick", "csrf_token": token_on(client, "/")})
    assert response.status_code == 302
    return response.headers["Location"].split("/")[2]


def count(app: Flask, model) -> int:
    """Rows committed now, read in an application context of its own: no context stays pushed around requests, or
    the test client would reuse it, and Flask-WTF caches the token it makes on `g`, shared by every request then."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def draft_data(app: Flask, token: str) -> dict:
    with app.app_context():
        return drafts.find_draft(token).data


def test_an_expired_token_on_a_journey_page_shows_the_answers_typed_and_saves_nothing(csrf_app):
    client = csrf_app.test_client()
    token = start(client)
    about = {**ABOUT, "csrf_token": token_on(client, f"/p/{token}/about")}
    assert client.post(f"/p/{token}/about", data=about).status_code == 302
    before = draft_data(csrf_app, token)

    typed = {**BUSINESS, "founded_year": "2011", "annual_growth_pct": "17"}
    response = client.post(f"/p/{token}/business", data={**typed, "csrf_token": expired_token(client, csrf_app)})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    check_page(html)
    assert TIMED_OUT in html
    assert 'value="2011"' in html and 'value="17"' in html, "what was typed is on the page again"
    assert draft_data(csrf_app, token) == before, "nothing was saved"

    # The page carries a fresh token: sending the same answers again saves them.
    fresh = form_token(html)
    response = client.post(f"/p/{token}/business", data={**typed, "csrf_token": fresh})
    assert response.status_code == 302
    assert draft_data(csrf_app, token)["enterprise"]["founded_year"] == 2011


def test_a_lost_session_cookie_also_keeps_the_answers(csrf_app):
    client = csrf_app.test_client()
    token = start(client)
    page_token = token_on(client, f"/p/{token}/about")
    stranger = csrf_app.test_client()  # the browser was closed: no session cookie, so no CSRF secret
    response = stranger.post(f"/p/{token}/about", data={**ABOUT, "csrf_token": page_token})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert TIMED_OUT in html and 'value="Atelier Dupont"' in html
    assert "about" not in draft_data(csrf_app, token).get("done", [])


def test_returning_to_check_names_the_button_the_page_shows(csrf_app):
    client = csrf_app.test_client()
    token = start(client)
    response = client.post(f"/p/{token}/about?return=check", data={**ABOUT, "csrf_token": expired_token(client, csrf_app)})
    assert "select ‘Save and return to check your answers’" in response.get_data(as_text=True)


def test_a_journey_post_without_a_token_is_refused_and_changes_nothing(csrf_app):
    client = csrf_app.test_client()
    token = start(client)
    before = draft_data(csrf_app, token)
    response = client.post(f"/p/{token}/about", data=ABOUT)
    assert response.status_code == 400
    assert draft_data(csrf_app, token) == before


def test_starting_without_a_token_is_refused_and_creates_no_draft(csrf_app):
    client = csrf_app.test_client()
    client.get("/")
    drafts_before = count(csrf_app, Draft)
    response = client.post("/start", data={"path": "quick"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    check_page(html)
    assert "This page timed out" in html and "Go back, reload the page, and send the form again." in html
    assert count(csrf_app, Draft) == drafts_before


def _complete(client: FlaskClient, token: str) -> None:
    for slug, data in [("about", ABOUT), ("business", BUSINESS), *((d, {"level": v}) for d, v in LEVELS.items()), ("goals", GOALS)]:
        response = client.post(f"/p/{token}/{slug}", data={**data, "csrf_token": token_on(client, f"/p/{token}/{slug}")})
        assert response.status_code == 302, (slug, response.get_data(as_text=True)[:500])


def test_submit_needs_a_valid_token_of_this_session(csrf_app):
    client = csrf_app.test_client()
    token = start(client)
    _complete(client, token)
    assessments = count(csrf_app, Assessment)

    response = client.post(f"/p/{token}/submit")
    assert response.status_code == 400
    assert f'href="/p/{token}"' in response.get_data(as_text=True), "the page links back to the answers"
    other = csrf_app.test_client()
    response = client.post(f"/p/{token}/submit", data={"csrf_token": token_on(other, "/")})
    assert response.status_code == 400, "a token from another session"
    assert count(csrf_app, Assessment) == assessments

    response = client.post(f"/p/{token}/submit", data={"csrf_token": token_on(client, f"/p/{token}/check")})
    assert response.status_code == 302
    assert count(csrf_app, Assessment) == assessments + 1


def test_a_hand_edited_private_link_answers_404_even_without_a_token(csrf_app):
    client = csrf_app.test_client()
    token = start(client)
    edited = token[:-1] + ("A" if token[-1] != "A" else "B")
    for path in (f"/p/{edited}/about", f"/p/{edited}/submit", f"/p/{edited}/save", f"/results/{edited}/share"):
        assert client.post(path, data=ABOUT).status_code == 404, path


def test_staff_sign_in_needs_a_valid_token(csrf_app):
    with csrf_app.app_context():
        user = make_staff(email="csrf@agency.example")
        email, user_id = user.email, user.id
    client = csrf_app.test_client()
    attempts = count(csrf_app, SignInAttempt)
    response = client.post("/admin/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400
    assert count(csrf_app, SignInAttempt) == attempts
    with client.session_transaction() as session:
        assert "staff_pending" not in str(dict(session)), "no step of the sign-in happened"

    data = {"email": email, "password": PASSWORD, "csrf_token": token_on(client, "/admin/sign-in")}
    assert client.post("/admin/sign-in", data=data).status_code == 302
    with csrf_app.app_context():
        code = next_code(db.session.get(StaffUser, user_id))
    data = {"code": code, "csrf_token": token_on(client, "/admin/sign-in/code")}
    response = client.post("/admin/sign-in/code", data=data)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_token_made_two_hours_ago_fails_for_its_age_alone(csrf_app):
    """The crafted token is Flask-WTF's own, signed with the right key, for the right session: only its age is wrong."""
    client = csrf_app.test_client()
    client.get("/")
    with client.session_transaction() as stored:
        raw = stored["csrf_token"]
    old, recent = expired_token(client, csrf_app), expired_token(client, csrf_app, seconds_ago=60)
    with csrf_app.test_request_context():
        session["csrf_token"] = raw
        validate_csrf(recent)
        with pytest.raises(ValidationError, match="expired"):
            validate_csrf(old)

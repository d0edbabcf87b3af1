"""Form answers whose bytes are not UTF-8 (webapp/form_text.py): found field by field for every form, refused before
any view stores them, and never shown as the CSRF time-out page or a 500."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from flask import Blueprint, Flask
from flask_migrate import upgrade
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField

from config import TestingConfig
from tests.webapp.admin_helpers import make_staff
from tests.webapp.journey_helpers import ABOUT, complete, start
from tests.webapp.test_csrf import form_token, token_on
from tests.webapp.test_csrf import start as start_with_token
from tests.webapp.test_journey import draft_data
from tests.webapp.test_pages import check_page
from webapp import create_app
from webapp.db import FollowUpConsent, SignInAttempt, db
from webapp.form_text import UNREADABLE, _urlencoded_fields, mark_unreadable, shows_unreadable_per_field

REFUSED = "Sorry, we could not read your answers"  # the page of a view that leaves the check to the request
# What every page says, whether the view shows it on the field (mark_unreadable) or leaves it to the request.
CANNOT_READ = "contains characters we cannot read"
FORM = "application/x-www-form-urlencoded"


def encoded(fields: dict[str, str], **raw: bytes) -> bytes:
    """An url-encoded body: `fields` as a browser sends them, then `raw` values written byte for byte."""
    body = urlencode(fields).encode()
    return b"&".join([body, *(name.encode() + b"=" + value for name, value in raw.items())])


def multipart(fields: dict[str, bytes]) -> bytes:
    parts = [
        b'--b\r\nContent-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n' + value + b"\r\n" for name, value in fields.items()
    ]
    return b"".join(parts) + b"--b--\r\n"


@pytest.mark.parametrize(
    ("body", "fields", "unreadable"),
    [
        (b"a=1&b=Caf%C3%A9", [("a", "1"), ("b", "Café")], set()),
        (b"b=Caf\xc3\xa9", [("b", "Café")], set()),  # raw UTF-8 bytes are fine too
        (b"b=Caf\xe9", [("b", "Caf\ufffd")], {"b"}),  # a raw Latin-1 byte
        (b"b=Caf%E9&c=2", [("b", "Caf\ufffd"), ("c", "2")], {"b"}),  # the same byte, percent-escaped
        (b"b=%25E9", [("b", "%E9")], set()),  # what a person who typed "%E9" sends
        (b"b=%EF%BF%BD", [("b", "\ufffd")], set()),  # a real U+FFFD is a character like any other
        (b"n%FF=1", [("n\ufffd", "1")], {"n\ufffd"}),  # an unreadable name
        (b"a=one+two&&empty=&bare", [("a", "one two"), ("empty", ""), ("bare", "")], set()),
    ],
)
def test_url_encoded_fields_are_decoded_one_by_one(body, fields, unreadable):
    assert _urlencoded_fields(body) == (fields, unreadable)


@pytest.mark.parametrize(
    "body",
    [
        encoded({"country": "FR", "employees": "4"}, name=b"Caf\xe9"),
        encoded({"country": "FR", "employees": "4"}, name=b"Caf%E9"),
        encoded({"name": "Café", "country": "FR"}, employees=b"%FF4"),
    ],
)
def test_a_journey_answer_that_is_not_utf8_is_refused_and_nothing_is_saved(client, body):
    token = start(client)
    before = draft_data(token)
    response = client.post(f"/p/{token}/about", data=body, content_type=FORM)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    check_page(html)
    assert CANNOT_READ in html
    assert "timed out" not in html and "Traceback" not in html
    assert draft_data(token) == before


def test_a_multipart_post_is_checked_part_by_part(client):
    token = start(client)
    before = draft_data(token)
    body = multipart({"name": b"Caf\xe9", "country": b"FR"})
    response = client.post(f"/p/{token}/about", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 400 and CANNOT_READ in response.get_data(as_text=True)
    assert draft_data(token) == before
    readable = multipart({"name": "Café".encode(), "country": b"FR", "employees": b"4"})
    response = client.post(f"/p/{token}/about", data=readable, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 302
    assert draft_data(token)["enterprise"]["name"] == "Café"


def test_what_looks_like_an_escape_but_was_typed_is_kept(client):
    token = start(client)
    response = client.post(f"/p/{token}/about", data={**ABOUT, "name": "Caf%E9 \ufffd"})
    assert response.status_code == 302
    assert draft_data(token)["enterprise"]["name"] == "Caf%E9 \ufffd"


def test_a_post_only_address_has_no_way_back_to_itself(client):
    response = client.post("/start", data=encoded({}, path=b"qu\xe9ck"), content_type=FORM)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert REFUSED in html and 'href="/start"' not in html


def test_a_consent_with_an_unreadable_contact_name_stores_nothing(client, with_catalogue):
    token = complete(client)
    client.post(f"/p/{token}/submit")
    body = encoded({"consent": "y", "contact_email": "ada@example.com"}, contact_name=b"Ad\xe1")
    response = client.post(f"/results/{token}/contact", data=body, content_type=FORM)
    assert response.status_code == 400 and REFUSED in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FollowUpConsent)) == 0
    readable = {"consent": "y", "contact_email": "ada@example.com", "contact_name": "Adá"}
    assert client.post(f"/results/{token}/contact", data=readable).status_code == 303
    db.session.rollback()
    assert db.session.scalar(select(FollowUpConsent.contact_name)) == "Adá"


def failed_sign_ins() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(SignInAttempt))


def test_an_admin_form_is_refused_the_same_way(client):
    user = make_staff()
    response = client.post("/admin/sign-in", data=encoded({"email": user.email}, password=b"secr\xe9t"), content_type=FORM)
    assert response.status_code == 400 and REFUSED in response.get_data(as_text=True)
    assert failed_sign_ins() == 0, "the view never ran"
    client.post("/admin/sign-in", data={"email": user.email, "password": "secrét"})  # readable, and wrong
    assert failed_sign_ins() == 1


def test_the_api_answers_a_form_body_with_its_own_415(client):
    response = client.post("/api/v1/assessments", data=b"name=Caf\xe9", content_type=FORM)
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


@pytest.fixture(scope="module")
def csrf_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path_factory.mktemp('form_text') / 'own.db'}", "WTF_CSRF_ENABLED": True}
    )
    with app.app_context():
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_with_csrf_on_a_raw_unreadable_byte_no_longer_empties_the_form_into_the_time_out_page(csrf_app):
    client = csrf_app.test_client()
    token = start_with_token(client)
    page_token = token_on(client, f"/p/{token}/about")
    response = client.post(f"/p/{token}/about", data=encoded({**ABOUT, "csrf_token": page_token}, name=b"Caf\xe9"), content_type=FORM)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert CANNOT_READ in html and "timed out" not in html
    # The form on the page still works: the same answers, readable, are saved.
    fresh = form_token(client.get(f"/p/{token}/about").get_data(as_text=True))
    assert client.post(f"/p/{token}/about", data={**ABOUT, "csrf_token": fresh}).status_code == 302


def test_with_csrf_on_an_unreadable_token_is_an_unreadable_answer_too(csrf_app):
    client = csrf_app.test_client()
    token = start_with_token(client)
    response = client.post(f"/p/{token}/about", data=encoded(ABOUT, csrf_token=b"\xff\xfe"), content_type=FORM)
    assert response.status_code == 400
    assert CANNOT_READ in response.get_data(as_text=True)


class NameForm(FlaskForm):
    name = StringField("Name")
    town = StringField("Town")


@pytest.fixture(scope="module")
def per_field_app() -> Flask:
    """An app with two small views: one shows the message on the field itself, one leaves it to the request check."""
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    views = Blueprint("per_field_test", __name__)
    stored: list[dict] = []
    # These views answer in plain text, not with a page, so the page check every test response gets leaves them be.
    text = {"Content-Type": "text/plain; charset=utf-8"}

    @views.post("/per-field")
    @shows_unreadable_per_field
    def per_field() -> tuple[str, int, dict[str, str]]:
        form = NameForm()
        valid = form.validate()
        if mark_unreadable(form) or not valid:
            return repr(form.errors), 400, text
        stored.append(form.data)
        return "stored", 200, text

    @views.route("/plain", methods=["GET", "POST"])
    def plain() -> tuple[str, int, dict[str, str]]:
        stored.append(NameForm().data)
        return "stored", 200, text

    app.register_blueprint(views)
    app.config["stored"] = stored
    return app


def test_a_view_that_shows_it_per_field_gets_the_message_on_that_field(per_field_app):
    client = per_field_app.test_client()
    response = client.post("/per-field", data=encoded({"town": "Lyon"}, name=b"Caf\xe9"), content_type=FORM)
    assert response.status_code == 400
    assert response.get_data(as_text=True) == repr({"name": [str(UNREADABLE)]})
    assert client.post("/per-field", data={"name": "Café", "town": "Lyon"}).get_data(as_text=True) == "stored"
    assert per_field_app.config["stored"] == [{"name": "Café", "town": "Lyon"}]


def test_a_view_that_does_not_is_never_reached_and_the_page_leads_back(per_field_app):
    client = per_field_app.test_client()
    before = list(per_field_app.config["stored"])
    response = client.post("/plain?return=check", data=encoded({}, town=b"L\xffon"), content_type=FORM)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    check_page(html)
    assert REFUSED in html and CANNOT_READ in html
    assert 'href="/plain?return=check"' in html, "the way back to the page, as it was asked for"
    assert per_field_app.config["stored"] == before


def test_an_unreadable_csrf_token_is_refused_for_the_page_even_where_fields_show_it(per_field_app):
    # The token is no answer a person typed: there is no field to show it on, and CSRF would call it a time-out.
    response = per_field_app.test_client().post("/per-field", data=encoded({"name": "Café"}, csrf_token=b"\xff"), content_type=FORM)
    assert response.status_code == 400 and REFUSED in response.get_data(as_text=True)


def test_on_a_journey_page_the_message_is_on_the_answer_itself_and_the_rest_is_kept(client):
    token = start(client)
    body = encoded({"country": "FR", "employees": "4"}, name=b"Caf\xe9")
    html = client.post(f"/p/{token}/about", data=body, content_type=FORM).get_data(as_text=True)
    error = re.search(r'<p id="name-error" class="govuk-error-message">(.*?)</p>', html, re.S)
    assert error and CANNOT_READ in error.group(1)
    assert 'value="4"' in html  # the readable answers come back as typed

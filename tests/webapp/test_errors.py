"""Error pages and API error bodies: the right GOV.UK page or contract body for each status, never a trace, SQL,
a path or an exception's text; an incident id in the log (and on the page) for 500 and 503."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator

import pytest
from flask import Flask, abort
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import TooManyRequests

from config import TestingConfig
from tests.webapp.test_pages import check_page
from webapp import create_app
from webapp.db import db

SECRET = "s3cr3t-detail"
# What must never reach a reader: the exception's text, its type, a trace, SQL, a file path.
LEAKS = (SECRET, "Traceback", "RuntimeError", "OperationalError", "SELECT", 'File "', "/work/", ".py")


def _raise_runtime():
    raise RuntimeError(f"{SECRET} in /work/main/webapp/secret.py")


def _raise_database():
    # The exception SQLAlchemy raises when SQLite refuses a write, with the statement in its text.
    raise OperationalError(f"SELECT {SECRET} FROM drafts", {}, sqlite3.OperationalError("attempt to write a readonly database"))


def _raise_limit():
    raise TooManyRequests(retry_after=90)


@pytest.fixture(scope="module")
def own_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app of its own with test-only routes that fail in each way, under / and under /api/v1/."""
    path = tmp_path_factory.mktemp("errors") / "own.db"
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    failures = {
        "boom": _raise_runtime,
        "database": _raise_database,
        "limited": _raise_limit,
        "unsupported": lambda: abort(415),
        "unprocessable": lambda: abort(422),
    }
    for name, view in failures.items():
        app.add_url_rule(f"/test-only/{name}", endpoint=f"page_{name}", view_func=view, methods=["GET", "POST"])
        app.add_url_rule(f"/api/v1/test-only/{name}", endpoint=f"api_{name}", view_func=view, methods=["GET", "POST"])
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def tremplin_log(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> pytest.LogCaptureFixture:
    """The app's error log as records. Alembic's fileConfig (migrations/env.py) disables loggers that exist when a
    migration runs in-process, as the fixtures do; a deployment migrates in a separate process, so re-enable it."""
    monkeypatch.setattr(logging.getLogger("tremplin"), "disabled", False)
    caplog.set_level(logging.ERROR, logger="tremplin")
    return caplog


def _heading(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()


def _assert_no_leak(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, leak


HTML_CASES = [
    # (method, path, data, status, heading)
    ("post", "/start", {"path": "nowhere"}, 400, "Sorry, we could not read what was sent"),
    ("get", "/no/such/page", None, 404, "Page not found"),
    ("delete", "/", None, 405, "Sorry, this page cannot do that"),
    ("post", "/start", {"path": "quick", "padding": "x" * 70_000}, 413, "What you sent is too large"),
    ("get", "/test-only/unsupported", None, 415, "Sorry, we could not read what was sent"),
    ("get", "/test-only/unprocessable", None, 422, "Sorry, we could not read what was sent"),
    ("get", "/test-only/limited", None, 429, "Sorry, there have been too many attempts"),
    ("get", "/test-only/boom", None, 500, "Sorry, there is a problem with the service"),
    ("get", "/test-only/database", None, 503, "Sorry, the service is unavailable"),
]


@pytest.mark.parametrize(("method", "path", "data", "status", "heading"), HTML_CASES, ids=[str(c[3]) for c in HTML_CASES])
def test_each_error_has_its_page(own_app, method, path, data, status, heading):
    response = getattr(own_app.test_client(), method)(path, data=data)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    check_page(html)
    assert _heading(html) == heading
    assert f"<title>{heading} – Tremplin</title>" in html
    _assert_no_leak(html)


def test_405_and_429_keep_the_headers_the_client_needs(own_app):
    client = own_app.test_client()
    assert set(client.delete("/").headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    limited = client.get("/test-only/limited")
    assert limited.headers["Retry-After"] == "90"
    assert "Wait 2 minutes, then try again." in limited.get_data(as_text=True)


def test_500_page_says_what_happened_to_the_answers_and_logs_the_trace_under_an_incident_id(own_app, tremplin_log):
    response = own_app.test_client().post("/test-only/boom")
    html = response.get_data(as_text=True)
    assert "Try again later." in html
    assert "Answers you saved on earlier pages are kept." in html
    assert "The answers on the page you just sent may not have been saved." in html
    incident = re.search(r"quote incident ([0-9a-f]{12})", html).group(1)
    record = next(r for r in tremplin_log.records if incident in r.getMessage())
    assert record.exc_info and record.exc_info[0] is RuntimeError, "the trace is in the log, not on the page"


def test_503_page_says_saved_answers_are_safe_and_what_to_do(own_app, tremplin_log):
    response = own_app.test_client().post("/test-only/database")
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Answers you have already saved are safe." in html
    assert "Try again in a few minutes." in html
    assert "Keep your private link" in html
    incident = re.search(r"quote incident ([0-9a-f]{12})", html).group(1)
    assert any(incident in r.getMessage() and "database unavailable" in r.getMessage() for r in tremplin_log.records)


API_CASES = [
    # (method, path, keyword arguments, status, code)
    ("post", "/api/v1/assessments", {"data": "{not json", "content_type": "application/json"}, 400, "malformed_json"),
    ("get", "/api/v1/nothing-here", {}, 404, "not_found"),
    ("delete", "/api/v1/assessments", {}, 405, "method_not_allowed"),
    ("post", "/api/v1/assessments", {"data": "x" * 70_000, "content_type": "application/json"}, 413, "payload_too_large"),
    ("post", "/api/v1/assessments", {"data": "{}", "content_type": "text/plain"}, 415, "unsupported_media_type"),
    ("post", "/api/v1/assessments", {"json": {"enterprise": {}}}, 422, "invalid_fields"),
    ("get", "/api/v1/test-only/unprocessable", {}, 422, "invalid_fields"),
    ("get", "/api/v1/test-only/limited", {}, 429, "too_many_requests"),
    ("get", "/api/v1/test-only/boom", {}, 500, "internal_error"),
    ("get", "/api/v1/test-only/database", {}, 503, "unavailable"),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "code"), API_CASES, ids=[f"{c[3]}-{c[4]}" for c in API_CASES])
def test_each_api_error_has_the_contract_body(own_app, method, path, kwargs, status, code):
    response = getattr(own_app.test_client(), method)(path, **kwargs)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) <= {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    _assert_no_leak(response.get_data(as_text=True))
    if status in (429, 503):
        assert int(response.headers["Retry-After"]) > 0
    if status == 405:
        assert "GET" not in response.headers["Allow"] and "POST" in response.headers["Allow"]
    if status in (500, 503):
        assert re.search(r"Incident [0-9a-f]{12}\.", body["error"]["message"])

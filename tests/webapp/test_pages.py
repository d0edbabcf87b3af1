"""Server-rendered pages. Every page a test fetches gets the quality check of tests/page_quality.py automatically
(tests/conftest.py); the tests at the end check that check."""

from __future__ import annotations

import re

import pytest
from flask import Response

from config import TestingConfig
from tests.page_quality import PageFacts, check_page
from webapp import create_app

__all__ = ["PageFacts", "check_page"]  # imported from here by the tests written before the check was automatic


def test_start_page_describes_the_service_and_the_catalogue(client, with_catalogue):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "102 programmes are in the catalogue" in html
    assert "Strategy" in html


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and "Traceback" not in html


def test_an_unexpected_error_shows_no_trace(app_context, monkeypatch):
    import webapp.pages

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail /etc/passwd")

    monkeypatch.setattr(webapp.pages, "published_programmes", explode)
    app_context.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = app_context.test_client().get("/")
    finally:
        app_context.config["PROPAGATE_EXCEPTIONS"] = None
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internal detail" not in html and "Traceback" not in html
    assert "incident" in html


def test_start_page_offers_both_paths_with_their_length_and_the_privacy_summary(client, with_catalogue):
    html = client.get("/").get_data(as_text=True)
    assert "About 5 minutes" in html and "About 20 minutes" in html
    assert html.count('action="/start"') == 2
    assert 'href="/privacy"' in html and "do not keep your email address" in html


GOOD_PAGE = '<!doctype html><html lang="en"><head><title>T</title></head><body><h1 id="a">T</h1>{}</body></html>'


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<h1>again</h1>", "exactly one h1"),
        ('<p id="a">same id</p>', "ids are unique"),
        ('<script src="https://cdn.example/x.js"></script>', "another host"),
        ("<p>Give %(email)s this password</p>", "untranslated placeholder"),
        ('<img src="/x.png" alt="Chart of %(period)s">', "untranslated placeholder"),
    ],
)
def test_the_check_refuses_a_page_with_a_fault(body, problem):
    check_page(GOOD_PAGE.format(""))
    with pytest.raises(AssertionError, match=problem):
        check_page(GOOD_PAGE.format(body))


def test_the_check_wants_the_responses_nonce_on_every_script():
    check_page(GOOD_PAGE.format('<script nonce="n1" src="/static/app.js"></script>'), nonce="n1")
    with pytest.raises(AssertionError, match="CSP nonce"):
        check_page(GOOD_PAGE.format('<script nonce="n1"></script><script src="/static/app.js"></script>'), nonce="n1")


def test_every_page_a_test_client_fetches_is_checked_without_asking():
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    two_h1 = GOOD_PAGE.format("<h1>again</h1>")
    app.add_url_rule("/test-only/page", "page", lambda: two_h1)
    app.add_url_rule("/test-only/json", "json", lambda: {"html": two_h1})
    app.add_url_rule("/test-only/download", "download", lambda: Response(two_h1, headers={"Content-Disposition": "attachment"}))
    app.add_url_rule("/test-only/missing", "missing", lambda: Response(two_h1, status=404))
    client = app.test_client()
    with pytest.raises(AssertionError, match=re.escape("page quality of GET /test-only/page (200): a page has exactly one h1")):
        client.get("/test-only/page")
    with pytest.raises(AssertionError, match="exactly one h1"):
        client.get("/test-only/missing")
    assert client.get("/test-only/json").status_code == 200  # not a page
    assert client.get("/test-only/download").status_code == 200  # a download, not a page

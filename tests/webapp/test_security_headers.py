"""Security headers on every kind of response, the CSP nonce on every script, and the session cookie's flags."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.exceptions import TooManyRequests

from config import ProductionConfig, TestingConfig
from tests.webapp.journey_helpers import complete
from tests.webapp.test_api import SPEC_EXAMPLE
from tests.webapp.test_pages import check_page
from webapp import create_app
from webapp.db import db

REQUIRED_CSP = (
    "default-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
)
NONCE = re.compile(r"script-src 'self' 'nonce-([A-Za-z0-9_-]{16,})'")


def assert_security_headers(response, *, private: bool, label: str = "") -> str:
    """Every header every response must carry; returns the CSP nonce."""
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    for directive in REQUIRED_CSP:
        assert directive in csp, (label, directive, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, label
    nonce = NONCE.search(csp)
    assert nonce, (label, csp)
    assert headers.get("X-Content-Type-Options") == "nosniff", label
    assert headers.get("Referrer-Policy") in ("strict-origin-when-cross-origin", "same-origin"), label
    assert headers.get("X-Frame-Options") == "DENY", label
    assert "Strict-Transport-Security" not in headers, f"{label}: HSTS only over HTTPS"
    assert "Access-Control-Allow-Origin" not in headers, label
    assert "Server" not in headers, f"{label}: the app adds no Server header (docs/security.md)"
    if private:
        assert headers.get("Cache-Control") == "no-store", label
    return nonce.group(1)


def assert_scripts_carry_the_nonce(html: str, nonce: str) -> None:
    """Every <script> has this response's nonce, and no inline style or handler is there for CSP to refuse."""
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the GOV.UK template's js-enabled script and app.js"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag
    assert not re.search(r"\sstyle\s*=", html), "a style attribute would be refused by style-src 'self'"
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+\s*=", html), "an inline event handler would be refused"


def test_every_kind_of_response_carries_the_headers(client, with_catalogue):
    token = complete(client)
    assert client.post(f"/p/{token}/submit").status_code == 302
    api_created = client.post("/api/v1/assessments", json=SPEC_EXAMPLE)
    assert api_created.status_code == 201
    pages = {
        "start page": (client.get("/"), False),
        "journey step": (client.get(f"/p/{token}/about"), True),
        "check answers": (client.get(f"/p/{token}/check"), True),
        "results": (client.get(f"/results/{token}"), True),
        "404 page": (client.get("/no/such/page"), False),
        "404 on a private link": (client.get("/p/not-a-token/about"), True),
    }
    others = {
        "report.csv download": (client.get(f"/results/{token}/report.csv"), True),
        "API 201": (api_created, True),
        "API 404": (client.get("/api/v1/assessments/nothing-here"), True),
        "API 422": (client.post("/api/v1/assessments", json={"enterprise": {}}), True),
        "405": (client.delete("/"), False),
        "static css": (client.get("/static/app.css"), False),
    }
    assert pages["404 page"][0].status_code == 404 and others["405"][0].status_code == 405
    assert others["API 422"][0].status_code == 422 and others["API 404"][0].status_code == 404
    assert others["report.csv download"][0].headers["Content-Type"].startswith("text/csv")
    for name, (response, private) in {**pages, **others}.items():
        assert_security_headers(response, private=private, label=name)
    for name, (response, private) in pages.items():
        html = response.get_data(as_text=True)
        check_page(html)
        assert_scripts_carry_the_nonce(html, assert_security_headers(response, private=private, label=name))


def test_each_response_gets_a_new_nonce(client, with_catalogue):
    first, second = client.get("/"), client.get("/")
    assert assert_security_headers(first, private=False) != assert_security_headers(second, private=False)


def test_public_pages_and_static_files_may_be_cached(client, with_catalogue):
    for path in ("/", "/privacy", "/static/app.css"):
        assert "no-store" not in client.get(path).headers.get("Cache-Control", ""), path


def test_staff_pages_are_never_stored(client, app_context):
    from tests.webapp.admin_helpers import make_staff, sign_in

    sign_in(client, make_staff())
    for path in ("/admin/", "/admin/programmes", "/admin/sign-in"):
        response = client.get(path)
        assert response.status_code in (200, 302), path
        assert_security_headers(response, private=True)


@pytest.fixture(scope="module")
def own_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app of its own with routes that fail on purpose, a real rate limit (1 start a minute) and one proxy trusted."""
    path = tmp_path_factory.mktemp("headers") / "own.db"
    app = create_app(
        TestingConfig,
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATE_LIMITS": {"start": "1 per minute"},
            "TRUSTED_PROXIES": 1,
        },
    )

    def boom():
        raise RuntimeError("internal detail that must not be shown")

    def too_many():
        raise TooManyRequests(retry_after=120)

    app.add_url_rule("/test-only/boom", view_func=boom)
    app.add_url_rule("/api/v1/test-only/boom", endpoint="api_boom", view_func=boom)
    app.add_url_rule("/test-only/too-many", view_func=too_many)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_error_responses_carry_the_headers_too(own_app):
    client = own_app.test_client()
    page, api = client.get("/test-only/boom"), client.get("/api/v1/test-only/boom")
    assert page.status_code == api.status_code == 500
    assert_security_headers(page, private=True)  # an error page is never cached
    assert_security_headers(api, private=True)
    assert_scripts_carry_the_nonce(page.get_data(as_text=True), assert_security_headers(page, private=True))
    limited = client.get("/test-only/too-many")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "120"
    assert_security_headers(limited, private=False)


def test_a_real_rate_limit_429_keeps_retry_after_and_the_headers(own_app):
    client = own_app.test_client()
    assert client.post("/start", data={"path": "quick"}).status_code == 302
    limited = client.post("/start", data={"path": "quick"})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert_security_headers(limited, private=True)
    html = limited.get_data(as_text=True)
    check_page(html)
    assert "too many attempts" in html


def test_hsts_only_over_https(own_app):
    client = own_app.test_client()
    assert "Strict-Transport-Security" not in client.get("/privacy").headers
    secure = client.get("/privacy", base_url="https://tremplin.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # Behind the one trusted proxy, its X-Forwarded-Proto says the reader's connection was HTTPS.
    proxied = client.get("/privacy", headers={"X-Forwarded-Proto": "https"})
    assert proxied.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_forwarded_headers_are_ignored_when_no_proxy_is_trusted(client, app_context):
    assert app_context.config["TRUSTED_PROXIES"] == 0
    response = client.get("/privacy", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def _production_app(monkeypatch, tmp_path, **environment: str) -> Flask:
    monkeypatch.setenv("TREMPLIN_SECRET_KEY", "p" * 64)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    app = create_app(
        ProductionConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}", "RATELIMIT_STORAGE_URI": "memory://"}
    )
    with app.app_context():
        upgrade()
    return app


def test_production_session_cookie_is_host_only_secure_httponly_and_lax(monkeypatch, tmp_path):
    app = _production_app(monkeypatch, tmp_path)
    assert app.config["DEBUG"] is False
    response = app.test_client().get("/", base_url="https://tremplin.example")
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    name, _, rest = cookie.partition("=")
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in rest.split(";")[1:]}
    assert name == "__Host-tremplin-session"
    assert {"secure", "httponly", "path", "samesite"} <= set(attributes)
    assert attributes["path"] == "Path=/" and attributes["samesite"] == "SameSite=Lax"
    assert "domain" not in attributes, "a __Host- cookie has no Domain"
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]


def test_production_over_plain_http_drops_the_host_prefix_with_secure(monkeypatch, tmp_path):
    app = _production_app(monkeypatch, tmp_path, TREMPLIN_SESSION_COOKIE_SECURE="false")
    cookie = app.test_client().get("/").headers["Set-Cookie"]
    assert cookie.startswith("tremplin-session=")
    assert "Secure" not in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_development_and_testing_keep_a_plain_cookie_name(client, app_context):
    cookie = client.get("/").headers["Set-Cookie"]
    assert cookie.startswith("session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie

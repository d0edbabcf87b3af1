"""Rate limits: N requests pass, the next gets 429 with Retry-After, in one process and across gunicorn workers.

The suite's own app runs with limits off (TestingConfig); these tests build apps with them on and small numbers,
so a limit is reached in a handful of requests. Across processes, gunicorn runs with four workers against the real
Redis and against the SQLite-file store, and exactly N requests must succeed, not 4×N.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import math
import multiprocessing
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import redis
from aiosmtpd.controller import Controller
from flask import Flask
from flask_migrate import upgrade
from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from config import BaseConfig, ProductionConfig, TestingConfig
from tests.conftest import ROOT
from tests.webapp.admin_helpers import make_staff, sign_in
from tests.webapp.journey_helpers import complete
from tests.webapp.rate_limit_worker import hammer
from tests.webapp.test_pages import check_page
from tests.webapp.test_save_and_mail import Inbox, free_port
from webapp import create_app
from webapp.db import db
from webapp.limits_storage import SQLiteFileStorage

REDIS_URL = "redis://127.0.0.1:6379/0"
API_BODY = {
    "enterprise": {"country": "FR"},
    "levels": {"strategy": 1, "skills": 0, "data": 2, "cloud": 3, "compute": 0, "funding": 1, "governance": 0},
    "goals": [],
}
SMALL = {
    "start": "3 per minute",
    "api_create": "3 per minute",
    "email": "4 per hour",
    "email_recipient": "2 per hour",
    "report": "3 per minute",
    "report_pdf": "1 per minute",
    "share": "3 per minute",
    "privacy": "2 per minute",
    "sign_in": "3 per minute",
    "admin_export": "2 per minute",
}


@pytest.fixture
def make_limited_app(app_context: Flask, database_url: str) -> Iterator:
    """Apps on the suite's (migrated, emptied) database with limits on, counted in memory unless told otherwise."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        limits = {**SMALL, **overrides.pop("RATE_LIMITS", {})}
        config = {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_KEY_PREFIX": f"test-{secrets.token_hex(6)}",
            "RATE_LIMITS": limits,
            **overrides,
        }
        limited = create_app(TestingConfig, config)
        made.append(limited)
        return limited

    yield make
    for limited in made:
        with limited.app_context():
            db.engine.dispose()


def assert_too_many_html(response) -> None:
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    check_page(html)
    assert "Sorry, there have been too many attempts" in html
    minutes = math.ceil(int(response.headers["Retry-After"]) / 60)
    assert f"Wait {minutes} minute" in html  # the page says how long, from the limit that was reached


def assert_too_many_json(response) -> None:
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    body = response.get_json()
    assert body["error"]["code"] == "too_many_requests"
    assert body["error"]["message"]


# In one process: each limited endpoint class, HTML and API.


def test_api_assessment_creation_allows_n_then_429_json(make_limited_app):
    client = make_limited_app().test_client()
    for _ in range(3):
        assert client.post("/api/v1/assessments", json=API_BODY).status_code == 201
    assert_too_many_json(client.post("/api/v1/assessments", json=API_BODY))


def test_starting_a_draft_allows_n_then_429_page(make_limited_app):
    client = make_limited_app().test_client()
    for _ in range(3):
        assert client.post("/start", data={"path": "quick"}).status_code == 302
    assert_too_many_html(client.post("/start", data={"path": "quick"}))


def test_a_forged_forwarded_for_does_not_reset_the_bucket(make_limited_app):
    client = make_limited_app().test_client()
    for n in range(3):
        forged = {"X-Forwarded-For": f"203.0.113.{n}", "X-Real-IP": f"198.51.100.{n}", "Forwarded": f"for=192.0.2.{n}"}
        assert client.post("/api/v1/assessments", json=API_BODY, headers=forged).status_code == 201
    assert_too_many_json(client.post("/api/v1/assessments", json=API_BODY, headers={"X-Forwarded-For": "203.0.113.99"}))


def test_behind_a_trusted_proxy_only_the_address_it_saw_counts(make_limited_app):
    # TRUSTED_PROXIES=1 (ProxyFix, webapp.security): the proxy appends the peer it saw; what the client wrote before
    # that is still ignored.
    client = make_limited_app(TRUSTED_PROXIES=1).test_client()
    for n in range(3):
        forged_then_real = {"X-Forwarded-For": f"203.0.113.{n}, 192.0.2.50"}
        assert client.post("/api/v1/assessments", json=API_BODY, headers=forged_then_real).status_code == 201
    assert_too_many_json(client.post("/api/v1/assessments", json=API_BODY, headers={"X-Forwarded-For": "198.51.100.1, 192.0.2.50"}))
    assert client.post("/api/v1/assessments", json=API_BODY, headers={"X-Forwarded-For": "192.0.2.51"}).status_code == 201


def test_each_endpoint_and_each_address_has_its_own_bucket(make_limited_app):
    client = make_limited_app().test_client()
    for _ in range(3):
        client.post("/api/v1/assessments", json=API_BODY)
    assert client.post("/api/v1/assessments", json=API_BODY).status_code == 429
    assert client.post("/start", data={"path": "quick"}).status_code == 302
    assert client.get("/results/no-such-token/report.csv").status_code == 404
    other = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.post("/api/v1/assessments", json=API_BODY, environ_base=other).status_code == 201


def test_pages_that_change_nothing_are_not_limited(make_limited_app):
    client = make_limited_app().test_client()
    for _ in range(6):
        assert client.get("/").status_code == 200
        assert client.get("/api/v1/questionnaire").status_code == 200
        assert client.get("/admin/sign-in").status_code == 200


def test_report_downloads_share_one_bucket_and_pdf_has_a_smaller_one(make_limited_app):
    # Unknown tokens answer 404 but still count: guessing tokens is one of the things the limit slows down.
    client = make_limited_app().test_client()
    assert client.get("/results/no-such-token/report.pdf").status_code == 404
    assert_too_many_html(client.get("/results/no-such-token/1/report.pdf"))
    # Every download, refused or not, counts against the shared 3 per minute: two PDFs so far, so one more.
    assert client.get("/results/no-such-token/2/report.xlsx").status_code == 404
    assert_too_many_html(client.get("/results/no-such-token/report.json"))


def test_a_real_report_downloads_under_the_limit(make_limited_app):
    client = make_limited_app().test_client()
    token = complete(client)
    assert client.post(f"/p/{token}/submit").status_code == 302
    download = client.get(f"/results/{token}/report.csv")
    assert download.status_code == 200
    assert download.headers["X-RateLimit-Limit"] == "3"
    assert download.headers["X-RateLimit-Remaining"] == "2"


def test_api_report_downloads_count_in_the_same_bucket_as_the_results_pages(make_limited_app):
    client = make_limited_app().test_client()
    assert client.get("/results/no-such-token/report.csv").status_code == 404
    assert client.get("/api/v1/assessments/no-such-id/report.csv").status_code == 404
    assert client.get("/results/no-such-token/my-data.json").status_code == 404
    assert_too_many_json(client.get("/api/v1/assessments/no-such-id/report.json"))


def test_consent_withdrawal_and_deletion_share_one_limit(make_limited_app):
    client = make_limited_app().test_client()
    assert client.post("/results/no-such-token/contact", data={}).status_code in (400, 404)
    assert client.post("/results/no-such-token/delete", data={}).status_code in (400, 404)
    assert_too_many_html(client.post("/results/no-such-token/contact/withdraw", data={}))
    assert client.get("/results/no-such-token/contact").status_code == 404  # viewing is not limited


def test_share_link_creation_allows_n_then_429(make_limited_app):
    client = make_limited_app().test_client()
    for _ in range(3):
        assert client.post("/results/no-such-token/share", data={"expiry": "7"}).status_code in (400, 404)
    assert_too_many_html(client.post("/results/no-such-token/share", data={"expiry": "7"}))
    assert client.get("/results/no-such-token/share").status_code == 404  # viewing is not limited


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def test_emailing_the_link_is_limited_per_recipient_and_per_address(make_limited_app, smtp_inbox):
    inbox, port = smtp_inbox
    limited = make_limited_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    client = limited.test_client()
    token = client.post("/start", data={"path": "quick"}).headers["Location"].split("/")[2]
    save = f"/p/{token}/save"
    assert client.get(save).status_code == 200
    for _ in range(2):
        assert client.post(save, data={"email": "owner@atelier-dupont.example"}).status_code == 200
    # The third message to the same person is refused, whoever asks and however the address is written.
    assert_too_many_html(client.post(save, data={"email": " Owner@Atelier-Dupont.example "}))
    assert_too_many_html(client.post(save, data={"email": "owner@atelier-dupont.example"}, environ_base={"REMOTE_ADDR": "192.0.2.8"}))
    # Another recipient from the first address: allowed until the address's own limit (4 per hour) is used up.
    assert client.post(save, data={"email": "someone@else.example"}).status_code == 200
    assert_too_many_html(client.post(save, data={"email": "third@else.example"}))
    assert len(inbox.messages) == 3
    assert client.get(save).status_code == 200  # the page itself stays available


def test_without_a_mail_server_the_save_page_is_not_limited(make_limited_app):
    client = make_limited_app().test_client()
    token = client.post("/start", data={"path": "quick"}).headers["Location"].split("/")[2]
    for _ in range(6):
        assert client.post(f"/p/{token}/save", data={"email": "owner@atelier-dupont.example"}).status_code == 200


def test_staff_sign_in_is_limited_per_address_across_accounts_and_steps(make_limited_app):
    client = make_limited_app().test_client()
    for n in range(3):
        forged = {"X-Forwarded-For": f"203.0.113.{n}"}
        response = client.post("/admin/sign-in", data={"email": f"user{n}@agency.example", "password": "wrong password"}, headers=forged)
        assert response.status_code == 400
    assert_too_many_html(client.post("/admin/sign-in", data={"email": "other@agency.example", "password": "x"}))
    # The code step shares the bucket: a pending session gains nothing by skipping ahead.
    assert client.post("/admin/sign-in/code", data={"code": "123456"}).status_code == 429
    assert client.get("/admin/sign-in").status_code == 200
    other = client.post(
        "/admin/sign-in", data={"email": "user0@agency.example", "password": "x"}, environ_base={"REMOTE_ADDR": "192.0.2.9"}
    )
    assert other.status_code == 400


def test_staff_exports_are_limited_per_staff_member(make_limited_app):
    limited = make_limited_app(RATE_LIMITS={"sign_in": "10 per minute"})
    curator, colleague = make_staff("curator", "curator@agency.example"), make_staff("curator", "colleague@agency.example")
    first, second = limited.test_client(), limited.test_client()
    sign_in(first, curator)
    sign_in(second, colleague)
    today = dt.datetime.now(dt.UTC).date()
    query = f"/admin/results-export?from={today - dt.timedelta(days=7)}&to={today}&format=csv"
    assert first.get(query).status_code == 200  # the form, not a download: not counted
    for _ in range(2):
        assert first.get(query + "&download=1").status_code == 200
    assert_too_many_html(first.get(query + "&download=1"))
    assert first.get("/admin/export.json").status_code == 429  # one bucket for every staff export
    assert second.get(query + "&download=1").status_code == 200  # same address, another account


def test_a_limited_view_keeps_its_required_role(make_limited_app):
    limited = make_limited_app()
    assert limited.view_functions["admin.results_export"].required_role == "curator"


def test_unreachable_storage_falls_back_to_counting_in_memory(make_limited_app):
    client = make_limited_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0").test_client()
    for _ in range(3):
        assert client.post("/api/v1/assessments", json=API_BODY).status_code == 201
    assert_too_many_json(client.post("/api/v1/assessments", json=API_BODY))


def test_an_unknown_limit_name_is_refused(make_limited_app):
    with pytest.raises(RuntimeError, match="unknown entries"):
        make_limited_app(RATE_LIMITS={"sign-in": "1 per minute"})


# Configuration.


def test_configuration_defaults():
    assert TestingConfig.RATELIMIT_ENABLED is False
    assert BaseConfig.RATELIMIT_ENABLED is True
    assert BaseConfig.RATELIMIT_STORAGE_URI is None
    assert ProductionConfig.RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/0"
    assert BaseConfig.RATELIMIT_HEADERS_ENABLED is True


def test_without_a_configured_store_the_limits_use_a_file_in_the_instance_folder(make_limited_app):
    limited = make_limited_app(RATELIMIT_STORAGE_URI=None)
    expected = Path(limited.instance_path) / "ratelimits.sqlite"
    assert limited.config["RATELIMIT_STORAGE_URI"] == f"sqlite-file://{expected}"
    assert isinstance(limited.extensions["tremplin_limiter"].storage, SQLiteFileStorage)
    client = limited.test_client()
    try:
        for _ in range(3):
            assert client.post("/api/v1/assessments", json=API_BODY).status_code == 201
        assert_too_many_json(client.post("/api/v1/assessments", json=API_BODY))
    finally:
        _forget_sqlite_keys(expected, limited.config["RATELIMIT_KEY_PREFIX"])


def test_production_uses_redis_and_the_environment_can_turn_limits_off(monkeypatch, database_url):
    monkeypatch.setenv("TREMPLIN_SECRET_KEY", secrets.token_hex(32))
    production = create_app(ProductionConfig, {"SQLALCHEMY_DATABASE_URI": database_url})
    assert production.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert type(production.extensions["tremplin_limiter"].storage).__name__ == "RedisStorage"
    monkeypatch.setenv("TREMPLIN_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/3")
    assert (
        create_app(ProductionConfig, {"SQLALCHEMY_DATABASE_URI": database_url}).config["RATELIMIT_STORAGE_URI"]
        == "redis://127.0.0.1:6379/3"
    )
    monkeypatch.setenv("TREMPLIN_RATELIMIT_ENABLED", "false")
    unlimited = create_app(ProductionConfig, {"SQLALCHEMY_DATABASE_URI": database_url})
    assert "tremplin_limiter" not in unlimited.extensions
    for app_ in (production, unlimited):
        with app_.app_context():
            db.engine.dispose()


# The SQLite-file storage on its own.


def test_sqlite_storage_counts_like_the_limits_strategies(tmp_path):
    storage = storage_from_string(f"sqlite-file://{tmp_path / 'limits.sqlite'}")
    assert isinstance(storage, SQLiteFileStorage)
    assert storage.check()
    three = RateLimitItemPerMinute(3)
    for strategy in (FixedWindowRateLimiter(storage), MovingWindowRateLimiter(storage)):
        key = type(strategy).__name__
        assert [strategy.hit(three, key) for _ in range(4)] == [True, True, True, False]
        assert not strategy.test(three, key)
        reset_at, remaining = strategy.get_window_stats(three, key)
        assert remaining == 0
        assert time.time() < reset_at <= time.time() + 60
        strategy.clear(three, key)
        assert strategy.test(three, key)
        assert strategy.hit(three, "another", key)
    assert storage.reset() > 0
    assert storage.get("anything") == 0


def test_sqlite_storage_forgets_expired_counts(tmp_path):
    storage = SQLiteFileStorage(f"sqlite-file://{tmp_path / 'limits.sqlite'}")
    assert storage.incr("k", expiry=1) == 1
    assert storage.acquire_entry("m", limit=1, expiry=1)
    assert not storage.acquire_entry("m", limit=1, expiry=1)
    with sqlite3.connect(tmp_path / "limits.sqlite") as connection:  # age the rows instead of sleeping
        connection.execute("UPDATE counters SET expires_at = expires_at - 2")
        connection.execute("UPDATE entries SET at = at - 2, expires_at = expires_at - 2")
    assert storage.get("k") == 0
    assert storage.incr("k", expiry=60) == 1
    assert storage.acquire_entry("m", limit=1, expiry=1)


def test_sqlite_storage_needs_an_absolute_path():
    from limits.errors import ConfigurationError

    for uri in ("sqlite-file://", "sqlite-file://relative/limits.sqlite"):
        with pytest.raises(ConfigurationError):
            SQLiteFileStorage(uri)


def test_sqlite_storage_holds_across_processes(tmp_path):
    uri = f"sqlite-file://{tmp_path / 'limits.sqlite'}"
    SQLiteFileStorage(uri)  # create the file once, before the race
    context = multiprocessing.get_context("spawn")
    workers, hits = 4, 25
    barrier, results = context.Barrier(workers), context.Queue()
    processes = [context.Process(target=hammer, args=(uri, barrier, results, hits)) for _ in range(workers)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert sum(accepted for accepted, _ in outcomes) == 30  # of 100 attempts, exactly the limit got through
    assert max(last for _, last in outcomes) == workers * hits  # no increment lost
    assert SQLiteFileStorage(uri).get("counter") == workers * hits


# Across gunicorn workers.


def _forget_sqlite_keys(path: Path, prefix: str) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM counters WHERE key LIKE ?", (f"%{prefix}%",))
        connection.execute("DELETE FROM entries WHERE key LIKE ?", (f"%{prefix}%",))


def _migrated_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tremplin.db'}"
    migrated = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url})
    with migrated.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _post_assessment(port: int, forged_for: str) -> tuple[int, str | None, str]:
    # A fresh connection each time, so gunicorn hands the requests to whichever worker accepts first.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Content-Type": "application/json", "Connection": "close", "X-Forwarded-For": forged_for}
        connection.request("POST", "/api/v1/assessments", body=json.dumps(API_BODY), headers=headers)
        response = connection.getresponse()
        body = response.read().decode()
        return response.status, response.getheader("Retry-After"), body
    finally:
        connection.close()


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"gunicorn did not start:\n{log.read_text()[-3000:]}")


def _gunicorn_allows(tmp_path: Path, limit: int, extra_env: dict[str, str], attempts: int) -> list[tuple[int, str | None, str]]:
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TREMPLIN_")},
        "TREMPLIN_SECRET_KEY": secrets.token_hex(32),
        "TREMPLIN_SESSION_COOKIE_SECURE": "false",
        "DATABASE_URL": _migrated_database(tmp_path),
        "TREMPLIN_RATE_LIMITS": json.dumps({"api_create": f"{limit} per minute"}),
        **extra_env,
    }
    command = [str(Path(sys.executable).parent / "gunicorn"), "-w", "4", "-b", f"127.0.0.1:{port}", "webapp:create_app()"]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process, log)
        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(lambda n: _post_assessment(port, f"203.0.113.{n}"), range(attempts)))
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def _assert_exactly(outcomes: list[tuple[int, str | None, str]], limit: int) -> None:
    statuses = sorted(status for status, _, _ in outcomes)
    assert statuses.count(201) == limit, statuses
    assert statuses.count(429) == len(outcomes) - limit, statuses
    for status, retry_after, body in outcomes:
        if status == 429:
            assert retry_after is not None and int(retry_after) > 0
            assert json.loads(body)["error"]["code"] == "too_many_requests"


def test_four_gunicorn_workers_share_one_limit_in_redis(tmp_path):
    prefix = f"rltest-{secrets.token_hex(6)}"
    env = {
        "TREMPLIN_ENV": "production",
        "TREMPLIN_RATELIMIT_STORAGE_URI": REDIS_URL,
        "TREMPLIN_RATELIMIT_KEY_PREFIX": prefix,
    }
    store = redis.Redis.from_url(REDIS_URL)
    try:
        _assert_exactly(_gunicorn_allows(tmp_path, 5, env, attempts=16), 5)
        assert list(store.scan_iter(match=f"*{prefix}*"))  # the counts really were in Redis
    finally:
        for key in store.scan_iter(match=f"*{prefix}*"):
            store.delete(key)


def test_four_gunicorn_workers_share_one_limit_without_redis(tmp_path):
    # Development settings with no store configured: the SQLite file in the instance folder, as `make run` has it.
    prefix = f"rltest-{secrets.token_hex(6)}"
    env = {"TREMPLIN_ENV": "development", "TREMPLIN_RATELIMIT_KEY_PREFIX": prefix}
    path = ROOT / "instance" / "ratelimits.sqlite"
    try:
        _assert_exactly(_gunicorn_allows(tmp_path, 5, env, attempts=16), 5)
        with sqlite3.connect(path) as connection:
            (count,) = connection.execute("SELECT count(*) FROM entries WHERE key LIKE ?", (f"%{prefix}%",)).fetchone()
        assert count == 5
    finally:
        if path.exists():
            _forget_sqlite_keys(path, prefix)

"""Browser tests: the real app behind a real HTTP server on 127.0.0.1, driven by Debian's Chromium through Playwright.

Playwright cannot download its own browser here, so `browser_type_launch_args` points it at /usr/bin/chromium
(installed by `make browser-deps`). Run one file with: .venv/bin/pytest tests/browser -q
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, Request
from sqlalchemy import text
from werkzeug.serving import make_server

from config import TestingConfig
from programmes.loader import load_catalogue
from tests.factories import TODAY
from webapp import create_app
from webapp.catalogue import upsert_programmes
from webapp.db import Base, db, write_transaction

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",  # no update checks, no safe-browsing lists: nothing leaves the machine
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",  # /dev/shm is small in containers
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Pages from the `page` fixture ignore the Content-Security-Policy, only so that tests/browser/axe.py can inject
    axe-core as an inline script (the app's CSP refuses any script without the response's nonce). The pages
    themselves are checked under the real policy, with no refusal allowed, in tests/browser/test_csp.py."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(scope="session")
def browser(browser: Browser) -> Browser:
    """The same for contexts a test opens itself (a second reader, a fresh browser), which axe checks too; a test
    that wants the real policy asks for it with bypass_csp=False (tests/browser/test_csp.py)."""
    open_context = browser.new_context

    def new_context(**options: Any) -> BrowserContext:
        return open_context(**{"bypass_csp": True, **options})

    browser.new_context = new_context  # type: ignore[method-assign]
    return browser


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app behind the live server, with the bundled catalogue published (tests may add staff or programmes).

    The database is always a SQLite file of its own, even in the PostgreSQL run of CI (TEST_DATABASE_URL set): the
    session-scoped `app` fixture in tests/conftest.py drops and rebuilds the tables of TEST_DATABASE_URL, and its
    per-test fixtures empty them, which would pull the data from under this server. The PostgreSQL paths are covered
    by the other tests.
    """
    database_url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'tremplin.db'}"
    app = create_app(
        TestingConfig,
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            # A real browser sends the CSRF token like any reader's would, so keep the protection on.
            "WTF_CSRF_ENABLED": True,
            # Show readers' error pages rather than Werkzeug's debugger output; the trace is still logged.
            "PROPAGATE_EXCEPTIONS": False,
            # Match on a fixed day, so that no deadline passing changes what a page shows.
            "MATCH_DAY": TODAY.isoformat(),
        },
    )
    with app.app_context():
        with db.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        programmes, problems = load_catalogue()
        assert not problems, problems
        with write_transaction():
            upsert_programmes(programmes)
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The base URL of a real HTTP server on 127.0.0.1 running `live_app`."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)  # port 0: any free port
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def requested_hosts(page: Page) -> list[str]:
    """Every URL the page asks for on a host other than the test server's (data: and blob: URLs are not requests to a host)."""
    elsewhere: list[str] = []

    def record(request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("data", "blob") and parts.hostname != "127.0.0.1":
            elsewhere.append(request.url)

    page.on("request", record)
    return elsewhere


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Errors the page logs or throws (a missing file, a script error, a CSP refusal)."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    def on_error(error: Error) -> None:
        errors.append(str(error))

    page.on("console", on_console)
    page.on("pageerror", on_error)
    return errors

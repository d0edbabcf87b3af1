"""The database goes away: every request answers 503 with Retry-After and the service-unavailable page (or the API's
"unavailable" body), saved answers stay safe, and the first request after the database is back succeeds, with no
restart of the app. Real databases throughout: SQLite files made read-only or locked, PostgreSQL behind a TCP relay
that is cut and restored."""

from __future__ import annotations

import contextlib
import importlib
import os
import secrets
import socket
import sqlite3
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from config import TestingConfig
from tests.webapp.journey_helpers import ABOUT, BUSINESS
from tests.webapp.test_api import SPEC_EXAMPLE
from tests.webapp.test_pages import check_page
from webapp import create_app, drafts
from webapp.db import db

POSTGRES = ("127.0.0.1", 5432)
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def migrated_app(uri: str, **config: object) -> Flask:
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": uri, **config})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return app


def start(client: FlaskClient) -> str:
    response = client.post("/start", data={"path": "quick"})
    assert response.status_code == 302, response.status_code
    return response.headers["Location"].split("/")[2]


def assert_unavailable_page(response, *, posted: bool = True) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    html = response.get_data(as_text=True)
    check_page(html)
    assert "Sorry, the service is unavailable" in html
    assert "Answers you have already saved are safe." in html
    assert "Keep your private link" in html
    assert ("The answers on the page you just sent were not saved" in html) is posted
    for leak in ("Traceback", "OperationalError", "sqlite", "psycopg", "SELECT", "INSERT", "/tmp/"):
        assert leak not in html, leak


def assert_unavailable_body(response) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    error = response.get_json()["error"]
    assert error["code"] == "unavailable" and "Incident" in error["message"]


def saved_about(app: Flask, token: str) -> dict:
    with app.app_context():
        return drafts.find_draft(token).data.get("enterprise", {})


# SQLite


def test_sqlite_read_only_answers_503_and_keeps_what_was_saved(tmp_path: Path):
    path = tmp_path / "data" / "x.db"
    path.parent.mkdir()
    app = migrated_app(f"sqlite:///{path}")
    client = app.test_client()
    token = start(client)
    assert client.post(f"/p/{token}/about", data=ABOUT).status_code == 302

    if os.geteuid() != 0:
        # The file and its directory read-only, as a full or remounted disk would leave them. Connections opened
        # before keep their write access (an open file descriptor), so drop them; new ones open read-only.
        modes = {p: p.stat().st_mode for p in (path.parent, *path.parent.iterdir())}
        for p in modes:
            p.chmod(stat.S_IRUSR | stat.S_IXUSR if p.is_dir() else stat.S_IRUSR)
        with app.app_context():
            db.engine.dispose()
        try:
            assert_unavailable_page(client.post(f"/p/{token}/business", data=BUSINESS))
            assert_unavailable_page(client.post("/start", data={"path": "quick"}))
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        # Writable again: the next request succeeds, the same app, no restart.
        assert client.post(f"/p/{token}/business", data=BUSINESS).status_code == 302
    else:
        # Root writes through any file mode, so chmod proves nothing here. The same refusal from SQLite comes from
        # opening the same file read-only (mode=ro): a second app, as a worker on a read-only mount would be.
        read_only = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///file:{path}?mode=ro&uri=true"})
        other = read_only.test_client()
        assert other.get(f"/p/{token}/business").status_code == 200, "reading still works"
        assert_unavailable_page(other.post(f"/p/{token}/business", data=BUSINESS))
        assert_unavailable_page(other.post("/start", data={"path": "quick"}))
        assert_unavailable_body(other.post("/api/v1/assessments", json=SPEC_EXAMPLE))
        with read_only.app_context():
            db.engine.dispose()
    assert saved_about(app, token)["name"] == ABOUT["name"], "what was saved before is still there"
    with app.app_context():
        db.engine.dispose()


def test_sqlite_locked_by_another_writer_answers_503_then_recovers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Wait 0.3 s for the lock instead of 5, to keep the test short (read when each connection opens).
    # (The module, not the package attribute: webapp/__init__.py binds `webapp.db` to the SQLAlchemy object.)
    monkeypatch.setattr(importlib.import_module("webapp.db"), "SQLITE_BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "x.db"
    app = migrated_app(f"sqlite:///{path}")
    client = app.test_client()
    token = start(client)

    # Another process's writer holds the write lock: a long migration, a stuck job, a backup tool.
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert_unavailable_page(client.post(f"/p/{token}/about", data=ABOUT))
        assert_unavailable_body(client.post("/api/v1/assessments", json=SPEC_EXAMPLE))
        assert client.get(f"/p/{token}/about").status_code == 200, "readers are not blocked (WAL)"
    finally:
        holder.rollback()
        holder.close()
    assert client.post(f"/p/{token}/about", data=ABOUT).status_code == 302
    assert saved_about(app, token)["name"] == ABOUT["name"]
    with app.app_context():
        db.engine.dispose()


# PostgreSQL


class Relay:
    """A TCP relay from 127.0.0.1:<port> to PostgreSQL; stop() cuts every connection as a network or server outage
    would, start() again on the same port brings it back."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stopping.clear()
        self._spawn(self._accept, listener)

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                server = socket.create_connection(self.target, timeout=2)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._sockets.update((client, server))
            self._spawn(self._pump, client, server)
            self._spawn(self._pump, server, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for end in sockets:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database of its own, created and dropped here."""
    name = f"tremplin_outage_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_cut_off_answers_503_then_the_next_request_after_it_returns_succeeds(postgres_database: str):
    relay = Relay(POSTGRES)
    relay.start()
    try:
        engine_options = {"pool_pre_ping": True, "connect_args": {"connect_timeout": 2}}
        uri = f"postgresql+psycopg://postgres@127.0.0.1:{relay.port}/{postgres_database}"
        app = migrated_app(uri, SQLALCHEMY_ENGINE_OPTIONS=engine_options)
        client = app.test_client()
        token = start(client)
        assert client.post(f"/p/{token}/about", data=ABOUT).status_code == 302

        relay.stop()  # the database is gone: every connection cut, new ones refused
        assert_unavailable_page(client.post(f"/p/{token}/business", data=BUSINESS))
        assert_unavailable_page(client.get(f"/p/{token}/business"), posted=False)
        assert_unavailable_page(client.get("/"), posted=False)
        assert_unavailable_body(client.get("/api/v1/assessments/anything"))

        relay.start()  # back, on the same address
        assert client.post(f"/p/{token}/business", data=BUSINESS).status_code == 302
        assert saved_about(app, token)["name"] == ABOUT["name"], "what was saved before the outage is still there"
        with app.app_context():
            db.engine.dispose()
    finally:
        relay.stop()

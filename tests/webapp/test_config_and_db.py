"""Configuration precedence, the production secret check, and the SQLite settings every connection gets."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event, text

from config import normalise_database_url
from webapp import create_app
from webapp.db import db, write_transaction


def test_production_refuses_a_missing_or_default_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("TREMPLIN_ENV", "production")
    monkeypatch.delenv("TREMPLIN_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="TREMPLIN_SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    monkeypatch.setenv("TREMPLIN_SECRET_KEY", "change-me")
    with pytest.raises(RuntimeError):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    monkeypatch.setenv("TREMPLIN_SECRET_KEY", "k" * 64)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_environment_overrides_defaults_and_tests_override_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TREMPLIN_EXPLAIN_LIMIT", "7")
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.example/tremplin")
    app = create_app()
    assert app.config["EXPLAIN_LIMIT"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db.example/tremplin"
    app = create_app({"EXPLAIN_LIMIT": 3, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["EXPLAIN_LIMIT"] == 3


def test_database_urls_use_psycopg_3():
    assert normalise_database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app_context):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings only apply to SQLite; this run uses PostgreSQL")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_write_transactions_begin_immediate_on_sqlite(app_context):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite's; PostgreSQL locks rows as it writes")
    statements: list[str] = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        db.session.rollback()
        with write_transaction():
            db.session.execute(text("SELECT 1"))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert "BEGIN IMMEDIATE" in statements


def test_a_second_writer_waits_rather_than_fails_half_way(app_context, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("checks SQLite's write lock")
    path = db.engine.url.database
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        other = sqlite3.connect(path, isolation_level=None, timeout=0.2)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")  # the lock is taken at BEGIN, before any work is done
        other.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()

"""Configuration precedence, the production secret check, and the SQLite settings every connection gets."""

from __future__ import annotations

import sqlite3

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text

from config import ProductionConfig, TestingConfig, normalise_database_url
from webapp import create_app
from webapp.db import db, tune_sqlite_engine, write_transaction


def test_production_refuses_a_missing_or_default_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("TREMPLIN_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="TREMPLIN_SECRET_KEY"):
        create_app(ProductionConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    monkeypatch.setenv("TREMPLIN_SECRET_KEY", "change-me")
    with pytest.raises(RuntimeError):
        create_app(ProductionConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    monkeypatch.setenv("TREMPLIN_SECRET_KEY", "k" * 64)
    app = create_app(ProductionConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_environment_overrides_defaults_and_tests_override_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TREMPLIN_ENV", "testing")  # no class given: TREMPLIN_ENV names it, as in a deployment
    monkeypatch.setenv("TREMPLIN_EXPLAIN_LIMIT", "7")
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.example/tremplin")
    app = create_app()
    assert app.testing
    assert app.config["EXPLAIN_LIMIT"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db.example/tremplin"
    app = create_app(TestingConfig, {"EXPLAIN_LIMIT": 3, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["EXPLAIN_LIMIT"] == 3


def test_a_config_class_given_wins_over_tremplin_env(monkeypatch, tmp_path):
    monkeypatch.setenv("TREMPLIN_ENV", "production")
    monkeypatch.delenv("TREMPLIN_SECRET_KEY", raising=False)
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db"})  # no production secret asked
    assert app.testing and app.config["SESSION_COOKIE_SECURE"] is False


def test_overrides_passed_where_the_class_goes_are_refused_not_ignored(tmp_path):
    with pytest.raises(TypeError, match="config class"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db"})  # type: ignore[arg-type]


def test_database_urls_use_psycopg_3():
    assert normalise_database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


@pytest.fixture
def sqlite_app(tmp_path):
    """A SQLite app of its own, whatever database the suite runs on: these settings are SQLite's."""
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'own.db'}"})
    with app.app_context():
        upgrade()
        yield app
        db.engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(sqlite_app):
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_only_the_apps_own_engine_gets_the_sqlite_settings(sqlite_app, tmp_path):
    other = create_engine(f"sqlite:///{tmp_path / 'other.db'}")  # a script's or a library's engine in the same process
    try:
        with other.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
    finally:
        other.dispose()
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_tuning_an_engine_again_adds_no_second_begin(sqlite_app):
    tune_sqlite_engine(db.engine)  # create_app() already did
    statements: list[str] = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("SELECT 1")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert [s for s in statements if s.startswith("BEGIN")] == ["BEGIN DEFERRED"]


def test_write_transactions_begin_immediate_on_sqlite(sqlite_app):
    statements: list[str] = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with write_transaction():
            db.session.execute(text("SELECT 1"))
        db.session.execute(text("SELECT 1"))  # a plain read does not take the write lock
        db.session.rollback()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert [s for s in statements if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE", "BEGIN DEFERRED"]


def test_a_writer_takes_the_lock_at_begin_so_a_second_one_waits_its_turn(sqlite_app):
    path = db.engine.url.database
    with write_transaction():
        db.session.execute(text("SELECT 1"))
        other = sqlite3.connect(path, isolation_level=None, timeout=0.2)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")  # refused at BEGIN, before it could do half its work
        other.close()
    other = sqlite3.connect(path, isolation_level=None, timeout=0.2)
    other.execute("BEGIN IMMEDIATE")  # free again once the first writer committed
    other.execute("ROLLBACK")
    other.close()

"""Shared fixtures. The database is real: a SQLite file by default, PostgreSQL when TEST_DATABASE_URL is set
(.ci/run does both). Its schema comes from the Alembic migrations, so every run also tests them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from config import TestingConfig
from programmes.loader import load_catalogue
from tests.page_quality import QualityCheckedClient
from webapp import create_app
from webapp.catalogue import upsert_programmes
from webapp.db import Base, db, write_transaction


@pytest.fixture(scope="session", autouse=True)
def every_page_gets_the_quality_check() -> Iterator[None]:
    """Every Flask test client of the run, from any app, checks each HTML page it receives (tests/page_quality.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Flask, "test_client_class", QualityCheckedClient)
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'tremplin.db'}"


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        # Start from nothing, then build the schema exactly as a deployment does.
        with db.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _empty_tables() -> None:
    db.session.rollback()
    with write_transaction():
        for table in reversed(Base.metadata.sorted_tables):
            db.session.execute(table.delete())


@pytest.fixture
def app_context(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        _empty_tables()
        app.extensions.pop("tremplin_compiled", None)
        yield app
        _empty_tables()


@pytest.fixture
def client(app_context: Flask) -> FlaskClient:
    return app_context.test_client()


@pytest.fixture(scope="session")
def bundled() -> list:
    programmes, problems = load_catalogue()
    assert not problems, problems
    return programmes


@pytest.fixture
def with_catalogue(app_context: Flask, bundled: list) -> list:
    """The bundled catalogue, published in the database."""
    with write_transaction():
        upsert_programmes(bundled)
    return bundled


ROOT = Path(__file__).resolve().parent.parent

"""The typed declarative Base and the tables. They store what the model decided; they hold no rules.

SQLite is tuned on every new connection: WAL (readers do not block the writer), a busy timeout, foreign keys on;
and Python's sqlite3 is told not to open transactions itself, so that `write_transaction()` can begin with
BEGIN IMMEDIATE: a writer takes the write lock at the start and waits its turn (busy_timeout) instead of failing
half-way when two requests write at once.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime, Integer, String, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)

SQLITE_BEGIN_OPTION = "sqlite_begin"
SQLITE_BUSY_TIMEOUT_MS = 5000  # how long a writer waits for another to finish before giving up


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event below decides how to begin
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection: Any) -> None:
    if connection.dialect.name == "sqlite":
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def write_transaction() -> Iterator[None]:
    """One write transaction at the request boundary: BEGIN IMMEDIATE on SQLite, commit or roll back whole.

    Call it before any query of the request, so the transaction starts as a writer.
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


class ProgrammeRecord(Base):
    """A programme of the catalogue: its validated document (programmes.schema.Programme) and lifecycle."""

    __tablename__ = "programmes"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    lifecycle: Mapped[str] = mapped_column(String(20), nullable=False, default="published")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class CatalogueState(Base):
    """One row: the version of the published catalogue, so matching recompiles only when it changes."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(40), nullable=False)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Assessment(Base):
    """A stored assessment: what the firm sent and the match document Tremplin returned, as it was made."""

    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, index=True)
    request: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    catalogue_version: Mapped[str] = mapped_column(String(40), nullable=False)
    model_version: Mapped[str] = mapped_column(String(80), nullable=False)

"""The typed declarative Base and the tables. They store what the model decided; they hold no rules.

SQLite is tuned on every new connection of the app's engine (`init_db`): WAL (readers do not block the writer), a
busy timeout, foreign keys on; and Python's sqlite3 is told not to open transactions itself, so that
`write_transaction()` can begin with BEGIN IMMEDIATE: a writer takes the write lock at the start and waits its turn
(busy_timeout) instead of failing half-way when two requests write at once. Only the app's own engines are tuned:
another engine in the same process (a script's, a test's, a library's) keeps SQLite's defaults.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, MetaData, String, UniqueConstraint, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    # Named constraints, so Alembic can alter them later (SQLite's batch mode rebuilds tables by name).
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)

SQLITE_BEGIN_OPTION = "sqlite_begin"
SQLITE_BUSY_TIMEOUT_MS = 5000  # how long a writer waits for another to finish before giving up


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event below decides how to begin
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()


def _begin_sqlite(connection: Any) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


# SQLite errors after which the connection itself is no use: sqlite3 opens a file it may not write read-only and
# stays so, and a vanished file stays vanished. Treated as a disconnect, so the pool drops its connections and the
# first request after the file is writable again opens fresh ones (PostgreSQL's equivalents already count as one).
SQLITE_DEAD_CONNECTION = ("readonly database", "unable to open database file", "disk i/o error")


def _sqlite_dead_connection_is_a_disconnect(context: Any) -> None:
    problem = context.original_exception
    if isinstance(problem, sqlite3.OperationalError) and any(text in str(problem).lower() for text in SQLITE_DEAD_CONNECTION):
        context.is_disconnect = True


def tune_sqlite_engine(engine: Engine) -> None:
    """Give a SQLite engine the settings above; other databases are left as they are. Safe to call again."""
    if engine.dialect.name != "sqlite" or event.contains(engine, "connect", _tune_sqlite):
        return
    event.listen(engine, "connect", _tune_sqlite)
    event.listen(engine, "begin", _begin_sqlite)
    event.listen(engine, "handle_error", _sqlite_dead_connection_is_a_disconnect)


def init_db(app: Flask) -> None:
    """Bind the extension to the app and tune the app's own engines (Flask-SQLAlchemy makes them here, unconnected)."""
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            tune_sqlite_engine(engine)


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
    # Who last confirmed the facts against the source, and when (the document's last_verified is the date).
    verified_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # Where the current text came from ("bundled", "file" or "editor"; None for rows stored before this was kept),
    # the catalogue version of that bundled release or file, and the SHA-256 of the document as it came: a document
    # whose digest no longer matches was curated since, and a newer bundled copy never overwrites it.
    origin: Mapped[str | None] = mapped_column(String(20), nullable=True)
    origin_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    origin_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # A revision of a published programme on its way through review (draft, then in_review): the published
    # document stays live and matched until the revision is published.
    revision_document: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    revision_lifecycle: Mapped[str | None] = mapped_column(String(20), nullable=True)
    revision_origin: Mapped[str | None] = mapped_column(String(20), nullable=True)
    revision_author: Mapped[str | None] = mapped_column(String(254), nullable=True)
    revision_updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class CatalogueState(Base):
    """One row: the version of the published catalogue, so matching recompiles only when it changes."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(40), nullable=False)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Draft(Base):
    """A firm's profile in progress, reached through its private link.

    Only a SHA-256 digest of the link's token is stored, so the table alone opens no one's profile.
    `data` has the API request's shape (enterprise, levels or answers, goals, ...) plus the steps done.
    """

    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    path: Mapped[str] = mapped_column(String(10), nullable=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, index=True)
    # Counts the saves of `data`; a submit records the revision it matched, so a repeated submit of the same
    # answers (double click, retried POST) finds the stored result instead of making a second one.
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")


class Assessment(Base):
    """A stored assessment: what the firm sent and the match document Tremplin returned, as it was made.

    Assessments made from the web journey belong to a draft (its history, numbered from 1); API ones to none.
    """

    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    draft_id: Mapped[str | None] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), nullable=True, index=True)
    sequence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, index=True)
    request: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    catalogue_version: Mapped[str] = mapped_column(String(40), nullable=False)
    model_version: Mapped[str] = mapped_column(String(80), nullable=False)
    draft_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # API only: SHA-256 of the client's Idempotency-Key header, so a retried POST returns this row, not a new one.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        UniqueConstraint("draft_id", "sequence", name="uq_assessments_draft_sequence"),
        # One result per answers and catalogue: the same answers matched again after the catalogue or the model
        # changed make a new result in the history.
        UniqueConstraint(
            "draft_id", "draft_revision", "catalogue_version", "model_version", name="uq_assessments_draft_revision_catalogue"
        ),
        UniqueConstraint("idempotency_key", name="uq_assessments_idempotency_key"),
    )


class StaffUser(Base):
    """A programme administrator. Roles nest: admin (manages staff) > curator (edits programmes) > viewer."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(10), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_confirmed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The last TOTP time step accepted, so a code cannot be replayed within its 30 seconds.
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class StaffSession(Base):
    """A signed-in staff session, kept on the server so that signing out (or a timeout) ends it for good.

    The browser holds a random token; only its SHA-256 digest is stored.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class SignInAttempt(Base):
    """Failed sign-ins, counted per account and per address to throttle guessing."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, index=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    ip: Mapped[str] = mapped_column(String(64), nullable=False, index=True)


class AuditEntry(Base):
    """Append-only record of every staff action. Nothing in the application updates or deletes a row."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    action: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    object_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    object_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    diff: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ProgrammeVersion(Base):
    """Every saved state of a programme: who, when, the whole document and the field-level diff from before."""

    __tablename__ = "programme_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    document: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    lifecycle: Mapped[str] = mapped_column(String(20), nullable=False)
    diff: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    actor_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _audit_is_append_only(_mapper: Any, _connection: Any, _target: Any) -> None:
    raise RuntimeError("the audit log is append-only")


class ShareLink(Base):
    """A read-only link to one stored result of a draft, for an adviser. Separate from the private (edit) link.

    Only the SHA-256 digest of the share token is stored; its first 16 hex characters are the link's public id
    (used to revoke it). The shared view hides the business's name unless the firm chose to include it.
    """

    __tablename__ = "share_links"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False, index=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    include_business_name: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class FollowUpConsent(Base):
    """A firm's consent to be contacted about its results, as given: when, on which wording, and whether withdrawn.

    One row per consent given; withdrawing sets withdrawn_at and erases the contact details, keeping the record
    that consent was once given (GDPR Art. 7(1): the controller must be able to show it).
    """

    __tablename__ = "follow_up_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False, index=True)
    contact_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    contact_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    wording_version: Mapped[str] = mapped_column(String(20), nullable=False)
    given_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

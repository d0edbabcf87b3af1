"""Starting the service the way `make run` does (`flask db upgrade`, then `flask catalogue seed`), any number of
times, never undoes what a person made: each start is a new app on the same SQLite file, as a new process would be."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from config import TestingConfig
from programmes.loader import dump, load_catalogue
from webapp import create_app
from webapp.catalogue import EDITOR, add_version, current_version, set_origin, state_of
from webapp.db import AuditEntry, ProgrammeRecord, ProgrammeVersion, db, utcnow, write_transaction

CURATED_ID = "fr-osez-ia-diagnostic-data-ia"
QUIETLY_CURATED_ID = "de-zim"
UNTOUCHED_ID = "eu-edih-network"
PRE_0007 = "a452fb96b9c3"  # the migration before programme origins and revisions


def start(database: Path) -> tuple[Flask, str]:
    """One start of `make run` (short of serving): a fresh app, `flask db upgrade`, `flask catalogue seed`."""
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    runner = app.test_cli_runner()
    output = ""
    for args in (["db", "upgrade"], ["catalogue", "seed"]):
        result = runner.invoke(args=args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        output += result.output
    return app, output


def everything_a_start_could_change() -> tuple:
    rows = [tuple(row) for row in db.session.execute(select(ProgrammeRecord.__table__).order_by(ProgrammeRecord.id))]
    counts = [db.session.scalar(select(func.count()).select_from(t)) for t in (ProgrammeVersion, AuditEntry)]
    return rows, counts, current_version()


def curate(app: Flask) -> tuple[dict, dict]:
    """A curator's edits between two starts: one as the admin editor records it (origin "editor"), one that changed
    the text without touching its origin (the digest still shows it)."""
    with app.app_context(), write_transaction():
        record = db.session.get(ProgrammeRecord, CURATED_ID)
        before = state_of(record)
        record.document = {**record.document, "name": "Osez l'IA: diagnostic (curated wording)"}
        record.updated_at = utcnow()
        set_origin(record, EDITOR, None)
        add_version(record, before, "curator@example.org", "edited")
        quiet = db.session.get(ProgrammeRecord, QUIETLY_CURATED_ID)
        quiet.document = {**quiet.document, "status_note": "Checked with the operator by telephone."}
        return record.document, quiet.document


def stop(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def bundled_count() -> int:
    programmes, problems = load_catalogue()
    assert not problems
    assert {CURATED_ID, QUIETLY_CURATED_ID, UNTOUCHED_ID} <= {p.id for p in programmes}
    return len(programmes)


def test_a_second_start_keeps_a_curated_edit_and_writes_nothing(tmp_path):
    database = tmp_path / "tremplin.db"
    total = bundled_count()
    first, output = start(database)
    assert f"Seeded the empty catalogue: {total} bundled programmes published" in output
    curated, quietly_curated = curate(first)
    with first.app_context():
        before = everything_a_start_could_change()
    stop(first)

    second, output = start(database)
    assert "The catalogue is not empty, so nothing was written." in output
    assert f"0 new, {total - 2} unchanged, 0 newer, 2 curated." in output
    with second.app_context():
        assert db.session.get(ProgrammeRecord, CURATED_ID).document == curated
        assert db.session.get(ProgrammeRecord, QUIETLY_CURATED_ID).document == quietly_curated
        assert everything_a_start_could_change() == before
    stop(second)


def test_a_start_after_the_bundled_catalogue_changed_only_reports_the_offer(tmp_path, monkeypatch):
    database = tmp_path / "tremplin.db"
    total = bundled_count()
    first, _ = start(database)
    curated, _ = curate(first)
    with first.app_context():
        before = everything_a_start_could_change()
    stop(first)

    # A newer checkout: the bundled text of an untouched programme and of the curated one changed.
    programmes, problems = load_catalogue()
    assert not problems
    renamed = {UNTOUCHED_ID, CURATED_ID}
    newer = [p.model_copy(update={"name": f"{p.name} (2027)"}) if p.id in renamed else p for p in programmes]
    checkout = tmp_path / "catalogue"
    checkout.mkdir()
    (checkout / "all.yaml").write_text(dump(newer, "yaml"), encoding="utf-8")
    monkeypatch.setattr("webapp.cli.BUNDLED_DIR", checkout)

    second, output = start(database)
    assert f"0 new, {total - 3} unchanged, 1 newer, 2 curated." in output
    assert "flask --app webapp catalogue import programmes/catalogue" in output and "--apply" in output
    with second.app_context():
        assert db.session.get(ProgrammeRecord, CURATED_ID).document == curated
        assert db.session.get(ProgrammeRecord, UNTOUCHED_ID).revision_document is None
        assert everything_a_start_could_change() == before
    stop(second)


def test_upgrading_an_existing_database_keeps_every_share_link(tmp_path):
    """Migration 0007 rebuilds `assessments` on SQLite; with foreign keys on, the rebuild's DROP TABLE cascaded to
    share_links. migrations/env.py turns them off during an upgrade and checks them before committing."""
    database = tmp_path / "tremplin.db"
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    made = dt.datetime(2026, 12, 1)
    with app.app_context():
        upgrade(revision=PRE_0007)
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO drafts (id, path, data, created_at, updated_at, expires_at, revision) "
                    "VALUES ('d1', 'quick', '{}', :at, :at, :at, 1)"
                ),
                {"at": made},
            )
            connection.execute(
                text(
                    "INSERT INTO assessments (id, draft_id, sequence, created_at, request, result, catalogue_version, "
                    "model_version, draft_revision) VALUES ('a1', 'd1', 1, :at, '{}', '{}', 'cat-x', 'model-1', 1)"
                ),
                {"at": made},
            )
            connection.execute(
                text(
                    "INSERT INTO share_links (id, draft_id, assessment_id, created_at, expires_at, include_business_name) "
                    "VALUES ('s1', 'd1', 'a1', :at, :at, 0)"
                ),
                {"at": made},
            )
    stop(app)

    again, _ = start(database)
    with again.app_context():
        counts = {t: db.session.scalar(text(f"SELECT count(*) FROM {t}")) for t in ("drafts", "assessments", "share_links")}
    stop(again)
    assert counts == {"drafts": 1, "assessments": 1, "share_links": 1}

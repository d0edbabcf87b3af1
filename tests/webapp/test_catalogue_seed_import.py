"""`catalogue import` offers a file's programmes against what the database holds, and `catalogue seed` fills only an
empty catalogue: new, unchanged, newer (stored text untouched since its file) and curated (kept) per programme."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select

from programmes.loader import BUNDLED_DIR, catalogue_version, dump, load_catalogue, load_file
from tests.factories import make_programme
from webapp.catalogue import (
    BUNDLED,
    EDITOR,
    FILE,
    add_version,
    current_version,
    document_digest,
    import_programmes,
    origin_of_path,
    published_programmes,
    set_origin,
    state_of,
    upsert_programmes,
)
from webapp.db import AuditEntry, ProgrammeRecord, ProgrammeVersion, db, utcnow, write_transaction

NEWER = "bundled copy is newer than the published one"
CURATED = "curated since it was bundled: kept"


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def count(table) -> int:
    return db.session.scalar(select(func.count()).select_from(table))


def stored(programme_id: str) -> ProgrammeRecord:
    db.session.rollback()  # the CLI wrote through its own session: read afresh
    return db.session.get(ProgrammeRecord, programme_id)


def snapshot() -> tuple:
    """Everything an import could write: every column of every programme, and the history and audit row counts."""
    db.session.rollback()
    rows = [tuple(row) for row in db.session.execute(select(ProgrammeRecord.__table__).order_by(ProgrammeRecord.id))]
    return rows, count(ProgrammeVersion), count(AuditEntry)


def edit_as_an_editor(programme_id: str, **changes) -> dict:
    """What the admin editor does to a published programme's text: a new document, origin "editor", a version."""
    with write_transaction():
        record = db.session.get(ProgrammeRecord, programme_id)
        before = state_of(record)
        record.document, record.updated_at = {**record.document, **changes}, utcnow()
        set_origin(record, EDITOR, None)
        add_version(record, before, "curator@example.org", "edited")
    return record.document


@pytest.fixture
def catalogue_then_file(app_context, tmp_path):
    """A stored catalogue that came from a file, curated in places, and the newer file offered against it."""
    with write_transaction():
        upsert_programmes(
            [
                make_programme(id="kept-as-is"),
                make_programme(id="untouched"),
                make_programme(id="edited"),
                make_programme(id="edited-quietly"),
                make_programme(id="legacy"),
                make_programme(id="under-review"),
                make_programme(id="not-in-file"),
            ]
        )
        draft = ProgrammeRecord(id="untouched-draft", document=make_programme(id="untouched-draft").to_document(), lifecycle="draft")
        db.session.add(draft)
        set_origin(draft, FILE, "cat-earlier")
        # A row stored before origins were kept: nobody can tell whether a person changed it.
        legacy = db.session.get(ProgrammeRecord, "legacy")
        legacy.origin = legacy.origin_version = legacy.origin_digest = None
        # A curator's revision of a published programme, on its way through review.
        review = db.session.get(ProgrammeRecord, "under-review")
        review.revision_document = make_programme(id="under-review", name="Curator's wording").to_document()
        review.revision_lifecycle, review.revision_origin, review.revision_author = "in_review", EDITOR, "curator@example.org"
        review.revision_updated_at = utcnow()
    edit_as_an_editor("edited", name="Curated name")
    with write_transaction():
        # An edit that changed the text but not the origin (as an editor that predates origins would): the digest tells.
        quiet = db.session.get(ProgrammeRecord, "edited-quietly")
        quiet.document = {**quiet.document, "operator": "Curated operator"}

    newer = [
        make_programme(id="kept-as-is"),
        make_programme(id="untouched", name="Newer name"),
        make_programme(id="edited", name="Newer name"),
        make_programme(id="edited-quietly", name="Newer name"),
        make_programme(id="legacy", name="Newer name"),
        make_programme(id="under-review", name="Newer name"),
        make_programme(id="untouched-draft", name="Newer name"),
        make_programme(id="brand-new"),
    ]
    path = tmp_path / "newer.yaml"
    path.write_text(dump(newer, "yaml"), encoding="utf-8")
    return path


def test_the_report_names_each_programme_with_its_phrase_and_writes_nothing(app_context, catalogue_then_file):
    before = snapshot()
    result = run(app_context, "catalogue", "import", str(catalogue_then_file))
    lines = result.output.splitlines()
    assert result.exit_code == 0
    assert "  brand-new: new" in lines
    assert "  kept-as-is: unchanged" in lines
    assert f"  untouched: {NEWER}" in lines
    assert f"  edited: {CURATED}" in lines
    assert f"  edited-quietly: {CURATED}" in lines
    assert f"  legacy: {CURATED}" in lines
    assert (
        f"  under-review: {NEWER} (a revision (in review) is already waiting for review: kept until it is published or discarded)" in lines
    )
    assert f"  untouched-draft: {NEWER} (the stored programme is a draft: --apply updates the draft)" in lines
    assert "1 new, 1 unchanged, 3 newer, 3 curated." in lines
    assert "1 stored programme(s) are not in this file: an import never changes or removes them." in lines
    assert "Nothing was written. Run again with --apply to write 3 as drafts and revisions for review." in lines
    assert snapshot() == before


def test_apply_offers_drafts_and_revisions_and_leaves_published_and_curated_text_alone(app_context, catalogue_then_file):
    published_before = {p.id: p for p in published_programmes()}
    version_before = current_version()
    curated_before = {i: stored(i).document for i in ("edited", "edited-quietly", "legacy")}
    review_before = stored("under-review").revision_document

    result = run(app_context, "catalogue", "import", str(catalogue_then_file), "--apply")
    assert result.exit_code == 0
    assert "Written: 1 new draft(s), 1 revision(s) for review, 1 draft(s) updated." in result.output

    # Matching sees exactly what it saw before: nothing published changed.
    assert {p.id: p for p in published_programmes()} == published_before
    assert current_version() == version_before

    new = stored("brand-new")
    assert new.lifecycle == "draft"
    file_version = catalogue_version(load_file(catalogue_then_file)[0])
    assert (new.origin, new.origin_version, new.origin_digest) == (FILE, file_version, document_digest(new.document))

    untouched = stored("untouched")
    assert untouched.document["name"] == "Test programme" and untouched.lifecycle == "published"
    assert untouched.revision_document["name"] == "Newer name"
    assert (untouched.revision_lifecycle, untouched.revision_origin) == ("draft", FILE)
    assert untouched.revision_updated_at is not None
    offered = db.session.scalar(
        select(ProgrammeVersion).where(ProgrammeVersion.programme_id == "untouched").order_by(ProgrammeVersion.number.desc())
    )
    assert offered.document["name"] == "Newer name" and offered.lifecycle == "revision_draft"
    assert offered.note.startswith("revision offered for review by import of")
    assert offered.diff == {"name": {"from": "Test programme", "to": "Newer name"}, "revision": {"from": None, "to": "draft"}}

    draft = stored("untouched-draft")
    assert draft.document["name"] == "Newer name" and draft.lifecycle == "draft" and draft.revision_document is None

    assert {i: stored(i).document for i in curated_before} == curated_before
    assert all(stored(i).revision_document is None for i in curated_before)
    assert stored("under-review").revision_document == review_before
    assert stored("under-review").revision_lifecycle == "in_review"

    audit = {(e.action, e.object_id, e.actor_email) for e in db.session.scalars(select(AuditEntry))}
    assert audit == {
        ("import_create_draft", "brand-new", "cli"),
        ("import_offer_revision", "untouched", "cli"),
        ("import_update_draft", "untouched-draft", "cli"),
    }


def test_applying_the_same_offer_again_writes_nothing(app_context, catalogue_then_file):
    run(app_context, "catalogue", "import", str(catalogue_then_file), "--apply")
    before = snapshot()
    result = run(app_context, "catalogue", "import", str(catalogue_then_file), "--apply")
    assert f"  untouched: {NEWER} (already offered: the revision waiting for review (draft) is this copy)" in result.output.splitlines()
    assert "Written: 0 new draft(s), 0 revision(s) for review, 0 draft(s) updated." in result.output
    assert snapshot() == before


def test_apply_is_all_or_nothing(app_context, catalogue_then_file, monkeypatch):
    before = snapshot()
    calls = []

    def audit_that_fails_on_the_second_write(action, programme_id, details):
        calls.append(programme_id)
        if len(calls) == 2:
            raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr("webapp.cli._audit_from_cli", audit_that_fails_on_the_second_write)
    result = app_context.test_cli_runner().invoke(args=["catalogue", "import", str(catalogue_then_file), "--apply"])
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    assert len(calls) == 2
    assert snapshot() == before


def test_the_bundled_catalogue_seeds_an_empty_database_published_with_its_origin(app_context):
    bundled, problems = load_catalogue()
    assert not problems
    result = run(app_context, "catalogue", "seed")
    assert result.exit_code == 0
    version = catalogue_version(bundled)
    assert f"Seeded the empty catalogue: {len(bundled)} bundled programmes published" in result.output
    db.session.rollback()
    records = list(db.session.scalars(select(ProgrammeRecord)))
    assert len(records) == len(bundled) == len(published_programmes())
    for record in records:
        assert (record.lifecycle, record.origin, record.origin_version) == ("published", BUNDLED, version)
        assert record.origin_digest == document_digest(record.document)
    assert count(ProgrammeVersion) == len(bundled)
    seeds = list(db.session.scalars(select(AuditEntry)))
    assert [(e.action, e.object_id, e.actor_email) for e in seeds] == [("catalogue_seed", version, "cli")]

    # What was seeded is what the bundled folder holds: importing it now finds nothing to offer.
    again = run(app_context, "catalogue", "import", str(BUNDLED_DIR))
    assert f"0 new, {len(bundled)} unchanged, 0 newer, 0 curated." in again.output
    assert f"({BUNDLED} {version})" in again.output


def test_seed_into_a_catalogue_that_has_programmes_writes_nothing(app_context):
    bundled, _ = load_catalogue()
    with write_transaction():
        upsert_programmes([make_programme()])
    before = snapshot()
    result = run(app_context, "catalogue", "seed")
    assert result.exit_code == 0
    assert "The catalogue is not empty, so nothing was written." in result.output
    assert f"compared with it: {len(bundled)} new, 0 unchanged, 0 newer, 0 curated." in result.output
    assert "catalogue import programmes/catalogue" in result.output and "--apply" in result.output
    assert snapshot() == before


def test_a_broken_checkout_does_not_stop_a_start_but_cannot_seed(app_context, tmp_path, monkeypatch):
    broken = tmp_path / "catalogue"
    broken.mkdir()
    (broken / "xx.yaml").write_text(dump([make_programme()], "yaml").replace("category: advisory", "category: lottery"), encoding="utf-8")
    monkeypatch.setattr("webapp.cli.BUNDLED_DIR", broken)

    empty = app_context.test_cli_runner().invoke(args=["catalogue", "seed"])
    assert empty.exit_code == 1 and "field category" in empty.output and count(ProgrammeRecord) == 0

    with write_transaction():
        upsert_programmes([make_programme(id="curated-here")])
    before = snapshot()
    curated = run(app_context, "catalogue", "seed")
    assert curated.exit_code == 0 and "warning: the bundled catalogue has 1 problem(s)" in curated.output
    assert snapshot() == before


def test_the_admin_upload_path_records_its_text_as_coming_from_a_file(app_context):
    programmes = [make_programme(), make_programme(id="second")]
    import_programmes(programmes, apply=True, actor_email="curator@example.org", note="import of upload.yaml")
    for programme_id in ("test-programme", "second"):
        record = stored(programme_id)
        assert (record.origin, record.origin_version) == (FILE, catalogue_version(programmes))
        assert record.origin_digest == document_digest(record.document)


def test_the_document_digest_ignores_key_order_and_sees_any_change():
    document = make_programme().to_document()
    reordered = dict(reversed(list(document.items())))
    expected = hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    assert document_digest(reordered) == document_digest(document) == expected
    assert document_digest({**document, "name": "Test programme."}) != expected


def test_only_the_bundled_folder_counts_as_bundled(tmp_path):
    assert origin_of_path(BUNDLED_DIR) == BUNDLED
    assert origin_of_path(BUNDLED_DIR / "eu.yaml") == BUNDLED
    copy = tmp_path / "catalogue"
    copy.mkdir()
    assert origin_of_path(copy) == FILE

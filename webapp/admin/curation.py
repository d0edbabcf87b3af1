"""Curating the catalogue: save, lifecycle, versions and restore, verification, staleness, bulk import.

Lifecycle: draft -> in_review -> published -> archived (and back: in_review -> draft, archived -> draft). Only
published programmes are matched; a published programme past its closing date stops matching by itself (the
engine's open_for_applications criterion). Every change writes a version and an audit entry in the same
transaction, and refreshes the published catalogue's version.

A published programme's text is never edited in place: an edit, a restore or an import of it becomes a revision
that goes through review (webapp.admin.revisions), and SMEs keep the published text until it is published.
Unpublished programmes (draft, in review, archived) are edited directly, as nobody is matched against them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask_login import current_user
from sqlalchemy import select

from models.text import N_
from programmes.loader import catalogue_version
from programmes.schema import Programme
from webapp.admin import audit, revisions
from webapp.catalogue import EDITOR, FILE, add_version, refresh_version, set_origin, state_of
from webapp.db import ProgrammeRecord, ProgrammeVersion, db, utcnow, write_transaction

LIFECYCLES = ("draft", "in_review", "published", "archived")
TRANSITIONS = {
    "draft": ("in_review",),
    "in_review": ("draft", "published"),
    "published": ("archived", "draft"),
    "archived": ("draft",),
}
TRANSITION_ACTIONS = {"in_review": "submit_for_review", "published": "publish", "archived": "archive", "draft": "back_to_draft"}
STALE_AFTER = dt.timedelta(days=183)  # six months without checking the source


class CurationError(revisions.StepRefusedError):
    """A change the lifecycle or the data does not allow; the message says why."""


def actor() -> str | None:
    return current_user.email if current_user and current_user.is_authenticated else None


def records(
    search: str = "", country: str = "", category: str = "", lifecycle: str = "", stale_only: bool = False, status: str = ""
) -> list[ProgrammeRecord]:
    found = list(db.session.scalars(select(ProgrammeRecord).order_by(ProgrammeRecord.id)))
    needle = search.strip().lower()
    return [
        r
        for r in found
        if (
            not needle or needle in r.id or needle in r.document.get("name", "").lower() or needle in r.document.get("operator", "").lower()
        )
        and (not country or r.document.get("country") == country)
        and (not category or r.document.get("category") == category)
        and (not lifecycle or r.lifecycle == lifecycle)
        and (not status or r.document.get("status") == status)
        and (not stale_only or is_stale(r))
    ]


def is_stale(record: ProgrammeRecord, today: dt.date | None = None) -> bool:
    verified = dt.date.fromisoformat(record.document["last_verified"])
    return (today or dt.date.today()) - verified > STALE_AFTER


def _take_editor_text(record: ProgrammeRecord, document: dict[str, Any]) -> None:
    """The document is now an editor's text: say so, with its digest, so that a later import of a bundled or file
    copy knows the text was curated here."""
    record.document, record.updated_at = document, utcnow()
    set_origin(record, EDITOR, None)


def save(programme: Programme, creating: bool, note: str | None = None) -> ProgrammeRecord:
    """Create (as a draft) or update a programme; the lifecycle of an existing one is kept.

    A published programme is not changed: the edit becomes (or updates) its revision, and the published text and
    the catalogue version stay as they are until the revision is published.
    """
    record = db.session.get(ProgrammeRecord, programme.id)
    if creating and record is not None:
        raise CurationError(N_("A programme with the id %(id)s already exists"), id=programme.id)
    if not creating and record is None:
        raise CurationError(N_("No programme has the id %(id)s"), id=programme.id)
    if record is not None and record.lifecycle == "published":
        revisions.save_revision(record, programme.to_document(), EDITOR, actor(), note or "edited")
        return record
    before = state_of(record)
    if record is None:
        record = ProgrammeRecord(id=programme.id, document=programme.to_document(), lifecycle="draft")
        db.session.add(record)
    _take_editor_text(record, programme.to_document())
    version = add_version(record, before, actor(), note or ("created" if creating else "edited"))
    audit.record("create" if creating else "edit", "programme", programme.id, version.diff)
    refresh_version()
    return record


def transition(programme_id: str, to: str) -> ProgrammeRecord:
    record = db.session.get(ProgrammeRecord, programme_id)
    if record is None:
        raise CurationError(N_("No programme has the id %(id)s"), id=programme_id)
    if to not in TRANSITIONS.get(record.lifecycle, ()):
        raise CurationError(
            N_("A programme that is %(state)s cannot move to %(to)s"),
            state=record.lifecycle.replace("_", " "),
            to=to.replace("_", " "),
        )
    if record.revision_lifecycle is not None:
        # Taking the programme out of the catalogue would strand a revision meant to replace its live text.
        raise CurationError(N_("Publish or discard the revision waiting for this programme first."))
    before = state_of(record)
    record.lifecycle, record.updated_at = to, utcnow()
    version = add_version(record, before, actor(), TRANSITION_ACTIONS[to])
    audit.record(TRANSITION_ACTIONS[to], "programme", programme_id, version.diff)
    refresh_version()
    return record


def versions(programme_id: str) -> list[ProgrammeVersion]:
    query = select(ProgrammeVersion).where(ProgrammeVersion.programme_id == programme_id).order_by(ProgrammeVersion.number.desc())
    return list(db.session.scalars(query))


def restore(programme_id: str, number: int) -> ProgrammeRecord:
    """Bring back an earlier version's content as a new version (history is never rewritten).

    For a published programme the content comes back as its revision, to be reviewed like any edit.
    """
    record = db.session.get(ProgrammeRecord, programme_id)
    version = db.session.scalar(
        select(ProgrammeVersion).where(ProgrammeVersion.programme_id == programme_id, ProgrammeVersion.number == number)
    )
    if record is None or version is None:
        raise CurationError(N_("No such version"))
    Programme.model_validate(version.document)  # a version restored must still be a valid programme today
    if record.lifecycle == "published":
        revised = revisions.save_revision(record, version.document, EDITOR, actor(), f"restored version {number}", "restore")
        if revised is None:
            raise CurationError(N_("Version %(number)s is the text already there; nothing to restore."), number=number)
        return record
    before = state_of(record)
    _take_editor_text(record, version.document)
    added = add_version(record, before, actor(), f"restored version {number}")
    audit.record("restore", "programme", programme_id, {"restored_version": number, **added.diff})
    refresh_version()
    return record


def mark_verified(programme_id: str, today: dt.date | None = None) -> ProgrammeRecord:
    record = db.session.get(ProgrammeRecord, programme_id)
    if record is None:
        raise CurationError(N_("No programme has the id %(id)s"), id=programme_id)
    before = state_of(record)
    day = (today or dt.date.today()).isoformat()
    # Marking the sources read states a fact about the source, not a new text, so it applies at once; a waiting
    # revision gets the date too, or publishing it would set the date back.
    record.document = {**record.document, "last_verified": day}
    revised = record.revision_document is not None and record.revision_document.get("last_verified", "") < day
    if revised:
        record.revision_document = {**record.revision_document, "last_verified": day}
    record.verified_by, record.verified_at, record.updated_at = actor(), utcnow(), utcnow()
    version = add_version(record, before, actor(), "marked verified")
    audit.record("mark_verified", "programme", programme_id, {**version.diff, **({"revision_last_verified": day} if revised else {})})
    refresh_version()
    return record


def duplicate_document(record: ProgrammeRecord, new_id: str) -> dict[str, Any]:
    return {**record.document, "id": new_id, "name": f"{record.document['name']} (copy)"}


# ------------------------------------------------------------------------------------------------ import


@dataclass
class ReviewImport:
    """What an import of a catalogue file did (or, for a dry run, would do), by programme id."""

    created: list[str] = field(default_factory=list)  # new programmes, stored as drafts
    revised: list[str] = field(default_factory=list)  # published programmes: the file's text is now their revision
    updated: list[str] = field(default_factory=list)  # unpublished programmes: text replaced, state kept
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # a revision was already waiting: it is not replaced
    version: str = ""  # the file's catalogue version


class _DryRunError(Exception):
    """Raised inside the import's transaction to roll a dry run back once its report is made."""


def _import_one(programme: Programme, record: ProgrammeRecord | None, report: ReviewImport, actor_email: str | None, note: str) -> None:
    document = programme.to_document()
    if record is None:
        record = ProgrammeRecord(id=programme.id, document=document, lifecycle="draft")
        set_origin(record, FILE, report.version)
        db.session.add(record)
        add_version(record, None, actor_email, note)
        report.created.append(programme.id)
    elif record.lifecycle == "published":
        if document == revisions.editable_text(record):
            report.unchanged.append(programme.id)
        elif record.revision_document is not None:
            report.kept.append(programme.id)  # a person's revision in progress is never overwritten by a file
        else:
            revisions.save_revision(record, document, FILE, actor_email, note, "import_revision")
            report.revised.append(programme.id)
    elif document == record.document:
        report.unchanged.append(programme.id)
    else:
        before = state_of(record)
        record.document, record.updated_at = document, utcnow()
        set_origin(record, FILE, report.version)
        add_version(record, before, actor_email, note)
        report.updated.append(programme.id)


def import_for_review(programmes: list[Programme], apply: bool, actor_email: str | None, name: str) -> ReviewImport:
    """Import a catalogue file so that nothing it holds goes live without review, in its own write transaction.

    New programmes are stored as drafts; a published programme whose text differs gets the file's text as a
    revision (unless a revision is already waiting, which is kept); an unpublished one has its text replaced.
    Applied whole, or (a dry run) reported and rolled back whole; the audit entry commits with the change.
    """
    report = ReviewImport(version=catalogue_version(programmes))
    note = f"import of {name}"[:200]
    try:
        with write_transaction():
            ids = [p.id for p in programmes]
            existing = {r.id: r for r in db.session.scalars(select(ProgrammeRecord).where(ProgrammeRecord.id.in_(ids)))}
            for programme in programmes:
                _import_one(programme, existing.get(programme.id), report, actor_email, note)
            if not apply:
                raise _DryRunError
            audit.record("import", "catalogue", name, _import_summary(report, applied=True))
    except _DryRunError:
        with write_transaction():
            audit.record("import_dry_run", "catalogue", name, _import_summary(report, applied=False))
    return report


def _import_summary(report: ReviewImport, applied: bool) -> dict[str, Any]:
    return {
        "created": report.created,
        "revised": report.revised,
        "updated": report.updated,
        "kept": report.kept,
        "version": report.version,
        "applied": applied,
    }

"""Curating the catalogue: save, lifecycle, versions and restore, verification, staleness, bulk import.

Lifecycle: draft -> in_review -> published -> archived (and back: in_review -> draft, archived -> draft). Only
published programmes are matched; a published programme past its closing date stops matching by itself (the
engine's open_for_applications criterion). Every change writes a version and an audit entry in the same
transaction, and refreshes the published catalogue's version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_login import current_user
from sqlalchemy import select

from programmes.schema import Programme
from webapp.admin import audit
from webapp.catalogue import add_version, refresh_version, state_of
from webapp.db import ProgrammeRecord, ProgrammeVersion, db, utcnow

LIFECYCLES = ("draft", "in_review", "published", "archived")
TRANSITIONS = {
    "draft": ("in_review",),
    "in_review": ("draft", "published"),
    "published": ("archived", "draft"),
    "archived": ("draft",),
}
TRANSITION_ACTIONS = {"in_review": "submit_for_review", "published": "publish", "archived": "archive", "draft": "back_to_draft"}
STALE_AFTER = dt.timedelta(days=183)  # six months without checking the source


class CurationError(ValueError):
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


def save(programme: Programme, creating: bool, note: str | None = None) -> ProgrammeRecord:
    """Create (as a draft) or update a programme; the lifecycle of an existing one is kept."""
    record = db.session.get(ProgrammeRecord, programme.id)
    if creating and record is not None:
        raise CurationError(f"A programme with the id {programme.id} already exists")
    if not creating and record is None:
        raise CurationError(f"No programme has the id {programme.id}")
    before = state_of(record)
    if record is None:
        record = ProgrammeRecord(id=programme.id, document=programme.to_document(), lifecycle="draft")
        db.session.add(record)
    else:
        record.document, record.updated_at = programme.to_document(), utcnow()
    version = add_version(record, before, actor(), note or ("created" if creating else "edited"))
    audit.record("create" if creating else "edit", "programme", programme.id, version.diff)
    refresh_version()
    return record


def transition(programme_id: str, to: str) -> ProgrammeRecord:
    record = db.session.get(ProgrammeRecord, programme_id)
    if record is None:
        raise CurationError(f"No programme has the id {programme_id}")
    if to not in TRANSITIONS.get(record.lifecycle, ()):
        raise CurationError(f"A programme that is {record.lifecycle.replace('_', ' ')} cannot move to {to.replace('_', ' ')}")
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
    """Bring back an earlier version's content as a new version (history is never rewritten)."""
    record = db.session.get(ProgrammeRecord, programme_id)
    version = db.session.scalar(
        select(ProgrammeVersion).where(ProgrammeVersion.programme_id == programme_id, ProgrammeVersion.number == number)
    )
    if record is None or version is None:
        raise CurationError("No such version")
    Programme.model_validate(version.document)  # a version restored must still be a valid programme today
    before = state_of(record)
    record.document, record.updated_at = version.document, utcnow()
    added = add_version(record, before, actor(), f"restored version {number}")
    audit.record("restore", "programme", programme_id, {"restored_version": number, **added.diff})
    refresh_version()
    return record


def mark_verified(programme_id: str, today: dt.date | None = None) -> ProgrammeRecord:
    record = db.session.get(ProgrammeRecord, programme_id)
    if record is None:
        raise CurationError(f"No programme has the id {programme_id}")
    before = state_of(record)
    record.document = {**record.document, "last_verified": (today or dt.date.today()).isoformat()}
    record.verified_by, record.verified_at, record.updated_at = actor(), utcnow(), utcnow()
    version = add_version(record, before, actor(), "marked verified")
    audit.record("mark_verified", "programme", programme_id, version.diff)
    refresh_version()
    return record


def duplicate_document(record: ProgrammeRecord, new_id: str) -> dict[str, Any]:
    return {**record.document, "id": new_id, "name": f"{record.document['name']} (copy)"}

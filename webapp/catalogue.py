"""The published catalogue as the web app sees it: stored programmes, their version, the compiled form, imports.

Matching reads the version row (one small query); the programmes are read and compiled only when the version or
the currency-rate table changes, and the compiled catalogue is shared by every request of the process.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select

from models.matching import CompiledCatalogue, compile_catalogue
from programmes.loader import catalogue_version
from programmes.rates import table_on
from programmes.schema import Programme
from webapp.db import CatalogueState, ProgrammeRecord, ProgrammeVersion, db, utcnow, write_transaction

PUBLISHED = "published"
EMPTY_VERSION = "cat-empty"
_lock = threading.Lock()


def current_version() -> str:
    state = db.session.get(CatalogueState, 1)
    return state.version if state else EMPTY_VERSION


def published_programmes() -> list[Programme]:
    records = db.session.scalars(select(ProgrammeRecord).where(ProgrammeRecord.lifecycle == PUBLISHED).order_by(ProgrammeRecord.id))
    return [Programme.model_validate(r.document) for r in records]


def compiled_catalogue(day: dt.date | None = None) -> CompiledCatalogue:
    day = day or dt.date.today()
    key = (current_version(), table_on(day).valid_from)
    cache: dict = current_app.extensions.setdefault("tremplin_compiled", {})
    with _lock:
        if key not in cache:
            cache.clear()
            cache[key] = compile_catalogue(published_programmes(), key[0], day)
        return cache[key]


def refresh_version() -> str:
    """Recompute the version from the published programmes; call inside the write transaction that changed them."""
    db.session.flush()
    version = catalogue_version(published_programmes())
    state = db.session.get(CatalogueState, 1)
    if state is None:
        db.session.add(CatalogueState(id=1, version=version, changed_at=utcnow()))
    elif state.version != version:
        state.version, state.changed_at = version, utcnow()
    return version


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    version: str = ""


def field_diff(before: dict | None, after: dict | None) -> dict:
    """Field-level changes between two documents: {field: {"from": old, "to": new}}, top-level fields only."""
    before, after = before or {}, after or {}
    return {
        key: {"from": before.get(key), "to": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def add_version(record: ProgrammeRecord, before: dict | None, actor_email: str | None, note: str | None) -> ProgrammeVersion:
    """Record the programme's current state as its next version, with the field-level diff from `before`."""
    number = (db.session.scalar(select(func.max(ProgrammeVersion.number)).where(ProgrammeVersion.programme_id == record.id)) or 0) + 1
    version = ProgrammeVersion(
        programme_id=record.id,
        number=number,
        document=record.document,
        lifecycle=record.lifecycle,
        diff=field_diff(before, state_of(record)),
        actor_email=actor_email,
        note=note,
        created_at=utcnow(),
    )
    db.session.add(version)
    return version


def state_of(record: ProgrammeRecord | None) -> dict | None:
    return None if record is None else {**record.document, "lifecycle": record.lifecycle}


def upsert_programmes(programmes: list[Programme], actor_email: str | None = None, note: str = "import") -> ImportReport:
    """Create or update programmes by id as published, within the caller's transaction; nothing is committed here.

    Every change is recorded as a new version of the programme.
    """
    report = ImportReport()
    existing = {r.id: r for r in db.session.scalars(select(ProgrammeRecord).where(ProgrammeRecord.id.in_([p.id for p in programmes])))}
    for programme in programmes:
        document = programme.to_document()
        record = existing.get(programme.id)
        before = state_of(record)
        if record is None:
            record = ProgrammeRecord(id=programme.id, document=document, lifecycle=PUBLISHED)
            db.session.add(record)
            report.created.append(programme.id)
        elif record.document != document or record.lifecycle != PUBLISHED:
            record.document, record.lifecycle, record.updated_at = document, PUBLISHED, utcnow()
            report.updated.append(programme.id)
        else:
            report.unchanged.append(programme.id)
            continue
        add_version(record, before, actor_email, note)
    report.version = refresh_version()
    return report


class _DryRunError(Exception):
    """Raised inside the import's transaction to roll a dry run back once its report is made."""


def import_programmes(
    programmes: list[Programme],
    apply: bool,
    actor_email: str | None = None,
    note: str = "import",
    on_apply: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Upsert in one write transaction: applied whole, or (a dry run) reported and rolled back whole.

    `on_apply` runs inside the same transaction when applying (the audit entry commits with the change).
    """
    report = ImportReport()
    try:
        with write_transaction():
            report = upsert_programmes(programmes, actor_email, note)
            if not apply:
                raise _DryRunError
            if on_apply is not None:
                on_apply(report)
    except _DryRunError:
        pass
    return report

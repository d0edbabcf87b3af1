"""The published catalogue as the web app sees it: stored programmes, their version, the compiled form, imports.

Matching reads the version row (one small query); the programmes are read and compiled only when the version or
the currency-rate table changes, and the compiled catalogue is shared by every request of the process.

The catalogue belongs to the database, not to the checkout: each programme records where its current text came
from (origin, origin_version, origin_digest), so an import can tell a text nobody touched since it came (a newer
copy may be offered) from one a person curated (kept): see plan_import and apply_plan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from models.matching import CompiledCatalogue, compile_catalogue
from programmes.loader import BUNDLED_DIR, catalogue_version
from programmes.rates import table_on
from programmes.schema import Programme
from webapp.db import CatalogueState, ProgrammeRecord, ProgrammeVersion, db, utcnow, write_transaction

PUBLISHED = "published"
DRAFT = "draft"
EMPTY_VERSION = "cat-empty"
# Where a programme's current text came from: a bundled release, a file import, or a person in the admin pages.
BUNDLED, FILE, EDITOR = "bundled", "file", "editor"
_lock = threading.Lock()


def document_digest(document: dict) -> str:
    """SHA-256 hex of a programme document, independent of key order: the one digest every origin check uses."""
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def set_origin(record: ProgrammeRecord, origin: str, origin_version: str | None) -> None:
    """Record that `record.document`, as it stands, came from `origin` (call after writing the document)."""
    record.origin, record.origin_version, record.origin_digest = origin, origin_version, document_digest(record.document)


def current_version() -> str:
    state = db.session.get(CatalogueState, 1)
    return state.version if state else EMPTY_VERSION


def published_programmes() -> list[Programme]:
    records = db.session.scalars(select(ProgrammeRecord).where(ProgrammeRecord.lifecycle == PUBLISHED).order_by(ProgrammeRecord.id))
    return [Programme.model_validate(r.document) for r in records]


def match_day() -> dt.date:
    """The day firms are matched on: today, unless the configuration pins one (MATCH_DAY)."""
    pinned = current_app.config.get("MATCH_DAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


def compiled_catalogue(day: dt.date | None = None) -> CompiledCatalogue:
    day = day or match_day()
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


def add_revision_version(record: ProgrammeRecord, actor_email: str | None, note: str | None) -> ProgrammeVersion:
    """Record a revision waiting beside the published text as the next version (the published text is unchanged).

    Named as webapp.admin.revisions names a revision's versions ("revision_draft", ...), with the same diff (the
    fields the revision changes, and its state), so the history reads the same whoever offered it.
    """
    number = (db.session.scalar(select(func.max(ProgrammeVersion.number)).where(ProgrammeVersion.programme_id == record.id)) or 0) + 1
    version = ProgrammeVersion(
        programme_id=record.id,
        number=number,
        document=record.revision_document,
        lifecycle=f"revision_{record.revision_lifecycle}",
        diff=field_diff({**record.document, "revision": None}, {**(record.revision_document or {}), "revision": record.revision_lifecycle}),
        actor_email=actor_email,
        note=note,
        created_at=utcnow(),
    )
    db.session.add(version)
    return version


def state_of(record: ProgrammeRecord | None) -> dict | None:
    return None if record is None else {**record.document, "lifecycle": record.lifecycle}


def upsert_programmes(
    programmes: list[Programme],
    actor_email: str | None = None,
    note: str = "import",
    origin: str = FILE,
    origin_version: str | None = None,
) -> ImportReport:
    """Create or update programmes by id as published, within the caller's transaction; nothing is committed here.

    Every change is recorded as a new version of the programme, and the text written as coming from `origin`
    (`origin_version` defaults to the catalogue version of `programmes`). It publishes over whatever is stored, so
    it serves an empty catalogue (`catalogue seed`) and test fixtures; an import into a catalogue people curate goes
    through plan_import and apply_plan (or the admin upload, which makes revisions for review).
    """
    report = ImportReport()
    origin_version = origin_version or catalogue_version(programmes)
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
        set_origin(record, origin, origin_version)
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
    origin: str = FILE,
) -> ImportReport:
    """Upsert in one write transaction: applied whole, or (a dry run) reported and rolled back whole.

    `on_apply` runs inside the same transaction when applying (the audit entry commits with the change).
    """
    report = ImportReport()
    try:
        with write_transaction():
            report = upsert_programmes(programmes, actor_email, note, origin)
            if not apply:
                raise _DryRunError
            if on_apply is not None:
                on_apply(report)
    except _DryRunError:
        pass
    return report


# What an import of a file would do to each of its programmes, decided before anything is written.
NEW, UNCHANGED, NEWER, CURATED = "new", "unchanged", "newer", "curated"
PLAN_PHRASES = {
    NEW: "new",
    UNCHANGED: "unchanged",
    NEWER: "bundled copy is newer than the published one",
    CURATED: "curated since it was bundled: kept",
}
# What applying the plan writes for one programme (None: nothing).
CREATE_DRAFT, OFFER_REVISION, UPDATE_DRAFT = "create_draft", "offer_revision", "update_draft"


def origin_of_path(path: Path) -> str:
    """The origin of a text read from `path`: "bundled" for the bundled catalogue folder or a file in it, else "file"."""
    return BUNDLED if path.resolve().is_relative_to(BUNDLED_DIR.resolve()) else FILE


@dataclass(frozen=True)
class PlannedProgramme:
    programme: Programme
    status: str  # NEW, UNCHANGED, NEWER or CURATED
    lifecycle: str | None = None  # of the stored programme; None when new
    pending_revision: str | None = None  # lifecycle of a revision already waiting for review ("draft", "in_review")
    revision_matches: bool = False  # that waiting revision is already this file's text

    @property
    def write(self) -> str | None:
        """A newer copy is offered beside a published text as a revision, and replaces the text of a draft (nobody
        edited it, and it goes through review anyway). A waiting revision is never replaced (a person may be working
        on it), nor a programme in review (its reviewer is reading it) or archived (put aside on purpose)."""
        if self.status == NEW:
            return CREATE_DRAFT
        if self.status != NEWER or self.pending_revision is not None:
            return None
        return {PUBLISHED: OFFER_REVISION, DRAFT: UPDATE_DRAFT}.get(self.lifecycle or "")

    @property
    def remark(self) -> str:
        """What a reader of the report needs besides the status: a waiting revision, and what --apply would skip."""
        if self.pending_revision is not None:
            waiting = self.pending_revision.replace("_", " ")
            if self.revision_matches:
                return f"already offered: the revision waiting for review ({waiting}) is this copy"
            return f"a revision ({waiting}) is already waiting for review: kept until it is published or discarded"
        if self.status == NEWER and self.write is None:
            return f"the stored programme is {(self.lifecycle or '').replace('_', ' ')}: not offered"
        if self.write == UPDATE_DRAFT:
            return "the stored programme is a draft: --apply updates the draft"
        return ""


@dataclass
class ImportPlan:
    origin: str  # BUNDLED or FILE
    origin_version: str  # the catalogue version of the file's programmes
    items: list[PlannedProgramme] = field(default_factory=list)
    not_in_file: int = 0  # stored programmes the file does not name: an import never touches them

    def count(self, status: str) -> int:
        return sum(item.status == status for item in self.items)

    def writes(self) -> list[PlannedProgramme]:
        return [item for item in self.items if item.write is not None]

    def summary(self) -> str:
        return ", ".join(f"{self.count(status)} {status}" for status in (NEW, UNCHANGED, NEWER, CURATED))


def _status(record: ProgrammeRecord | None, document: dict) -> str:
    """New, unchanged, newer (the stored text is exactly as its bundled release or file brought it, and this copy
    differs) or curated (anything else: edited since, written by an editor, or of unknown origin)."""
    if record is None:
        return NEW
    if record.document == document:
        return UNCHANGED
    untouched = record.origin in (BUNDLED, FILE) and record.origin_digest == document_digest(record.document)
    return NEWER if untouched else CURATED


def plan_import(programmes: list[Programme], origin: str, origin_version: str | None = None) -> ImportPlan:
    """Compare each programme of a file with the stored one; reads only."""
    ids = [p.id for p in programmes]
    stored = {r.id: r for r in db.session.scalars(select(ProgrammeRecord).where(ProgrammeRecord.id.in_(ids)))}
    others = db.session.scalar(select(func.count()).select_from(ProgrammeRecord).where(ProgrammeRecord.id.not_in(ids))) or 0
    plan = ImportPlan(origin, origin_version or catalogue_version(programmes), not_in_file=others)
    for programme in programmes:
        document = programme.to_document()
        record = stored.get(programme.id)
        plan.items.append(
            PlannedProgramme(
                programme,
                _status(record, document),
                lifecycle=record.lifecycle if record else None,
                pending_revision=record.revision_lifecycle if record and record.revision_document is not None else None,
                revision_matches=record is not None and record.revision_document == document,
            )
        )
    return plan


def apply_plan(plan: ImportPlan, source: str, on_write: Callable[[str, str, dict], None], actor_email: str | None = None) -> dict[str, int]:
    """Write the plan's offer within the caller's transaction (make the plan in the same one): new programmes as
    drafts, newer copies as revisions (or into an untouched draft). Nothing published and nothing curated changes,
    so the catalogue version stays.

    Each write adds a version and calls `on_write(action, programme_id, details)` for its audit entry. Returns the
    number of writes per kind.
    """
    done = {CREATE_DRAFT: 0, OFFER_REVISION: 0, UPDATE_DRAFT: 0}
    provenance = {"origin": plan.origin, "origin_version": plan.origin_version, "source": source}
    for item in plan.writes():
        version = _write(item, plan, source, actor_email)
        done[item.write] += 1
        on_write(f"import_{item.write}", item.programme.id, {**provenance, "version": version.number, "diff": version.diff})
    return done


def _write(item: PlannedProgramme, plan: ImportPlan, source: str, actor_email: str | None) -> ProgrammeVersion:
    document = item.programme.to_document()
    record = db.session.get(ProgrammeRecord, item.programme.id)
    if item.write == CREATE_DRAFT:
        record = ProgrammeRecord(id=item.programme.id, document=document, lifecycle=DRAFT)
        db.session.add(record)
        set_origin(record, plan.origin, plan.origin_version)
        return add_version(record, None, actor_email, _note("new draft offered", plan, source))
    if record is None:
        raise RuntimeError(f"{item.programme.id} is no longer stored: make the plan in the transaction that applies it")
    if item.write == UPDATE_DRAFT:
        before = state_of(record)
        record.document, record.updated_at = document, utcnow()
        set_origin(record, plan.origin, plan.origin_version)
        return add_version(record, before, actor_email, _note("draft updated", plan, source))
    record.revision_document, record.revision_lifecycle = document, DRAFT
    record.revision_origin, record.revision_author, record.revision_updated_at = plan.origin, actor_email, utcnow()
    return add_revision_version(record, actor_email, _note("revision offered for review", plan, source))


def _note(what: str, plan: ImportPlan, source: str) -> str:
    return f"{what} by import of {source} ({plan.origin} {plan.origin_version})"[:200]


def catalogue_is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(ProgrammeRecord)) == 0

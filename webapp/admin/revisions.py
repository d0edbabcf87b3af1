"""Revisions: how a published programme changes through review, while its published text stays live.

An edit of a published programme is written beside it, in the row's revision_* columns, and moves
draft -> in_review -> published (in_review -> draft goes back; a revision can also be discarded). SMEs are matched
against `document` only (webapp.catalogue.published_programmes), so nothing they see changes, and the catalogue
version stays the same, until the revision is published: then its text becomes `document` in one transaction.

Who may publish: the reviewer is never the author. A revision's author is the last person who saved its text, so
a reviewer who changes the text becomes its author and someone else must publish it. A curator or administrator
publishes another person's revision once it is in review ("publish_revision"; the version note says "reviewed
and published by ..."). An administrator may skip review only by the stated "Publish now" action, which the
audit log names "publish_now"; it is the only way to publish one's own revision.

Every step writes a version (ProgrammeVersion.lifecycle says whose text it holds: "revision_draft",
"revision_in_review" or "revision_discarded" for the revision's, the programme's lifecycle for the published
text) and an audit entry, in the caller's write transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import func, select

from models.text import N_, Text
from webapp.admin import audit
from webapp.catalogue import EDITOR, add_version, document_digest, field_diff, refresh_version, set_origin, state_of
from webapp.db import ProgrammeRecord, ProgrammeVersion, db, utcnow
from webapp.i18n import render_text

REVISION_STATES = ("draft", "in_review")
REVISION_MOVES = {"draft": ("in_review",), "in_review": ("draft",)}
REVISION_MOVE_ACTIONS = {"in_review": "submit_revision_for_review", "draft": "revision_back_to_draft"}
DISCARDED = "revision_discarded"


class StepRefusedError(ValueError):
    """A curation step the rules do not allow; the message says why and is shown to the staff member.

    The message is a models.text.Text (an English message id marked with N_, and its values), said in the
    reader's language within a request and in English elsewhere (the CLI, tests), where no reader is known.
    """

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.text = Text(message, params)

    def __str__(self) -> str:
        return render_text(self.text) if has_request_context() else self.text.render()


class RevisionError(StepRefusedError):
    """A step of a revision's review that the rules do not allow."""


def version_lifecycle(state: str) -> str:
    """How a version holding the revision's text names its state, beside "published", "draft", ... of the programme."""
    return f"revision_{state}"


def is_revision_version(version: ProgrammeVersion) -> bool:
    """Whether a version holds a revision's text. webapp.catalogue.add_revision_version (the CLI's import offer)
    stores the bare revision state, so its versions are known by their note instead."""
    if version.lifecycle.startswith("revision_"):
        return True
    return version.lifecycle in REVISION_STATES and "revision" in (version.note or "")


def version_label(version: ProgrammeVersion) -> str:
    """The `lifecycle` key the history page labels a version with: whose text it holds, and in which state."""
    if is_revision_version(version) and not version.lifecycle.startswith("revision_"):
        return version_lifecycle(version.lifecycle)
    return version.lifecycle


def editable_text(record: ProgrammeRecord) -> dict[str, Any]:
    """The text an editor starts from: the pending revision if there is one, else the programme's document."""
    return record.revision_document if record.revision_document is not None else record.document


def revision_digest(record: ProgrammeRecord) -> str:
    """The digest of the revision's text, carried by the review buttons so that only the text a reviewer saw is
    published (an edit saved between opening the page and pressing the button is not published unseen)."""
    return document_digest(record.revision_document) if record.revision_document is not None else ""


def _state(record: ProgrammeRecord) -> dict[str, Any]:
    return {**(record.revision_document or {}), "revision": record.revision_lifecycle}


def _add_revision_version(record: ProgrammeRecord, before: dict[str, Any], actor_email: str | None, note: str,
                          lifecycle: str | None = None) -> ProgrammeVersion:  # fmt: skip
    """Record the revision's current text as the programme's next version (one numbering for both texts)."""
    number = (db.session.scalar(select(func.max(ProgrammeVersion.number)).where(ProgrammeVersion.programme_id == record.id)) or 0) + 1
    version = ProgrammeVersion(
        programme_id=record.id,
        number=number,
        document=record.revision_document,
        lifecycle=lifecycle or version_lifecycle(record.revision_lifecycle or "draft"),
        diff=field_diff(before, _state(record)),
        actor_email=actor_email,
        note=note[:200],
        created_at=utcnow(),
    )
    db.session.add(version)
    return version


def save_revision(record: ProgrammeRecord, document: dict[str, Any], origin: str, author: str | None, note: str,
                  action: str = "edit_revision") -> ProgrammeVersion | None:  # fmt: skip
    """Write `document` as the revision of the published `record`; None when it would change nothing.

    An edit of a revision in review sends it back to draft: the text under review changed, so it is sent for
    review again (the author is now whoever saved last).
    """
    if record.lifecycle != "published":
        raise RevisionError(N_("Only a published programme has revisions."))
    if record.revision_document is None and document == record.document:
        return None  # nothing to review: the text is the published one
    if record.revision_document == document:
        return None
    before = _state(record) if record.revision_document is not None else {**record.document, "revision": None}
    if record.revision_lifecycle == "in_review":
        note = f"{note}; back to draft: the text under review changed"
    record.revision_document, record.revision_lifecycle = document, "draft"
    record.revision_origin, record.revision_author, record.revision_updated_at = origin, author, utcnow()
    version = _add_revision_version(record, before, author, note)
    audit.record(action, "programme", record.id, {"revision": True, "note": note, **version.diff})
    return version


def _pending(programme_id: str) -> ProgrammeRecord:
    record = db.session.get(ProgrammeRecord, programme_id)
    if record is None:
        raise RevisionError(N_("No programme has the id %(id)s"), id=programme_id)
    if record.revision_document is None:
        raise RevisionError(N_("This programme has no revision waiting."))
    return record


def _check_seen(record: ProgrammeRecord, seen_digest: str | None) -> None:
    if seen_digest is not None and seen_digest != revision_digest(record):
        raise RevisionError(N_("The revision changed since you opened the page. Read it again before you act on it."))


def move_revision(programme_id: str, to: str, actor_email: str | None, seen_digest: str | None = None) -> ProgrammeRecord:
    """Send the revision for review (draft -> in_review) or back to draft (in_review -> draft)."""
    record = _pending(programme_id)
    _check_seen(record, seen_digest)
    if to not in REVISION_MOVES.get(record.revision_lifecycle or "", ()):
        raise RevisionError(
            N_("A revision that is %(state)s cannot move to %(to)s."),
            state=(record.revision_lifecycle or "").replace("_", " "),
            to=to.replace("_", " "),
        )
    before = _state(record)
    record.revision_lifecycle, record.revision_updated_at = to, utcnow()
    action = REVISION_MOVE_ACTIONS[to]
    version = _add_revision_version(record, before, actor_email, action)
    audit.record(action, "programme", programme_id, {"revision": True, **version.diff})
    return record


def _publish(record: ProgrammeRecord, publisher: str, note: str, action: str, extra: dict[str, Any]) -> ProgrammeRecord:
    """The revision's text becomes the published document; the revision columns are cleared."""
    before = state_of(record)
    record.document, record.updated_at = record.revision_document or {}, utcnow()
    # Where the live text now comes from: the revision's origin (an editor, or a file or bundled copy offered by an
    # import), with the digest of the text as published. The revision columns keep no catalogue version, so none.
    set_origin(record, record.revision_origin or EDITOR, None)
    record.revision_document = record.revision_lifecycle = record.revision_origin = None
    record.revision_author = record.revision_updated_at = None
    version = add_version(record, before, publisher, note)
    audit.record(action, "programme", record.id, {**extra, **version.diff}, actor_email=publisher)
    refresh_version()
    return record


def publish_revision(programme_id: str, reviewer: str | None, seen_digest: str | None = None) -> ProgrammeRecord:
    """Publish a revision in review, reviewed by `reviewer`, who must not be its author."""
    record = _pending(programme_id)
    _check_seen(record, seen_digest)
    if not reviewer:
        raise RevisionError(N_("A revision is published by a signed-in reviewer."))
    if record.revision_lifecycle != "in_review":
        raise RevisionError(N_("Send the revision for review first: only a revision in review can be published."))
    author = record.revision_author
    if author and author.lower() == reviewer.lower():
        raise RevisionError(
            N_("You saved this revision, so someone else must review and publish it (or an administrator can publish it now).")
        )
    note = f"reviewed and published by {reviewer}"
    return _publish(record, reviewer, note, "publish_revision", {"note": note, "reviewer": reviewer, "author": author})


def publish_now(programme_id: str, seen_digest: str | None = None) -> ProgrammeRecord:
    """An administrator publishes the revision at once, without review, whatever its state and whoever wrote it."""
    if not (has_request_context() and current_user.is_authenticated and current_user.can("admin")):
        raise RevisionError(N_("Only an administrator can publish a revision without review."))
    record = _pending(programme_id)
    _check_seen(record, seen_digest)
    publisher, author = current_user.email, record.revision_author
    note = f"published now by {publisher}, without review"
    extra = {"note": note, "reviewer": None, "author": author, "skipped_review_from": record.revision_lifecycle}
    return _publish(record, publisher, note, "publish_now", extra)


def discard_revision(programme_id: str, actor_email: str | None, seen_digest: str | None = None) -> ProgrammeRecord:
    """Drop the revision; its text stays in the history (a version marked discarded) and can be restored."""
    record = _pending(programme_id)
    _check_seen(record, seen_digest)
    before = _state(record)
    author = record.revision_author
    record.revision_lifecycle = "discarded"
    version = _add_revision_version(record, before, actor_email, f"revision discarded by {actor_email or 'the system'}", DISCARDED)
    record.revision_document = record.revision_lifecycle = record.revision_origin = None
    record.revision_author = record.revision_updated_at = None
    audit.record("discard_revision", "programme", programme_id, {"author": author, "version": version.number})
    return record


@dataclass(frozen=True)
class Change:
    """One top-level field that the revision changes: what SMEs see now and what they would see after publishing.
    For a list (rules, sectors, ...) only the items removed and added are given; `reordered` when only order moved."""

    field: str
    published: list[str]
    revision: list[str]
    listed: bool = False
    reordered: bool = False


def _shown(value: Any) -> str:
    """A value of a document in one line: a rule reads "type: max_employees; limit: 50; text: ...", a list "C, J"."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (key != "type", key == "text"))  # what kind first, the sentence last
        return "; ".join(f"{key}: {_shown(value[key])}" for key in keys if value[key] is not None)
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value)
    if value is None:
        return "—"
    return str(value)


def changes(record: ProgrammeRecord) -> list[Change]:
    """The revision against the published text, field by field, in words a reviewer reads."""
    if record.revision_document is None:
        return []
    found = []
    for name, change in field_diff(record.document, record.revision_document).items():
        before, after = change["from"], change["to"]
        if isinstance(before, list) and isinstance(after, list):
            removed = [_shown(item) for item in before if item not in after]
            added = [_shown(item) for item in after if item not in before]
            found.append(Change(name, removed, added, listed=True, reordered=not removed and not added))
        else:
            found.append(Change(name, [_shown(before)] if before is not None else [], [_shown(after)] if after is not None else []))
    return found


def waiting() -> list[ProgrammeRecord]:
    """Published programmes with a revision on its way, oldest change first (for the dashboard)."""
    # Filtered on revision_lifecycle: a JSON column set to None may hold JSON null rather than SQL NULL.
    query = select(ProgrammeRecord).where(ProgrammeRecord.revision_lifecycle.is_not(None))
    return sorted(db.session.scalars(query), key=lambda r: r.revision_updated_at or dt.datetime.min)

"""Drafts behind private links: create, find, save, and turn into an assessment.

A private link carries a random token (144 bits). The database keeps only the token's SHA-256 digest, so a copy
of the table opens nobody's profile, and looking a token up compares digests, not the secret itself. A draft
lives DRAFT_LIFETIME_DAYS after its last change (config; 30 days by default), then its link answers 404.

Submitting is idempotent per revision of the answers and per catalogue: every save() counts a new revision, and
submit() stores at most one assessment for a revision matched with the catalogue and model in force, so a double
click, a retried POST or Back-then-resubmit returns the stored result instead of making a second one; once the
catalogue (or the model) has changed, the same answers are matched again and the new result joins the history. The
database holds the rule too (unique (draft_id, draft_revision, catalogue_version, model_version) and (draft_id,
sequence)), so two submits that race past the check cannot both commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from webapp.assessments import TOKEN_BYTES, create_assessment, model_version, programmes_changed
from webapp.catalogue import current_version
from webapp.db import Assessment, Draft, db, utcnow

TOKEN_MAX_LENGTH = 64


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _expiry(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=current_app.config["DRAFT_LIFETIME_DAYS"])


def new_draft(path: str) -> str:
    """Create a draft (inside the caller's write transaction) and return its token, the only copy of it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    db.session.add(Draft(id=digest(token), path=path, data={}, created_at=now, updated_at=now, expires_at=_expiry(now)))
    return token


def find_draft(token: str) -> Draft | None:
    """The live draft for a token, or None for an unknown, malformed or expired one (all look the same)."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    draft = db.session.get(Draft, digest(token))
    if draft is None or draft.expires_at <= utcnow():
        return None
    return draft


def _touch(draft: Draft) -> None:
    now = utcnow()
    draft.updated_at, draft.expires_at = now, _expiry(now)


def save(draft: Draft, data: dict[str, Any]) -> None:
    """Store the answers; a change makes the draft's next revision. The link lives on from now.

    Saving a page again with the same answers is no change, so submitting afterwards shows the stored result
    instead of matching the same answers a second time. (`data` is always a new dict: see sections.Section.save.)"""
    if data != draft.data:
        draft.data = data
        draft.revision = (draft.revision or 0) + 1
    _touch(draft)


def request_document(draft: Draft) -> dict[str, Any]:
    """The draft as an API request: the journey submits exactly what a partner system would."""
    data = draft.data
    request: dict[str, Any] = {"enterprise": data.get("enterprise", {}), "goals": data.get("goals", [])}
    if draft.path == "quick":
        request["levels"] = data.get("levels", {})
    else:
        request["answers"] = data.get("answers", {})
    if data.get("cofunding_capacity_pct") is not None:
        request["cofunding_capacity_pct"] = data["cofunding_capacity_pct"]
    return request


@dataclass(frozen=True)
class Submission:
    document: dict[str, Any]
    created: bool  # False: these answers were already matched with this catalogue; `document` is the stored result
    # When the catalogue or model changed since the firm's previous result: how many programmes it now sees
    # differently (None when nothing changed, or there is no previous result).
    changed_since_last: int | None = None


def _store(draft: Draft, request: dict[str, Any], revision: int | None) -> Submission:
    """Match `request` and store it as the draft's next result; compare with the previous one if the catalogue moved."""
    previous = db.session.scalar(select(Assessment).where(Assessment.draft_id == draft.id).order_by(Assessment.sequence.desc()).limit(1))
    sequence = (previous.sequence or 0) + 1 if previous is not None else 1
    document = create_assessment(request, draft_id=draft.id, sequence=sequence, draft_revision=revision)
    moved = previous is not None and (previous.catalogue_version, previous.model_version) != (
        document["catalogue_version"],
        document["model_version"],
    )
    _touch(draft)  # the link lives on from the last change, without counting a new revision
    return Submission(document, True, programmes_changed(previous.result, document) if moved else None)


def _stored_or_matched(draft: Draft, request: dict[str, Any], revision: int | None) -> Submission:
    """The result these answers (this revision) already have with today's catalogue and model, or a new one."""
    stored = db.session.scalar(
        select(Assessment).where(
            Assessment.draft_id == draft.id,
            Assessment.draft_revision == revision,
            Assessment.catalogue_version == current_version(),
            Assessment.model_version == model_version(),
        )
    )
    if stored is not None:
        return Submission(stored.result, False)
    return _store(draft, request, revision)


def submit(draft: Draft) -> Submission:
    """Match the draft and store the result as the next entry of its history, once per revision of the answers and
    version of the catalogue and model.

    `created` is False when this revision was already matched with today's catalogue and model, and the document
    is then the stored one; nothing is added. Call inside write_transaction(). Two submits of one draft take turns:
    on SQLite BEGIN IMMEDIATE makes the second wait for the first to commit; on PostgreSQL the draft's row is
    locked (SELECT ... FOR UPDATE), so the second reads after the first committed and finds its result. Anything
    that still races (an insert that skips this function) fails on the unique constraints with IntegrityError,
    which the caller turns into "show the stored result".
    """
    db.session.refresh(draft, with_for_update=True)
    return _stored_or_matched(draft, request_document(draft), draft.revision)


def refresh(draft: Draft, earlier: Assessment) -> Submission:
    """Match an earlier result's answers again with today's catalogue: a new entry of the history, never an edit
    of the old one. If those answers were already matched with today's catalogue, that result is returned."""
    db.session.refresh(draft, with_for_update=True)
    return _stored_or_matched(draft, earlier.request, earlier.draft_revision)


def history(draft: Draft) -> list[Assessment]:
    return list(db.session.scalars(select(Assessment).where(Assessment.draft_id == draft.id).order_by(Assessment.sequence.desc())))

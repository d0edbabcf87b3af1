"""Drafts behind private links: create, find, save, and turn into an assessment.

A private link carries a random token (144 bits). The database keeps only the token's SHA-256 digest, so a copy
of the table opens nobody's profile, and looking a token up compares digests, not the secret itself. A draft
lives DRAFT_LIFETIME_DAYS after its last change (config; 30 days by default), then its link answers 404.

Submitting is idempotent per revision of the answers: every save() counts a new revision, and submit() stores at
most one assessment for a revision, so a double click, a retried POST or Back-then-resubmit returns the stored
result instead of making a second one. The database holds the rule too (unique (draft_id, draft_revision) and
(draft_id, sequence)), so two submits that race past the check cannot both commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from webapp.assessments import TOKEN_BYTES, create_assessment
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
    instead of matching the same answers a second time. (`data` is always a new dict: see forms.to_draft.)"""
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


def submit(draft: Draft) -> tuple[dict[str, Any], bool]:
    """Match the draft and store the result as the next entry of its history, once per revision of the answers.

    Returns (document, created): created is False when this revision was already submitted, and the document is
    then the stored one; nothing is added. Call inside write_transaction(). Two submits of one draft take turns:
    on SQLite BEGIN IMMEDIATE makes the second wait for the first to commit; on PostgreSQL the draft's row is
    locked (SELECT ... FOR UPDATE), so the second reads after the first committed and finds its result. Anything
    that still races (an insert that skips this function) fails on the unique constraints with IntegrityError,
    which the caller turns into "show the stored result".
    """
    db.session.refresh(draft, with_for_update=True)
    stored = db.session.scalar(select(Assessment).where(Assessment.draft_id == draft.id, Assessment.draft_revision == draft.revision))
    if stored is not None:
        return stored.result, False
    sequence = (db.session.scalar(select(func.max(Assessment.sequence)).where(Assessment.draft_id == draft.id)) or 0) + 1
    document = create_assessment(request_document(draft), draft_id=draft.id, sequence=sequence, draft_revision=draft.revision)
    _touch(draft)  # the link lives on from the last change, without counting a new revision
    return document, True


def history(draft: Draft) -> list[Assessment]:
    return list(db.session.scalars(select(Assessment).where(Assessment.draft_id == draft.id).order_by(Assessment.sequence.desc())))

"""Idempotency-Key for POST /api/v1/assessments (draft-ietf-httpapi-idempotency-key-header).

A client that sends the header can retry a POST whose answer it never got: the same key with the same body
returns the assessment stored the first time (200, `Idempotent-Replayed: true`) and stores nothing; the same key
with another body is refused (422, code idempotency_key_reused). Only the key's SHA-256 digest is stored, in the
unique column assessments.idempotency_key, so two requests racing with one key cannot both store a row.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.assessments import create_assessment, validate_profile
from webapp.db import Assessment, db, write_transaction

HEADER = "Idempotency-Key"
MAX_LENGTH = 200


def valid(key: str) -> bool:
    """1 to 200 visible ASCII characters (spaces allowed inside), as a UUID or any client-made token is."""
    return 0 < len(key) <= MAX_LENGTH and key.isascii() and key.isprintable() and key.strip() == key


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def stored(key: str | None) -> Assessment | None:
    if not key:
        return None
    return db.session.scalar(select(Assessment).where(Assessment.idempotency_key == _digest(key)))


def create_once(data: Any, key: str | None) -> tuple[Assessment | None, dict[str, Any] | None]:
    """Store a new assessment, unless one was stored with this key: (earlier, None) or (None, new document).

    On SQLite the write transaction (BEGIN IMMEDIATE) makes a second request with the key wait and then find the
    first; on PostgreSQL both may insert, the unique key fails the later one, and it reads the first after the
    rollback. Raises InvalidProfileError (nothing stored) for an invalid body.
    """
    try:
        with write_transaction():
            earlier = stored(key)
            if earlier is not None:
                return earlier, None
            document = create_assessment(data, idempotency_key=_digest(key) if key else None)
            return None, document
    except IntegrityError:
        earlier = stored(key)  # a request with the same key committed first
        if earlier is None:
            raise
        return earlier, None


def same_request(record: Assessment, data: Any) -> bool:
    """Whether the body asks for what was stored (compared as validated, so key order and spacing do not matter).

    Raises InvalidProfileError when the body is not valid.
    """
    return validate_profile(data).model_dump(mode="json", exclude_none=True) == record.request

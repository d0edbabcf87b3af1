"""The audit log: one append-only row per staff action, in the same transaction as the action itself."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_login import current_user

from webapp.admin.auth import client_ip
from webapp.db import AuditEntry, db, utcnow


def record(action: str, object_type: str | None = None, object_id: str | None = None, diff: dict[str, Any] | None = None,
           actor_email: str | None = None) -> None:  # fmt: skip
    actor_id = None
    if has_request_context() and current_user.is_authenticated:
        actor_id, actor_email = current_user.user.id, actor_email or current_user.email
    db.session.add(
        AuditEntry(
            at=utcnow(),
            actor_id=actor_id,
            actor_email=actor_email,
            action=action,
            object_type=object_type,
            object_id=object_id,
            diff=diff,
            ip=client_ip() if has_request_context() else None,
        )
    )

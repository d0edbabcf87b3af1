"""Assess a firm: validate its profile, score it, match it, and (for stored assessments) keep the result.

The API, the CLI and the web pages all come through here, so they return the same document.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from pydantic import ValidationError

from models.action_plan import action_plan
from models.document import action_plan_document, result_document
from models.matching import match
from models.profile import ProfileRequest, answer_problems, build_profile
from models.ranking import prior
from models.readiness import load_bank
from webapp.catalogue import compiled_catalogue, current_version, match_day
from webapp.db import Assessment, db, utcnow
from webapp.i18n import render_text

TOKEN_BYTES = 18  # 144 bits: an id nobody can guess


class InvalidProfileError(ValueError):
    """Field-by-field problems with a profile, keyed by dotted path ('enterprise.employees')."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("invalid profile")
        self.fields = fields


def _path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def validate_profile(data: Any) -> ProfileRequest:
    if not isinstance(data, dict):
        raise InvalidProfileError({"body": "The request body must be a JSON object"})
    try:
        request = ProfileRequest.model_validate(data)
    except ValidationError as error:
        fields: dict[str, str] = {}
        for e in error.errors():
            message = e["msg"].removeprefix("Value error, ")
            fields.setdefault(_path(e["loc"]), message)
        raise InvalidProfileError(fields) from error
    problems = answer_problems(load_bank(), request.answers or {})
    if problems:
        raise InvalidProfileError(problems)
    return request


def model_version() -> str:
    return f"questions-{load_bank().version}+ranker-{prior().version}"


def evaluate(request: ProfileRequest, day: dt.date | None = None) -> dict[str, Any]:
    """The match document for a valid profile, in the profile's language; nothing is stored."""
    profile = build_profile(request, load_bank())
    day = day or match_day()
    result = match(profile, compiled_catalogue(day), prior(), model_version(), day, current_app.config["EXPLAIN_LIMIT"])
    with force_locale(request.language):
        document = result_document(result, render=render_text, translate=gettext)
        document["action_plan"] = action_plan_document(action_plan(result), render=render_text)
        return document


def create_assessment(
    data: Any,
    draft_id: str | None = None,
    sequence: int | None = None,
    draft_revision: int | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Validate, match and add the assessment to the caller's write transaction; returns the stored document.

    A journey submit passes its draft, the next sequence and the revision of the answers it matched; an API request
    with an Idempotency-Key passes the key's digest. Raises InvalidProfileError (nothing added) when the profile is
    invalid.
    """
    request = validate_profile(data)
    document = evaluate(request)
    created = utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    full = {"id": token, "created_at": created.isoformat(timespec="seconds") + "Z", **document}
    db.session.add(
        Assessment(
            id=token,
            draft_id=draft_id,
            sequence=sequence,
            created_at=created,
            request=request.model_dump(mode="json", exclude_none=True),
            result=full,
            catalogue_version=document["catalogue_version"],
            model_version=document["model_version"],
            draft_revision=draft_revision,
            idempotency_key=idempotency_key,
        )
    )
    return full


# What a firm sees of a programme in its results; a programme whose view differs between two results "changed".
_VIEW = ("eligibility", "reach", "benefit", "benefit_terms", "status", "closes", "source_url", "criteria")


def programmes_changed(before: dict[str, Any], after: dict[str, Any]) -> int:
    """How many programmes a firm sees differently in `after` than in `before` (two result documents): offered or
    refused in one only, or shown with another outcome, benefit, status, deadline, source or criteria."""

    def views(document: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
        entries = [*document.get("matches", []), *document.get("not_eligible", [])]
        return {e["programme_id"]: tuple(repr(e.get(key)) for key in _VIEW) for e in entries}

    old, new = views(before), views(after)
    return sum(old.get(programme) != new.get(programme) for programme in set(old) | set(new))


def is_current(assessment: Assessment) -> bool:
    """Made with the catalogue and model in force now (otherwise the same answers would be matched again)."""
    return assessment.catalogue_version == current_version() and assessment.model_version == model_version()


def stored_record(token: str) -> Assessment | None:
    """The stored assessment with this id, or None (an id of impossible length is not looked up)."""
    return db.session.get(Assessment, token) if 0 < len(token) <= 64 else None


def stored_assessment(token: str) -> dict[str, Any] | None:
    record = stored_record(token)
    return None if record is None else record.result

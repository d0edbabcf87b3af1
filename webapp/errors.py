"""Error pages and API error bodies: what a reader sees when something goes wrong, and nothing more.

No page or body carries a trace, SQL, a file path or an exception's text. Unexpected errors (500) and an unavailable
database (503) get a short incident id, logged with the trace and shown to the reader so support can find it. A
database that cannot be reached, is locked or is read-only answers 503 with Retry-After; the session is rolled back
and the next request tries again (pool_pre_ping), so the service comes back on its own when the database does.

The API keeps its contract's body, {"error": {"code", "message", "fields"?}} (webapp.api.routes.error_response).
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from typing import Any

from flask import Flask, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from webapp.db import db
from webapp.error_page import error_page
from webapp.redaction import redact

log = logging.getLogger("tremplin")

RETRY_AFTER_SECONDS = 30
# Headers an HTTP error brings with it that the reader's client needs (Retry-After from a rate limit, Allow on 405).
KEPT_HEADERS = ("Retry-After", "Allow", "WWW-Authenticate")
# What "the database is not there" looks like: unreachable, refused, locked, read-only, out of pool connections.
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError, sqlite3.OperationalError)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def new_incident() -> str:
    return secrets.token_hex(6)


def _kept_headers(error: HTTPException) -> dict[str, str]:
    # get_response() is the exception's own response (or the limiter's, when it brought one), with its headers.
    headers = error.get_response().headers
    return {name: headers[name] for name in KEPT_HEADERS if name in headers}


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone as well; the session is removed at teardown anyway
        log.debug("rollback after a database error failed too", exc_info=True)


def unexpected(error: Exception) -> Response:
    """500: log the trace with an incident id; tell the reader what happened to their answers, not what broke."""
    from webapp.api.routes import error_response

    _rollback()
    incident = new_incident()
    cause = getattr(error, "original_exception", None) or error  # an InternalServerError wraps what was raised
    log.error("incident %s: unexpected error on %s %s", incident, request.method, redact(request.path), exc_info=cause)
    if wants_json():
        return error_response(
            500, "internal_error", _("Something went wrong on our side; nothing was stored. Incident %(id)s.", id=incident)
        )
    return error_page(500, incident=incident)


def database_unavailable(error: Exception) -> Response:
    """503 + Retry-After: the database is unreachable, locked or read-only. Saved answers are untouched."""
    from webapp.api.routes import error_response

    _rollback()
    incident = new_incident()
    log.error(
        "incident %s: database unavailable on %s %s (%s)",
        incident,
        request.method,
        redact(request.path),
        type(error).__name__,
        exc_info=error,
    )
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if wants_json():
        message = _(
            "The service is unavailable just now; nothing was stored. Try again in %(seconds)d seconds. Incident %(id)s.",
            seconds=RETRY_AFTER_SECONDS,
            id=incident,
        )
        return error_response(503, "unavailable", message, headers=headers)
    return error_page(503, headers, incident=incident)


def http_error(error: HTTPException) -> Response:
    from webapp.api.routes import http_error as api_http_error

    status = error.code or 500
    if status >= 500:
        return unexpected(error) if status != 503 else database_unavailable(error)
    headers = _kept_headers(error)
    if wants_json():
        response = api_http_error(error)
        response.headers.update(headers)
        return response
    return error_page(status, headers)


def _private_link_back() -> str | None:
    """On a journey page, the way back to the reader's answers (only if the private link in the URL is live)."""
    from flask import url_for

    from webapp import drafts

    token = (request.view_args or {}).get("token")
    if not token or request.blueprint not in ("journey", "results"):
        return None
    return url_for("journey.resume", token=token) if drafts.find_draft(token) else None


def _unknown_private_link() -> bool:
    """A form posted to a private address whose token opens nothing answers 404, as the page itself would."""
    from webapp import drafts
    from webapp.results import sharing

    args = request.view_args or {}
    if "token" in args and request.blueprint in ("journey", "results"):
        return drafts.find_draft(args["token"]) is None
    if "share_token" in args:
        return sharing.find_link(args["share_token"]) is None
    return False


def csrf_error(error: CSRFError) -> Any:
    """A form posted with an expired, missing or foreign CSRF token: nothing is saved, and no typing is lost.

    On a journey page the same page comes back with what was typed (webapp.assessment.routes.step_after_csrf_error);
    elsewhere a page says what to do. The API is exempt from CSRF (it uses no cookie).
    """
    from webapp.assessment.routes import step_after_csrf_error

    log.info("CSRF check failed on %s %s: %s", request.method, redact(request.path), error.description)
    try:
        if _unknown_private_link():
            return error_page(404)
        if request.endpoint == "journey.step":
            args = request.view_args or {}
            page = step_after_csrf_error(args["token"], args["slug"])
            if page is not None:
                return page
            return error_page(404)
        return error_page(400, csrf=True, back=_private_link_back())
    except UNAVAILABLE as problem:
        return database_unavailable(problem)


def register_errors(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)
    for kind in UNAVAILABLE:
        app.register_error_handler(kind, database_unavailable)
    app.register_error_handler(Exception, unexpected)

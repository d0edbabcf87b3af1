"""The HTML error page, shared by the app-wide error handlers (webapp/errors.py) and the modules that answer an
error themselves (webapp/form_text.py for a form that is not UTF-8)."""

from __future__ import annotations

import logging
import math
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _
from markupsafe import escape
from werkzeug.wrappers import Response

log = logging.getLogger("tremplin")


def _retry_minutes(headers: dict[str, str]) -> int | None:
    value = headers.get("Retry-After", "")
    return max(1, math.ceil(int(value) / 60)) if value.isdigit() else None


def error_page(status: int, headers: dict[str, str] | None = None, **context: Any) -> Response:
    """The HTML error page; if even the template fails, a plain sentence (the reader still gets the status)."""
    headers = headers or {}
    try:
        body = render_template(
            "error.html", status=status, retry_minutes=_retry_minutes(headers), days=current_app.config["DRAFT_LIFETIME_DAYS"], **context
        )
        mimetype = "text/html"
    except Exception:
        log.exception("the error page for %s could not be rendered", status)
        body = str(escape(_("Sorry, there is a problem with the service. Try again later.")))
        mimetype = "text/plain"
    return Response(body, status=status, headers=headers, mimetype=mimetype)

"""Private tokens kept out of logs: the one rule shared by the app's request log (webapp.security) and gunicorn's
access and error logs (webapp.gunicorn_logging).

A private link (/p/<token>), a results page (/results/<token>), a share link (/shared/<token>) and an API
assessment (/api/v1/assessments/<id>) are opened by whoever holds the URL, so the segment after one of those is a
secret and is logged as "…". Prefixes are compared percent-decoded (/%70/<token> reaches the same page), but the
logged text is never decoded, so a request cannot forge a log line. Standard library only: gunicorn's master
process loads it without the app.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

REDACTED = "…"
SECRET_PARENTS = frozenset({"p", "results", "shared", "assessments"})
_PATH = re.compile(r"/[^\s?#\"']*")


def _redact_segments(match: re.Match[str]) -> str:
    segments = match.group(0).split("/")
    for index in range(1, len(segments) - 1):
        if segments[index + 1] and unquote(segments[index]).lower() in SECRET_PARENTS:
            segments[index + 1] = REDACTED
    return "/".join(segments)


def redact(text: str) -> str:
    """The text with every secret URL segment replaced by "…" (paths, full URLs, request lines)."""
    return _PATH.sub(_redact_segments, text) if "/" in text else text


def redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value

"""A gunicorn logger that keeps private tokens out of the logs (gunicorn.conf.py sets it as logger_class).

A private link (/p/<token>), a results page (/results/<token>), a share link (/shared/<token>) and an API
assessment (/api/v1/assessments/<id>) are opened by whoever holds the URL, so the URL is the secret. gunicorn's
access_log_format can pick atoms but not edit them, so this class rewrites every text atom (the request line, the
path, the Referer and Location headers, the environ) and the error log's arguments (gunicorn logs "Error handling
request <uri>"), replacing the segment after one of those prefixes with "…". Percent-encoded prefixes (/%70/...)
are recognised too; the logged text is never percent-decoded, so a request cannot forge a log line.

This module imports only gunicorn and the standard library (and the webapp package, whose import does nothing),
so the master process can load it without the app.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from webapp.redaction import redact_value


class RedactingLogger(Logger):
    """gunicorn's logger, with tokens in URLs replaced by "…" in the access and error logs."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        return {name: redact_value(value) for name, value in super().atoms(resp, req, environ, request_time).items()}

    def critical(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        super().critical(redact_value(msg), *map(redact_value, args), **kwargs)

    def error(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        super().error(redact_value(msg), *map(redact_value, args), **kwargs)

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        super().warning(redact_value(msg), *map(redact_value, args), **kwargs)

    def info(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        super().info(redact_value(msg), *map(redact_value, args), **kwargs)

    def debug(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        super().debug(redact_value(msg), *map(redact_value, args), **kwargs)

    def exception(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        super().exception(redact_value(msg), *map(redact_value, args), **kwargs)

    def log(self, lvl: Any, msg: Any, *args: Any, **kwargs: Any) -> None:
        super().log(lvl, redact_value(msg), *map(redact_value, args), **kwargs)

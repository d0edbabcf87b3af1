"""Security headers on every response, the CSP nonce, proxy trust, and private tokens kept out of request logs.

`init_security(app)` is called once by create_app(). The headers are added in an after_request hook, which Flask
runs for views, static files, redirects and the responses of error handlers alike (docs/security.md lists them).
"""

from __future__ import annotations

import logging
import secrets

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from webapp.redaction import redact_value

log = logging.getLogger("tremplin")

# Paths whose URL or body carries a private token or staff data: never stored by a browser or a shared cache.
PRIVATE_PREFIXES = ("/p/", "/start", "/results/", "/shared/", "/data-deleted", "/admin", "/api/v1/assessments")
HSTS = "max-age=31536000; includeSubDomains"
NONCE_KEY = "tremplin.csp_nonce"
# The host name prefix a browser accepts only with Secure, Path=/ and no Domain.
HOST_PREFIX = "__Host-"


def csp_nonce() -> str:
    """This request's nonce for inline and module scripts (base.html hands it to the GOV.UK template).

    Kept in the request's WSGI environ, not on `g`: an application context can outlive one request (the test
    client reuses an active one), and a nonce must never be reused.
    """
    nonce = request.environ.get(NONCE_KEY)
    if nonce is None:
        nonce = request.environ[NONCE_KEY] = secrets.token_urlsafe(18)
    return nonce


def content_security_policy(nonce: str) -> str:
    # No 'unsafe-inline' anywhere: inline <script> runs only with the nonce, and style="" attributes are refused,
    # which is why templates and SVG charts style through classes in app.css.
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        )
    )


def is_private(path: str) -> bool:
    return path.startswith(PRIVATE_PREFIXES)


class RedactTokensFilter(logging.Filter):
    """Rewrites werkzeug's request log lines so that private tokens never reach a log.

    werkzeug logs `'%s - - [%s] "%s" %s %s'` with the request line as an argument (possibly wrapped in ANSI colour
    codes). Both the message and its arguments are rewritten; the record is always kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_value(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: redact_value(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(redact_value(value) for value in record.args)
        return True


REDACT_FILTER = RedactTokensFilter()
# werkzeug's request log (`flask run`, the test servers); gunicorn's logs use webapp.gunicorn_logging instead.
REQUEST_LOGGERS = ("werkzeug",)


def _install_log_filter() -> None:
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if REDACT_FILTER not in logger.filters:  # create_app() may run many times in one process
            logger.addFilter(REDACT_FILTER)


def _session_cookie_name(app: Flask) -> None:
    """A __Host- cookie needs Secure: without it a browser drops the cookie, so fall back to a plain name."""
    name = app.config["SESSION_COOKIE_NAME"]
    if name.startswith(HOST_PREFIX) and not app.config["SESSION_COOKIE_SECURE"]:
        app.config["SESSION_COOKIE_NAME"] = name[len(HOST_PREFIX) :]
        log.warning(
            "SESSION_COOKIE_SECURE is off, so the session cookie is called %s, without the __Host- prefix", name[len(HOST_PREFIX) :]
        )


def _add_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"  # frame-ancestors for browsers that predate it
    # "0" switches off the old XSS auditor, as OWASP advises: current browsers removed it, and in the old ones that
    # still have it, it could be abused to blank parts of a page. The CSP is the protection against XSS.
    headers["X-XSS-Protection"] = "0"
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")  # a page may ask for stricter
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    if is_private(request.path) or response.status_code >= 500:
        headers["Cache-Control"] = "no-store"
    return response


def init_security(app: Flask) -> None:
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops:
        # Behind N reverse proxies: believe the last N X-Forwarded-For/-Proto/-Host/-Port values and no more, so
        # request.is_secure (HSTS, Secure cookies) and remote_addr are right and a client cannot forge them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]
    _session_cookie_name(app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_add_headers)
    _install_log_filter()

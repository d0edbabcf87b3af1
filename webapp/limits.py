"""Rate limits (Flask-Limiter) on the endpoints that create things, send e-mail, build files or check passwords.

The numbers live in config.RATE_LIMITS and are argued for in docs/security.md ("Rate limits"). This module only
decides where each applies and to whom:

- The client is request.remote_addr: the socket's peer, never an X-Forwarded-For header the client wrote. Behind
  reverse proxies, TRUSTED_PROXIES (werkzeug ProxyFix, webapp.security) makes remote_addr the address the nearest
  trusted proxy saw, so a forged header still changes nothing.
- The store is shared by every worker: Redis in production, otherwise a SQLite file of its own in the instance
  folder (webapp.limits_storage), so `gunicorn -w 4` allows N requests in a window, not 4×N. memory:// is only
  for tests that want it.
- Limits are attached to the view functions here, by endpoint name, so the route modules carry no limiter code.
  The wrapper runs after the blueprint's before-request checks (CSRF, staff sign-in), before the view body.

A 429 is Flask-Limiter's RateLimitExceeded, an HTTPException, so the app's error handler (webapp.errors) renders it
like any other error: the GOV.UK page saying how long to wait, or the API's error body with code
"too_many_requests". Flask-Limiter's after-request hook then sets Retry-After on whatever response the handler made.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user

import webapp.limits_storage  # registers the sqlite-file:// storage scheme with `limits`
from config import BaseConfig

RATE_LIMIT_FILE = "ratelimits.sqlite"
TOO_MANY = "Too many requests from your address. Wait a little, then try again."


def client_address() -> str:
    return get_remote_address()


def recipient_key() -> str:
    """The e-mail address asked for, as a keyed hash: a limit per recipient, without the address in the store."""
    address = (request.form.get("email") or "").strip().lower()
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), address.encode(), hashlib.sha256).hexdigest()
    return f"recipient:{digest[:32]}"


def staff_member() -> str:
    """Staff exports are limited per account (colleagues share an office address); the session token stays out."""
    if current_user.is_authenticated:
        return f"staff:{current_user.user.id}"
    return client_address()


def _mail_not_sent() -> bool:
    from webapp.mail import mail_configured

    return not mail_configured()


def _no_recipient() -> bool:
    return _mail_not_sent() or not (request.form.get("email") or "").strip()


def _not_pdf() -> bool:
    return (request.view_args or {}).get("fmt") != "pdf"


def _not_a_download() -> bool:
    return request.args.get("download") != "1"


def _retry_after(limit: RequestLimit) -> Response:
    """The breach as a bare 429 carrying Retry-After, which RateLimitExceeded carries to the error handler.

    webapp.errors keeps the Retry-After of the exception's own response, so the page can say how many minutes to
    wait; Flask-Limiter's after-request hook writes the same header on the final response either way.
    """
    seconds = max(1, int(limit.reset_at - time.time()))  # as Flask-Limiter writes the header, so page and header agree
    return Response(TOO_MANY, status=429, headers={"Retry-After": str(seconds)}, mimetype="text/plain")


def rate_limits(app: Flask) -> dict[str, str]:
    """The defaults with the deployment's entries over them; an unknown name is a typo, not a new limit."""
    configured = app.config.get("RATE_LIMITS") or {}
    unknown = set(configured) - set(BaseConfig.RATE_LIMITS)
    if unknown:
        raise RuntimeError(f"RATE_LIMITS has unknown entries {sorted(unknown)}; known: {sorted(BaseConfig.RATE_LIMITS)}")
    return {**BaseConfig.RATE_LIMITS, **configured}


def _report_endpoints(app: Flask) -> list[str]:
    """Every report download, wherever it is mounted (results pages today, the API if it serves them too)."""
    # "/report.<fmt>" on the results pages, "/report.<any(pdf, csv, xlsx, json):fmt>" in the API.
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if re.search(r"/report\.<(any\([^)]*\):)?fmt>$", rule.rule)})


def init_limits(app: Flask) -> Limiter | None:
    """Attach the limits to this app's views. One Limiter per app: Flask-Limiter keeps its storage on the instance."""
    if not app.config.get("RATELIMIT_ENABLED", True):
        return None
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = f"{webapp.limits_storage.SCHEME}://{Path(app.instance_path) / RATE_LIMIT_FILE}"
    numbers = rate_limits(app)
    limiter = Limiter(key_func=client_address, on_breach=_retry_after, app=app)

    def per_client(name: str, **options: Any) -> Callable:
        return limiter.limit(numbers[name], key_func=options.pop("key_func", client_address), error_message=TOO_MANY, **options)

    def shared(name: str, **options: Any) -> Callable:
        # One bucket for several endpoints (the scope is the name, not the endpoint).
        key_func = options.pop("key_func", client_address)
        return limiter.shared_limit(numbers[name], scope=name, key_func=key_func, error_message=TOO_MANY, **options)

    plan: dict[str, list[Callable]] = {
        "journey.start": [per_client("start")],
        "api.create": [per_client("api_create")],
        "journey.save": [
            per_client("email", methods=["POST"], exempt_when=_mail_not_sent),
            per_client("email_recipient", methods=["POST"], exempt_when=_no_recipient, key_func=recipient_key),
        ],
        "results.create_share": [per_client("share")],
        # Consent, withdrawal and deletion write to the database and the audit log; the data download builds a file.
        "results.give_consent": [shared("privacy")],
        "results.withdraw_consent": [shared("privacy")],
        "results.delete_data": [shared("privacy")],
        "results.my_data_download": [shared("report")],
        "admin.sign_in": [shared("sign_in", methods=["POST"])],
        "admin.sign_in_code": [shared("sign_in", methods=["POST"])],
        "admin.enrol": [shared("sign_in", methods=["POST"])],
        "admin.results_export": [shared("admin_export", key_func=staff_member, exempt_when=_not_a_download)],
        "admin.export": [shared("admin_export", key_func=staff_member)],
        "admin.audit_export": [shared("admin_export", key_func=staff_member)],
    }
    reports = _report_endpoints(app)
    if not reports:
        raise RuntimeError("no report download endpoint found to rate-limit (a rule ending in /report.<fmt>)")
    for endpoint in reports:
        plan[endpoint] = [shared("report"), shared("report_pdf", exempt_when=_not_pdf)]

    missing = sorted(set(plan) - set(app.view_functions))
    if missing:
        # A renamed endpoint would otherwise lose its limit without anyone noticing.
        raise RuntimeError(f"rate limits name endpoints that do not exist: {missing}")
    for endpoint, decorators in plan.items():
        view = app.view_functions[endpoint]
        for decorate in decorators:
            view = decorate(view)
        app.view_functions[endpoint] = view
    app.extensions["tremplin_limiter"] = limiter
    return limiter

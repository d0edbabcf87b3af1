"""The /admin blueprint and its guards.

Every /admin URL but the sign-in steps needs a signed-in staff member (anonymous visitors are sent to sign in);
each view then names the least role it needs with @requires (403 for anyone below it). Every form carries a CSRF
token. Routes: webapp.admin.accounts (sign-in, password, staff) and webapp.admin.routes (the catalogue).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

admin = Blueprint("admin", __name__, url_prefix="/admin")
PUBLIC_ENDPOINTS = {"admin.sign_in", "admin.enrol", "admin.sign_in_code"}


def requires(role: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.can(role):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_role = role  # type: ignore[attr-defined]
        return guarded

    return decorate


@admin.before_request
def _signed_in_only() -> Any:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("admin.sign_in"))
    if current_user.user.must_change_password and request.endpoint not in ("admin.password", "admin.sign_out"):
        return redirect(url_for("admin.password"))
    return None

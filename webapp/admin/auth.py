"""Staff accounts: argon2id passwords, a TOTP second factor, throttled sign-in, server-side sessions.

A staff session lives on the server (StaffSession): the browser's cookie holds a random token whose digest names
the row, so signing out revokes it for good, and the idle (30 minutes) and absolute (12 hours) limits are checked
on every request. Flask-Login sees the session token as the user's id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
import time
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, g, request
from flask_login import LoginManager, UserMixin
from sqlalchemy import func, select

from webapp.db import SignInAttempt, StaffSession, StaffUser, db, utcnow

ROLES = ("viewer", "curator", "admin")  # each role can do what the ones before it can
ISSUER = "Tremplin"
THROTTLE_FAILURES, THROTTLE_WINDOW = 10, dt.timedelta(minutes=15)
IDLE_TIMEOUT, ABSOLUTE_TIMEOUT = dt.timedelta(minutes=30), dt.timedelta(hours=12)
LAST_SEEN_PRECISION = dt.timedelta(seconds=60)  # write last_seen at most once a minute per session
MIN_PASSWORD_LENGTH = 12

hasher = PasswordHasher()  # argon2id with the library's current OWASP-aligned parameters
login_manager = LoginManager()
# A dummy hash verified when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def has_role(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


@dataclass
class StaffPrincipal(UserMixin):
    """The signed-in staff member as Flask-Login sees them: the user and the server-side session."""

    user: StaffUser
    session_token: str

    def get_id(self) -> str:
        return self.session_token

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def role(self) -> str:
        return self.user.role

    def can(self, needed: str) -> bool:
        return has_role(self.user.role, needed)


def new_password() -> str:
    return secrets.token_urlsafe(15)  # 120 bits, shown once


def hash_password(password: str) -> str:
    return hasher.hash(password)


def check_password(user: StaffUser | None, password: str) -> bool:
    try:
        return hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def create_user(email: str, role: str) -> tuple[StaffUser, str]:
    """A new account with a one-time password (inside the caller's transaction); the password is returned once."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    email = normalise_email(email)
    if db.session.scalar(select(StaffUser).where(StaffUser.email == email)):
        raise ValueError(f"{email} already has an account")
    password = new_password()
    user = StaffUser(email=email, role=role, password_hash=hash_password(password), must_change_password=True)
    db.session.add(user)
    db.session.flush()
    return user, password


def find_user(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email), StaffUser.active.is_(True)))


def retry_after(email: str, ip: str) -> int | None:
    """Seconds to wait when the account or the address has had too many recent failures; None when free."""
    since = utcnow() - THROTTLE_WINDOW
    waits = []
    for column, value in ((SignInAttempt.email, normalise_email(email)), (SignInAttempt.ip, ip)):
        recent = select(SignInAttempt.at).where(column == value, SignInAttempt.at > since).order_by(SignInAttempt.at.desc())
        times = list(db.session.scalars(recent.limit(THROTTLE_FAILURES)))
        if len(times) >= THROTTLE_FAILURES:
            waits.append(math.ceil((times[-1] + THROTTLE_WINDOW - utcnow()).total_seconds()))
    return max(waits) if waits else None


def record_failure(email: str, ip: str) -> None:
    db.session.add(SignInAttempt(email=normalise_email(email)[:254], ip=ip[:64]))


def failures_count() -> int:
    return db.session.scalar(select(func.count()).select_from(SignInAttempt)) or 0


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: StaffUser, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def verify_totp(user: StaffUser, secret: str, code: str) -> bool:
    """A 6-digit code for now or the step either side; a step already used is refused (no replay)."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // totp.interval
    for step in (now_step - 1, now_step, now_step + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False
            user.totp_last_step = step
            return True
    return False


def start_session(user: StaffUser) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(StaffSession(id=digest(token), user_id=user.id, created_at=now, last_seen_at=now))
    return token


def revoke_session(token: str) -> None:
    session = db.session.get(StaffSession, digest(token))
    if session is not None and session.revoked_at is None:
        session.revoked_at = utcnow()


def live_session(token: str) -> tuple[StaffSession, StaffUser] | None:
    """The session and user for a token, unless revoked, idle too long, too old, or the user is inactive."""
    if not token or len(token) > 100:
        return None
    session = db.session.get(StaffSession, digest(token))
    now = utcnow()
    if session is None or session.revoked_at is not None:
        return None
    if now - session.last_seen_at > IDLE_TIMEOUT or now - session.created_at > ABSOLUTE_TIMEOUT:
        return None
    user = db.session.get(StaffUser, session.user_id)
    if user is None or not user.active:
        return None
    return session, user


@login_manager.user_loader
def _load(token: str) -> StaffPrincipal | None:
    found = live_session(token)
    if found is None:
        return None
    session, user = found
    if utcnow() - session.last_seen_at > LAST_SEEN_PRECISION:
        session.last_seen_at = utcnow()
        db.session.commit()
    return StaffPrincipal(user, token)


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "admin.sign_in"

    @app.before_request
    def _check_the_session_on_every_request() -> None:
        # Flask-Login caches the user on `g`, which lives as long as the application context; when a context
        # outlives one request (tests, CLI), a revoked or timed-out session must still be noticed.
        g.pop("_login_user", None)


def staff_password_problem(password: str, email: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > 200:
        return "Use 200 characters or fewer"
    if normalise_email(email).split("@")[0] in password.lower():
        return "Do not use your e-mail address in your password"
    return None


def client_ip() -> str:
    return (request.remote_addr or "unknown")[:64]

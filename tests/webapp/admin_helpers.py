"""Staff accounts and sign-in for tests, through the real forms (password, then a real TOTP code)."""

from __future__ import annotations

import time

import pyotp

from webapp.admin import auth
from webapp.db import StaffUser, db, write_transaction

PASSWORD = "correct horse battery staple"


def make_staff(role: str = "admin", email: str | None = None) -> StaffUser:
    """An active account with a known password and a confirmed second factor."""
    with write_transaction():
        user, _ = auth.create_user(email or f"{role}@agency.example", role)
        user.password_hash = auth.hash_password(PASSWORD)
        user.must_change_password = False
        user.totp_secret, user.totp_confirmed = pyotp.random_base32(), True
    return user


def next_code(user: StaffUser) -> str:
    """A code for a time step not used yet (a used step is refused, so two sign-ins in 30 s need different steps)."""
    db.session.expire_all()
    user = db.session.get(StaffUser, user.id)
    totp = pyotp.TOTP(user.totp_secret)
    now_step = int(time.time()) // totp.interval
    step = now_step - 1 if user.totp_last_step is None else max(now_step - 1, user.totp_last_step + 1)
    assert step <= now_step + 1, "no unused step left in the window"
    return totp.generate_otp(step)


def sign_in(client, user: StaffUser, password: str = PASSWORD):
    response = client.post("/admin/sign-in", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    response = client.post("/admin/sign-in/code", data={"code": next_code(user)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response

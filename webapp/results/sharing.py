"""Read-only share links: one stored result of a draft, shown to an adviser without the private (edit) link.

A share link carries its own random token, separate from the draft's private token. As for drafts, only the
token's SHA-256 digest is stored; the first PUBLIC_ID_LENGTH hex characters of the digest name the link on the
private share page (to revoke it), so the share token itself appears in no URL but the share URL.
A link answers 404 once it has expired or been revoked.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput
from sqlalchemy import select
from wtforms import BooleanField, RadioField, SelectChoice
from wtforms.validators import AnyOf, InputRequired

from webapp.assessments import TOKEN_BYTES
from webapp.db import Assessment, Draft, ShareLink, db, utcnow
from webapp.drafts import TOKEN_MAX_LENGTH, digest

EXPIRY_DAYS = ("7", "30", "90")
DEFAULT_EXPIRY_DAYS = "30"
PUBLIC_ID_LENGTH = 16


class ShareForm(FlaskForm):
    expiry = RadioField(
        _l("How long should the link work?"),
        choices=[
            SelectChoice("7", _l("7 days")),
            SelectChoice("30", _l("30 days")),
            SelectChoice("90", _l("90 days")),
        ],
        default=DEFAULT_EXPIRY_DAYS,
        validate_choice=False,  # checked by AnyOf below, with a message of ours
        validators=[
            InputRequired(message=_l("Select how long the link should work")),
            AnyOf(EXPIRY_DAYS, message=_l("Select 7, 30 or 90 days")),
        ],
        widget=GovRadioInput(),
    )
    include_name = BooleanField(_l("Include the name of my business"), widget=GovCheckboxInput())


class RevokeForm(FlaskForm):
    """Only the CSRF token: the link to revoke is in the URL."""


def public_id(link: ShareLink) -> str:
    return link.id[:PUBLIC_ID_LENGTH]


def create_link(draft: Draft, assessment: Assessment, days: int, include_business_name: bool) -> str:
    """Store a share link (inside the caller's write transaction) and return its token, the only copy of it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    db.session.add(
        ShareLink(
            id=digest(token),
            draft_id=draft.id,
            assessment_id=assessment.id,
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
            include_business_name=include_business_name,
        )
    )
    return token


def is_live(link: ShareLink) -> bool:
    return link.revoked_at is None and link.expires_at > utcnow()


def find_link(token: str) -> ShareLink | None:
    """The live share link for a token, or None for an unknown, malformed, expired or revoked one (all look the same)."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    link = db.session.get(ShareLink, digest(token))
    if link is None or not is_live(link):
        return None
    return link


def links_of(draft: Draft) -> list[ShareLink]:
    return list(db.session.scalars(select(ShareLink).where(ShareLink.draft_id == draft.id).order_by(ShareLink.created_at.desc())))


def link_by_public_id(draft: Draft, link_id: str) -> ShareLink | None:
    """One of the draft's links by its public id; None for another draft's link or anything malformed."""
    if len(link_id) != PUBLIC_ID_LENGTH or any(c not in "0123456789abcdef" for c in link_id):
        return None
    return next((link for link in links_of(draft) if public_id(link) == link_id), None)


def revoke(link: ShareLink) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()

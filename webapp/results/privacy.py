"""A firm's rights over its own data, from its private results page: consent to follow-up contact (give, withdraw),
download everything stored about it (JSON), and delete everything.

Consent (GDPR Art. 7): the box is never ticked for the firm; not ticking it stores nothing and changes nothing else
(matching never depends on it). The words asked are kept here under a version id; each consent row stores the
version, so the exact words a firm agreed to can always be shown. Change the words => add a new version.
Withdrawing is one button on the same page: it sets withdrawn_at and erases the contact name and e-mail, keeping the
record that consent was given and when it was withdrawn.

Audit rows for these actions are written here rather than with webapp.admin.audit.record, which also stores the
client's IP address: an SME's address is personal data, and the deletion tombstone must hold none. The object id is
the first AUDIT_ID_LENGTH hex characters of the draft's digest (pseudonymous; after deletion it points at nothing).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from sqlalchemy import delete, func, select
from werkzeug.wrappers import Response
from wtforms import BooleanField, StringField
from wtforms.validators import Email, ValidationError

from models.names import clean_name
from webapp import drafts
from webapp.db import Assessment, AuditEntry, Draft, FollowUpConsent, ShareLink, db, utcnow, write_transaction
from webapp.results.routes import results, same_origin_referrer
from webapp.results.sharing import public_id

CONSENT_WORDING_VERSION = "2026-11-1"
# Every version ever shown, so that a stored wording_version always leads back to its words. Never edit one in
# place: add a new version and point CONSENT_WORDING_VERSION at it.
CONSENT_WORDINGS: dict[str, dict[str, Any]] = {
    "2026-11-1": {
        "question": _l("Would you like an adviser from the programme administrators to contact you about these results?"),
        "explanation": _l(
            "If you tick the box, we keep the email address and name you give us so that an adviser from the "
            "organisation that runs this service can contact you about these results and the programmes that fit. "
            "We use them for nothing else and share them with no one else. We keep them until you withdraw, delete "
            "your data, or your private link stops working, whichever comes first. You can withdraw at any time on "
            "this page, in one step. If you do not tick the box, nothing changes: your results stay the same."
        ),
        "agree": _l("Yes, I would like an adviser to contact me about these results"),
    },
}
AUDIT_ID_LENGTH = 12
NAME_MAX, EMAIL_MAX = 200, 254


def wording(version: str) -> dict[str, str]:
    """The words of a consent version, as plain text (in the current language)."""
    return {key: str(text) for key, text in CONSENT_WORDINGS[version].items()}


class ConsentForm(FlaskForm):
    """The consent question. Name and email are read only when the box is ticked; then the email is required."""

    consent = BooleanField(default=False)
    contact_name = StringField(
        _l("Your name (optional)"),
        # Kept as typed, minus control characters and bidirectional overrides (models/names.py).
        filters=[lambda v: clean_name(v) if isinstance(v, str) else v],
        widget=GovTextInput(),
    )
    contact_email = StringField(
        _l("Email address"),
        description=_l("We need it only if you tick the box."),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        widget=GovTextInput(),
    )

    def validate_contact_name(self, field: StringField) -> None:
        if not self.consent.data or not field.data:
            return
        if len(field.data) > NAME_MAX:
            raise ValidationError(_l("Enter a name of %(max)d characters or fewer", max=NAME_MAX))

    def validate_contact_email(self, field: StringField) -> None:
        if not self.consent.data:
            return
        if not field.data:
            raise ValidationError(_l("Enter your email address, so that an adviser can contact you"))
        if len(field.data) > EMAIL_MAX:
            raise ValidationError(_l("Enter an email address of %(max)d characters or fewer", max=EMAIL_MAX))
        Email(message=_l("Enter an email address in the correct format, like name@example.com"), check_deliverability=False)(self, field)


class ConfirmForm(FlaskForm):
    """Only the CSRF token: withdraw and delete act on the draft named in the URL."""


def _sme_audit(action: str, draft_id: str, diff: dict[str, Any] | None = None) -> None:
    """An audit row for an action of the firm itself: no actor, no IP address, no personal data in the diff."""
    db.session.add(AuditEntry(at=utcnow(), action=action, object_type="draft", object_id=draft_id[:AUDIT_ID_LENGTH], diff=diff))


def _with_results(token: str) -> tuple[Draft, list[Assessment]]:
    draft = drafts.find_draft(token)
    entries = drafts.history(draft) if draft else []
    if draft is None or not entries:
        abort(404)
    return draft, entries


def consents_of(draft: Draft) -> list[FollowUpConsent]:
    newest_first = (FollowUpConsent.given_at.desc(), FollowUpConsent.id.desc())
    statement = select(FollowUpConsent).where(FollowUpConsent.draft_id == draft.id).order_by(*newest_first)
    return list(db.session.scalars(statement))


def live_consent(draft: Draft) -> FollowUpConsent | None:
    return next((c for c in consents_of(draft) if c.withdrawn_at is None), None)


# Consent to follow-up contact.


def _contact_page(token: str, form: ConsentForm | None = None, status: int = 200) -> Response:
    draft, _entries = _with_results(token)
    html = render_template(
        "results/contact.html",
        token=token,
        form=form or ConsentForm(formdata=None),
        confirm_form=ConfirmForm(),
        consent=live_consent(draft),
        past=[c for c in consents_of(draft) if c.withdrawn_at is not None],
        wording=wording(CONSENT_WORDING_VERSION),
    )
    return same_origin_referrer(make_response(html, status))


@results.get("/results/<token>/contact")
def contact(token: str) -> Response:
    return _contact_page(token)


@results.post("/results/<token>/contact")
def give_consent(token: str) -> Response:
    form = ConsentForm()
    if not form.validate():
        return _contact_page(token, form, 400)
    if not form.consent.data:
        _with_results(token)  # 404 for a link that opens nothing, as for every page here
        flash(_("You did not tick the box, so we stored nothing and no one will contact you."))
        return redirect(url_for("results.contact", token=token), 303)
    with write_transaction():
        draft, _entries = _with_results(token)
        if live_consent(draft) is None:  # a repeated post (double click, Back then resubmit) adds nothing
            db.session.add(
                FollowUpConsent(
                    draft_id=draft.id,
                    contact_name=form.contact_name.data or None,
                    contact_email=form.contact_email.data,
                    wording_version=CONSENT_WORDING_VERSION,
                    given_at=utcnow(),
                )
            )
            _sme_audit("sme_consent_given", draft.id, {"wording_version": CONSENT_WORDING_VERSION})
    flash(_("Thank you. An adviser may contact you about these results. You can withdraw at any time on this page."))
    return redirect(url_for("results.contact", token=token), 303)


@results.post("/results/<token>/contact/withdraw")
def withdraw_consent(token: str) -> Response:
    if not ConfirmForm().validate():
        abort(400)
    with write_transaction():
        draft, _entries = _with_results(token)
        consent = live_consent(draft)
        if consent is not None:
            consent.withdrawn_at, consent.contact_name, consent.contact_email = utcnow(), None, None
            _sme_audit("sme_consent_withdrawn", draft.id, {"wording_version": consent.wording_version})
    flash(_("You have withdrawn your consent. We have erased your name and email address, and no one will contact you."))
    return redirect(url_for("results.contact", token=token), 303)


# Download everything stored about the firm.


def _when(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds") + "Z"


def my_data(draft: Draft) -> dict[str, Any]:
    """Everything stored about one draft (GDPR Art. 15 and 20), as JSON-ready data.

    Digests are left out: they are fingerprints of secret links, of no use to the firm. Share links are named by
    their public id (the one the share page shows), the draft by its audit id.
    """
    assessments = drafts.history(draft)
    share_links = list(db.session.scalars(select(ShareLink).where(ShareLink.draft_id == draft.id).order_by(ShareLink.created_at)))
    audit = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "draft", AuditEntry.object_id == draft.id[:AUDIT_ID_LENGTH], AuditEntry.action.like("sme_%"))
        .order_by(AuditEntry.id)
    )
    return {
        "about": _("Everything Tremplin stores about your business's profile: your answers, results, share links and consents."),
        "generated_at": _when(utcnow()),
        "profile": {
            "reference": draft.id[:AUDIT_ID_LENGTH],
            "path": draft.path,
            "answers": draft.data,
            "revision": draft.revision,
            "created_at": _when(draft.created_at),
            "updated_at": _when(draft.updated_at),
            "expires_at": _when(draft.expires_at),
        },
        "assessments": [
            {
                "id": a.id,
                "sequence": a.sequence,
                "created_at": _when(a.created_at),
                "catalogue_version": a.catalogue_version,
                "model_version": a.model_version,
                "draft_revision": a.draft_revision,
                "request": a.request,
                "result": a.result,
            }
            for a in reversed(assessments)
        ],
        "share_links": [
            {
                "id": public_id(link),
                "assessment_id": link.assessment_id,
                "created_at": _when(link.created_at),
                "expires_at": _when(link.expires_at),
                "revoked_at": _when(link.revoked_at),
                "include_business_name": link.include_business_name,
            }
            for link in share_links
        ],
        "follow_up_consents": [
            {
                "given_at": _when(c.given_at),
                "withdrawn_at": _when(c.withdrawn_at),
                "wording_version": c.wording_version,
                "wording": wording(c.wording_version) if c.wording_version in CONSENT_WORDINGS else None,
                "contact_name": c.contact_name,
                "contact_email": c.contact_email,
            }
            for c in reversed(consents_of(draft))
        ],
        "audit_log": [{"at": _when(e.at), "action": e.action, "details": e.diff} for e in audit],
    }


@results.get("/results/<token>/my-data.json")
def my_data_download(token: str) -> Response:
    draft = drafts.find_draft(token)
    if draft is None:
        abort(404)
    body = json.dumps(my_data(draft), ensure_ascii=False, indent=2)
    response = Response(body, content_type="application/json; charset=utf-8")
    response.headers["Content-Disposition"] = f"attachment; filename=tremplin-my-data-{utcnow().date().isoformat()}.json"
    return same_origin_referrer(response)


# Delete everything.


def _counts(draft: Draft) -> dict[str, int]:
    def count(model: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(model.draft_id == draft.id)) or 0

    return {"assessments": count(Assessment), "share_links": count(ShareLink), "follow_up_consents": count(FollowUpConsent)}


def delete_draft(draft: Draft) -> dict[str, int]:
    """Delete a draft and all that hangs on it, inside the caller's transaction; returns the counts deleted.

    Deleted explicitly, child tables first, rather than trusting ON DELETE CASCADE alone (it needs
    PRAGMA foreign_keys=ON on SQLite, which a stray connection might lack).
    """
    counts = {}
    for name, model in (("follow_up_consents", FollowUpConsent), ("share_links", ShareLink), ("assessments", Assessment)):
        counts[name] = db.session.execute(delete(model).where(model.draft_id == draft.id)).rowcount
    db.session.execute(delete(Draft).where(Draft.id == draft.id))
    return counts


@results.get("/results/<token>/delete")
def delete_page(token: str) -> Response:
    draft = drafts.find_draft(token)
    if draft is None:
        abort(404)
    has_results = bool(drafts.history(draft))
    html = render_template("results/delete.html", token=token, counts=_counts(draft), has_results=has_results, form=ConfirmForm())
    return same_origin_referrer(make_response(html))


@results.post("/results/<token>/delete")
def delete_data(token: str) -> Response:
    if not ConfirmForm().validate():
        abort(400)
    with write_transaction():
        draft = drafts.find_draft(token)
        if draft is None:
            abort(404)
        draft_id = draft.id
        counts = delete_draft(draft)
        _sme_audit("sme_data_deleted", draft_id, counts)
    return redirect(url_for("results.data_deleted"), 303)


@results.get("/data-deleted")
def data_deleted() -> Response:
    html = render_template("results/deleted.html", backup_days=current_app.config.get("BACKUP_RETENTION_DAYS"))
    return same_origin_referrer(make_response(html))

"""Consent to follow-up contact: asked on a page linked from the private results page, never pre-ticked, stored
with its time and wording version, withdrawn in one step (details erased, the record kept), audited without
personal data."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.webapp.journey_helpers import complete
from tests.webapp.test_pages import check_page
from webapp.db import Assessment, AuditEntry, FollowUpConsent, db
from webapp.drafts import digest
from webapp.results import privacy

EMAIL = "claire.dupont@atelier-dupont.example"


def submitted(client) -> str:
    token = complete(client)
    assert client.post(f"/p/{token}/submit").status_code == 302
    return token


def consents() -> list[FollowUpConsent]:
    db.session.expire_all()
    return list(db.session.scalars(select(FollowUpConsent).order_by(FollowUpConsent.id)))


def without_nonce(html: str) -> str:
    """The page without its per-request CSP nonces, which differ on every response."""
    return re.sub(r'nonce="[^"]*"', "", html)


def sme_audits() -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("sme_%")).order_by(AuditEntry.id)))


def test_results_page_links_to_the_question_which_is_never_pre_ticked(client, with_catalogue):
    token = submitted(client)
    assert f'href="/results/{token}/contact"' in client.get(f"/results/{token}").get_data(as_text=True)
    response = client.get(f"/results/{token}/contact")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    check_page(html)
    assert "Would you like an adviser from the programme administrators to contact you about these results?" in html
    assert "<legend" in html and 'for="contact_email"' in html and 'for="contact_name"' in html
    box = html.split('name="consent"')[1].split(">")[0]
    assert "checked" not in box
    assert "Withdraw consent" not in html


def test_ticking_the_box_stores_the_consent_with_its_time_and_wording_version(client, with_catalogue):
    token = submitted(client)
    response = client.post(f"/results/{token}/contact", data={"consent": "y", "contact_name": " Claire Dupont ", "contact_email": EMAIL})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/results/{token}/contact")
    [consent] = consents()
    assert consent.draft_id == digest(token)
    assert (consent.contact_name, consent.contact_email) == ("Claire Dupont", EMAIL)
    assert consent.wording_version == privacy.CONSENT_WORDING_VERSION and consent.given_at and consent.withdrawn_at is None
    page = client.get(f"/results/{token}/contact").get_data(as_text=True)
    check_page(page)
    assert "An adviser may contact you" in page and EMAIL in page and "Withdraw consent" in page
    [audit] = sme_audits()
    assert audit.action == "sme_consent_given" and audit.object_id == digest(token)[:12] and audit.object_type == "draft"
    assert audit.actor_id is None and audit.actor_email is None and audit.ip is None
    assert audit.diff == {"wording_version": privacy.CONSENT_WORDING_VERSION}
    # A repeated post (double click) adds no second consent.
    client.post(f"/results/{token}/contact", data={"consent": "y", "contact_email": "other@example.com"})
    assert len(consents()) == 1 and len(sme_audits()) == 1


def test_the_stored_wording_version_names_words_kept_in_code(app_context):
    with app_context.test_request_context():
        words = privacy.wording(privacy.CONSENT_WORDING_VERSION)
    assert set(words) == {"question", "explanation", "agree"} and all(words.values())
    assert "withdraw" in words["explanation"]


def test_without_the_box_nothing_is_stored_and_the_results_are_unchanged(client, with_catalogue):
    token = submitted(client)
    before = without_nonce(client.get(f"/results/{token}").get_data(as_text=True))
    response = client.post(f"/results/{token}/contact", data={"contact_name": "Claire", "contact_email": EMAIL})
    assert response.status_code == 303
    assert consents() == [] and sme_audits() == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You did not tick the box, so we stored nothing" in page and EMAIL not in page
    assert without_nonce(client.get(f"/results/{token}").get_data(as_text=True)) == before
    assert client.post(f"/p/{token}/submit").status_code == 302  # matching still works, with no consent at all
    assert db.session.scalar(select(Assessment.id).where(Assessment.sequence == 1)) is not None


@pytest.mark.parametrize(
    ("data", "message", "kept"),
    [
        ({"consent": "y", "contact_name": "Claire", "contact_email": ""}, "Enter your email address, so that an adviser", "Claire"),
        ({"consent": "y", "contact_email": "claire@"}, "Enter an email address in the correct format", "claire@"),
        ({"consent": "y", "contact_email": "a" * 250 + "@x.fr"}, "Enter an email address of 254 characters or fewer", "a" * 250),
        ({"consent": "y", "contact_name": "C" * 201, "contact_email": EMAIL}, "Enter a name of 200 characters or fewer", EMAIL),
    ],
)
def test_invalid_details_come_back_with_an_error_summary_and_what_was_typed(client, with_catalogue, data, message, kept):
    token = submitted(client)
    response = client.post(f"/results/{token}/contact", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    check_page(html)
    assert "There is a problem" in html and "govuk-error-summary" in html and "<title>Error:" in html.replace("\n", "")
    assert message in html and kept in html
    assert "checked" in html.split('name="consent"')[1].split(">")[0], "the ticked box stays ticked"
    assert consents() == [] and sme_audits() == []


def test_a_contact_name_keeps_its_text_without_line_breaks_or_direction_overrides(client, with_catalogue):
    """An e-mail header injection attempt or a bidirectional override is not stored, the rest of the name is."""
    token = submitted(client)
    response = client.post(
        f"/results/{token}/contact", data={"consent": "y", "contact_name": "Claire\r\nBcc: x\u202e", "contact_email": EMAIL}
    )
    assert response.status_code == 303
    assert [c.contact_name for c in consents()] == ["Claire Bcc: x"]


def test_withdrawing_is_one_step_erases_the_details_and_keeps_the_record(client, with_catalogue):
    token = submitted(client)
    client.post(f"/results/{token}/contact", data={"consent": "y", "contact_name": "Claire", "contact_email": EMAIL})
    response = client.post(f"/results/{token}/contact/withdraw")
    assert response.status_code == 303
    [consent] = consents()
    assert consent.withdrawn_at is not None and consent.withdrawn_at >= consent.given_at
    assert consent.contact_name is None and consent.contact_email is None
    assert consent.wording_version == privacy.CONSENT_WORDING_VERSION
    _given, withdrawn = sme_audits()
    assert withdrawn.action == "sme_consent_withdrawn" and withdrawn.object_id == digest(token)[:12]
    assert EMAIL not in str(withdrawn.diff) and withdrawn.ip is None
    page = client.get(f"/results/{token}/contact").get_data(as_text=True)
    check_page(page)
    assert "You have withdrawn your consent" in page and EMAIL not in page
    assert "Earlier consents" in page and "checked" not in page.split('name="consent"')[1].split(">")[0]
    # Withdrawing again changes nothing; giving again makes a new record.
    client.post(f"/results/{token}/contact/withdraw")
    assert len(sme_audits()) == 2
    client.post(f"/results/{token}/contact", data={"consent": "y", "contact_email": EMAIL})
    assert [c.withdrawn_at is None for c in consents()] == [False, True]


def test_a_link_that_opens_nothing_is_404(client, with_catalogue):
    assert client.get("/results/no-such-token/contact").status_code == 404
    assert client.post("/results/no-such-token/contact", data={"consent": "y", "contact_email": EMAIL}).status_code == 404
    assert client.post("/results/no-such-token/contact", data={}).status_code == 404
    assert client.post("/results/no-such-token/contact/withdraw").status_code == 404
    token = complete(client)  # a draft not yet submitted has no results to be contacted about
    assert client.get(f"/results/{token}/contact").status_code == 404
    assert consents() == []


def test_withdraw_needs_the_csrf_token(app, with_catalogue):
    client = app.test_client()
    token = submitted(client)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/results/{token}/contact/withdraw").status_code == 400
        assert client.post(f"/results/{token}/contact", data={"consent": "y", "contact_email": EMAIL}).status_code == 400
        assert consents() == []
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

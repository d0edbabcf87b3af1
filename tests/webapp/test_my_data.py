"""A firm's own data from its private results page: download everything (JSON), and delete everything, after which
every old link answers 404 and another firm's data is untouched."""

from __future__ import annotations

import json
import re

from sqlalchemy import delete, func, select, text

from tests.webapp.journey_helpers import ABOUT, complete
from tests.webapp.test_pages import check_page
from tests.webapp.test_sharing import share
from webapp.db import Assessment, AuditEntry, Draft, FollowUpConsent, ShareLink, db, write_transaction
from webapp.drafts import digest

EMAIL = "claire.dupont@atelier-dupont.example"


def firm(client, times: int = 1, consent: str | None = None) -> str:
    """A firm through the web journey: submitted `times` times (changing one answer between), maybe consenting."""
    token = complete(client)
    for n in range(times):
        if n:
            client.post(f"/p/{token}/goals", data={"goals": ["upskill_staff"], "cofunding_capacity_pct": str(20 + n)})
        assert client.post(f"/p/{token}/submit").status_code == 302
    if consent:
        response = client.post(f"/results/{token}/contact", data={"consent": "y", "contact_name": "Claire", "contact_email": consent})
        assert response.status_code == 303
        client.get(response.headers["Location"])  # as a browser does, which shows (and so uses up) the message
    return token


def count(model, draft_id: str) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.draft_id == draft_id))


def test_results_page_links_to_download_and_delete(client, with_catalogue):
    token = firm(client)
    html = client.get(f"/results/{token}").get_data(as_text=True)
    assert f'href="/results/{token}/my-data.json"' in html and "Download all your data (JSON)" in html
    assert f'href="/results/{token}/delete"' in html and "Delete all your data" in html


def test_download_holds_everything_stored_about_the_firm_and_nothing_of_another(client, with_catalogue):
    token = firm(client, times=2, consent=EMAIL)
    share_token = share(client, token)
    other = firm(client, consent="other@firm.example")
    share(client, other)

    response = client.get(f"/results/{token}/my-data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert re.fullmatch(r"attachment; filename=tremplin-my-data-\d{4}-\d{2}-\d{2}\.json", response.headers["Content-Disposition"])
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    db.session.expire_all()
    draft = db.session.get(Draft, digest(token))

    profile = data["profile"]
    assert profile["answers"] == draft.data and profile["answers"]["enterprise"]["name"] == ABOUT["name"]
    assert profile["path"] == "quick" and profile["revision"] == draft.revision
    assert profile["expires_at"] == draft.expires_at.isoformat(timespec="seconds") + "Z"
    assert profile["created_at"] and profile["updated_at"] and profile["reference"] == digest(token)[:12]

    stored = db.session.scalars(select(Assessment).where(Assessment.draft_id == draft.id).order_by(Assessment.sequence)).all()
    assert [a["id"] for a in data["assessments"]] == [a.id for a in stored] and len(stored) == 2
    for got, want in zip(data["assessments"], stored, strict=True):
        assert got["request"] == want.request and got["result"] == want.result and got["sequence"] == want.sequence
        assert got["catalogue_version"] == want.catalogue_version and got["model_version"] == want.model_version
        assert got["created_at"] == want.created_at.isoformat(timespec="seconds") + "Z"

    [link] = data["share_links"]
    stored_link = db.session.get(ShareLink, digest(share_token))
    assert link["id"] == digest(share_token)[:16] and link["assessment_id"] == stored_link.assessment_id
    assert link["revoked_at"] is None and link["expires_at"] and link["created_at"] and link["include_business_name"] is False

    [consent] = data["follow_up_consents"]
    assert consent["contact_email"] == EMAIL and consent["contact_name"] == "Claire" and consent["withdrawn_at"] is None
    assert consent["wording_version"] == "2026-11-1" and "contact you about these results" in consent["wording"]["question"]
    assert [e["action"] for e in data["audit_log"]] == ["sme_consent_given"]

    body = response.get_data(as_text=True)
    assert "other@firm.example" not in body and digest(other)[:12] not in body
    assert token not in body and digest(token) not in body and share_token not in body and digest(share_token) not in body
    other_ids = db.session.scalars(select(Assessment.id).where(Assessment.draft_id == digest(other))).all()
    assert other_ids and not any(i in body for i in other_ids)


def test_download_of_a_draft_without_results_and_of_nothing(client, with_catalogue):
    token = complete(client)
    data = client.get(f"/results/{token}/my-data.json").get_json(force=True)
    assert data["assessments"] == [] and data["profile"]["answers"]["enterprise"]["name"] == ABOUT["name"]
    assert client.get("/results/no-such-token/my-data.json").status_code == 404


def test_delete_page_says_what_goes_and_asks_to_confirm(client, with_catalogue):
    token = firm(client, times=2, consent=EMAIL)
    share(client, token)
    response = client.get(f"/results/{token}/delete")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    check_page(html)
    assert "2 sets of results" in html and "1 share link" in html and "You cannot undo this." in html
    assert f'action="/results/{token}/delete"' in html and 'method="post"' in html
    assert count(Assessment, digest(token)) == 2, "looking at the page deletes nothing"


def test_delete_removes_everything_of_the_firm_in_one_go_and_every_old_link_is_404(client, with_catalogue):
    token = firm(client, times=2, consent=EMAIL)
    share_token = share(client, token)
    other = firm(client, consent="other@firm.example")
    other_share = share(client, other)
    draft_id = digest(token)
    sequences = db.session.scalars(select(Assessment.sequence).where(Assessment.draft_id == draft_id)).all()

    response = client.post(f"/results/{token}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith("/data-deleted")
    done = client.get(response.headers["Location"])
    html = done.get_data(as_text=True)
    check_page(html)
    assert "Your data has been deleted" in html and "Backups" in html and token not in html

    db.session.expire_all()
    assert db.session.get(Draft, draft_id) is None
    assert [count(m, draft_id) for m in (Assessment, ShareLink, FollowUpConsent)] == [0, 0, 0]
    for url in (
        f"/p/{token}/about",
        f"/p/{token}/check",
        f"/results/{token}",
        f"/results/{token}/1",
        f"/results/{token}/report.pdf",
        f"/results/{token}/report.csv",
        f"/results/{token}/{sequences[0]}/report.json",
        f"/results/{token}/share",
        f"/results/{token}/contact",
        f"/results/{token}/my-data.json",
        f"/results/{token}/delete",
        f"/shared/{share_token}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/results/{token}/delete").status_code == 404
    assert client.post(f"/p/{token}/submit").status_code == 404

    # The audit keeps a tombstone with counts and nothing personal.
    [tombstone] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "sme_data_deleted")).all()
    assert tombstone.object_type == "draft" and tombstone.object_id == draft_id[:12]
    assert tombstone.diff == {"assessments": 2, "share_links": 1, "follow_up_consents": 1}
    assert tombstone.actor_id is None and tombstone.actor_email is None and tombstone.ip is None
    every_audit = json.dumps([[e.actor_email, e.object_id, e.diff, e.ip] for e in db.session.scalars(select(AuditEntry))])
    assert EMAIL not in every_audit and ABOUT["name"] not in every_audit and draft_id not in every_audit

    # The other firm is untouched.
    other_id = digest(other)
    assert db.session.get(Draft, other_id) is not None
    assert [count(m, other_id) for m in (Assessment, ShareLink, FollowUpConsent)] == [1, 1, 1]
    assert client.get(f"/results/{other}").status_code == 200 and client.get(f"/shared/{other_share}").status_code == 200


def test_the_foreign_keys_cascade_on_this_database_too(client, with_catalogue):
    """delete_draft deletes child rows explicitly; should a draft row go some other way, the schema takes the rest."""
    token = firm(client, consent=EMAIL)
    share(client, token)
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with write_transaction():
        db.session.execute(delete(Draft).where(Draft.id == digest(token)))
    assert [count(m, digest(token)) for m in (Assessment, ShareLink, FollowUpConsent)] == [0, 0, 0]


def test_delete_needs_the_csrf_token(app, with_catalogue):
    client = app.test_client()
    token = firm(client)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/results/{token}/delete").status_code == 400
        assert db.session.get(Draft, digest(token)) is not None
        page = client.get(f"/results/{token}/delete").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf, "the confirmation form carries a CSRF token"
        assert client.post(f"/results/{token}/delete", data={"csrf_token": csrf.group(1)}).status_code == 303
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert db.session.get(Draft, digest(token)) is None


def test_a_firm_without_results_downloads_and_deletes_from_check_your_answers(client, with_catalogue):
    token = complete(client)  # answered everything, never submitted
    page = client.get(f"/p/{token}/check").get_data(as_text=True)
    check_page(page)
    assert f"/results/{token}/my-data.json" in page and f"/results/{token}/delete" in page
    download = client.get(f"/results/{token}/my-data.json")
    assert download.status_code == 200 and json.loads(download.data)["assessments"] == []
    check_page(client.get(f"/results/{token}/delete").get_data(as_text=True))
    assert client.post(f"/results/{token}/delete").status_code == 303
    assert db.session.get(Draft, digest(token)) is None
    assert client.get(f"/p/{token}/check").status_code == 404

"""Read-only share links: made from the private results page, opened by an adviser at /shared/<share token>."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from tests.webapp.journey_helpers import ABOUT, complete
from tests.webapp.test_pages import check_page
from webapp.db import Assessment, ShareLink, db, utcnow, write_transaction
from webapp.drafts import digest

SHARE_URL = re.compile(r'id="share-link" href="http://localhost/shared/([A-Za-z0-9_-]+)"')


def submitted(client, times: int = 1) -> str:
    token = complete(client)
    for n in range(times):
        if n:  # a submit of unchanged answers shows the stored result, so change one to get another
            client.post(f"/p/{token}/strategy?return=check", data={"level": str((1 + n) % 5)})  # complete() answers 1
        assert client.post(f"/p/{token}/submit").status_code == 302
    return token


def share(client, token: str, expiry: str = "30", include_name: bool = False, query: str = "") -> str:
    data = {"expiry": expiry, **({"include_name": "y"} if include_name else {})}
    response = client.post(f"/results/{token}/share{query}", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    html = response.get_data(as_text=True)
    check_page(html)
    assert response.headers["Cache-Control"] == "no-store"
    match = SHARE_URL.search(html)
    assert match, "the new link is shown to copy"
    return match.group(1)


def link_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ShareLink))


def test_results_page_offers_sharing_and_the_share_page_is_well_formed(client, with_catalogue):
    token = submitted(client)
    results = client.get(f"/results/{token}").get_data(as_text=True)
    assert f"/results/{token}/share?sequence=1" in results and "Share with an adviser" in results
    response = client.get(f"/results/{token}/share")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    check_page(html)
    assert 'value="30" checked' in html or "checked" in html.split('value="30"')[1].split(">")[0]
    assert "Include the name of my business" in html
    assert "You have not shared your results yet." in html


def test_shared_view_shows_the_result_without_the_name_or_any_private_link(client, with_catalogue):
    token = submitted(client)
    share_token = share(client, token)
    assert share_token != token
    stored = db.session.scalars(select(ShareLink)).one()
    assert stored.id == digest(share_token) and not stored.include_business_name
    assert stored.expires_at - stored.created_at == dt.timedelta(days=30)

    response = client.get(f"/shared/{share_token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    check_page(html)
    assessment = db.session.scalars(select(Assessment)).one()
    document = assessment.result
    assert f"Overall readiness: {document['readiness']['overall']} out of 100" in html
    assert document["matches"] and document["matches"][0]["name"] in html
    assert ABOUT["name"] not in html
    assert token not in html and "/p/" not in html and "/results/" not in html
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_the_name_is_shown_only_when_included(client, with_catalogue):
    token = submitted(client)
    share_token = share(client, token, expiry="7", include_name=True)
    link = db.session.get(ShareLink, digest(share_token))
    assert link.include_business_name and link.expires_at - link.created_at == dt.timedelta(days=7)
    html = client.get(f"/shared/{share_token}").get_data(as_text=True)
    check_page(html)
    assert ABOUT["name"] in html
    assert token not in html and "/p/" not in html


def test_a_link_shows_the_result_it_was_made_for(client, with_catalogue):
    token = submitted(client, times=2)
    share_token = share(client, token, query="?sequence=1")
    first = db.session.scalars(select(Assessment).where(Assessment.sequence == 1)).one()
    assert db.session.get(ShareLink, digest(share_token)).assessment_id == first.id
    assert client.post(f"/results/{token}/share?sequence=9", data={"expiry": "30"}).status_code == 404
    assert link_count() == 1


def test_expired_link_is_not_found(client, with_catalogue):
    token = submitted(client)
    share_token = share(client, token)
    with write_transaction():
        db.session.get(ShareLink, digest(share_token)).expires_at = utcnow() - dt.timedelta(seconds=1)
    response = client.get(f"/shared/{share_token}")
    assert response.status_code == 404
    check_page(response.get_data(as_text=True))
    assert "Expired" in client.get(f"/results/{token}/share").get_data(as_text=True)


def test_revoked_link_is_not_found_and_listed_as_revoked(client, with_catalogue):
    token = submitted(client)
    share_token = share(client, token)
    public_id = digest(share_token)[:16]
    page = client.get(f"/results/{token}/share").get_data(as_text=True)
    assert f"/results/{token}/share/{public_id}/revoke" in page and share_token not in page

    response = client.post(f"/results/{token}/share/{public_id}/revoke?sequence=1")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/results/{token}/share?sequence=1")
    assert client.get(f"/shared/{share_token}").status_code == 404
    page = client.get(f"/results/{token}/share").get_data(as_text=True)
    check_page(page)
    assert "Revoked" in page and "The link has been revoked" in page
    assert f"/share/{public_id}/revoke" not in page
    assert db.session.get(ShareLink, digest(share_token)).revoked_at is not None


def test_a_link_cannot_be_revoked_through_another_draft(client, with_catalogue):
    token = submitted(client)
    share_token = share(client, token)
    other = submitted(client)
    assert client.post(f"/results/{other}/share/{digest(share_token)[:16]}/revoke").status_code == 404
    assert client.post(f"/results/{token}/share/not-an-id/revoke").status_code == 404
    assert client.get(f"/shared/{share_token}").status_code == 200


def test_an_unknown_expiry_is_refused_and_nothing_stored(client, with_catalogue):
    token = submitted(client)
    for data in ({"expiry": "365"}, {"expiry": ""}, {}):
        response = client.post(f"/results/{token}/share", data=data)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        check_page(html)
        assert "There is a problem" in html and "Error:" in html
    assert link_count() == 0


def test_unknown_tokens_are_not_found(client, with_catalogue):
    assert client.get("/results/no-such-token/share").status_code == 404
    assert client.post("/results/no-such-token/share", data={"expiry": "30"}).status_code == 404
    assert client.post("/results/no-such-token/share/0123456789abcdef/revoke").status_code == 404
    response = client.get("/shared/no-such-token")
    assert response.status_code == 404
    check_page(response.get_data(as_text=True))
    token = complete(client)  # a draft with no results yet has nothing to share
    assert client.get(f"/results/{token}/share").status_code == 404
    assert link_count() == 0


def test_a_message_and_a_new_link_on_one_page_keep_their_ids_unique(client, with_catalogue):
    token = submitted(client)
    assert client.post(f"/p/{token}/submit").status_code == 302  # unchanged answers: flashes "already submitted"
    share(client, token)  # check_page() inside asserts unique ids with both banners shown

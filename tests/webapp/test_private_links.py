"""Private links: tokens of at least 128 bits stored only as digests, nothing of anyone else's reachable with a
hand-edited token or another firm's token on any private route (GET and POST), and no token in the request log."""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.serving import make_server

from tests.webapp.test_sharing import share, submitted
from webapp import drafts
from webapp.assessments import TOKEN_BYTES
from webapp.db import Assessment, Draft, ShareLink, db
from webapp.redaction import redact
from webapp.results import sharing
from webapp.security import REDACT_FILTER

TOKEN_ARGUMENTS = {"token", "share_token", "assessment_id"}


def _bits(token: str) -> int:
    return len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8


def test_tokens_carry_at_least_128_random_bits_and_only_their_digest_is_stored(client, with_catalogue):
    assert TOKEN_BYTES * 8 >= 128
    token = submitted(client)
    share_token = share(client, token)
    for secret in (token, share_token):
        assert _bits(secret) >= 128
    draft = db.session.scalars(select(Draft)).one()
    link = db.session.scalars(select(ShareLink)).one()
    assert draft.id == hashlib.sha256(token.encode()).hexdigest() != token
    assert link.id == hashlib.sha256(share_token.encode()).hexdigest() != share_token
    # Drawn from a CSPRNG each time: a thousand drafts, a thousand different tokens of the same length.
    made = {drafts.new_draft("quick") for _ in range(1000)}
    db.session.rollback()
    assert len(made) == 1000 and {len(t) for t in made} == {len(token)}


def _private_rules(app) -> list[Rule]:
    rules = [rule for rule in app.url_map.iter_rules() if TOKEN_ARGUMENTS & set(rule.arguments)]
    assert {"journey.step", "results.latest", "results.shared", "api.read"} <= {rule.endpoint for rule in rules}
    return rules


def _url(rule: Rule, secret: str, link_id: str) -> str:
    values = {"slug": "about", "sequence": 1, "fmt": "csv", "link_id": link_id}
    values = {name: values.get(name, "x") for name in rule.arguments}
    values.update({name: secret for name in TOKEN_ARGUMENTS & set(rule.arguments)})
    return rule.build(values, append_unknown=False)[1]


def test_hand_edited_and_other_firms_tokens_answer_404_on_every_private_route(client, with_catalogue):
    firm_a = submitted(client)
    firm_b = submitted(client)
    b_share = share(client, firm_b)
    b_assessment = db.session.scalars(select(Assessment).where(Assessment.draft_id == drafts.digest(firm_b))).one().id
    b_link = sharing.public_id(sharing.find_link(b_share))
    edited = firm_a[:-2] + ("AA" if firm_a[-2:] != "AA" else "BB")
    # A hand-edited token, and firm B's secrets of the wrong kind (the share token where a private link goes, the
    # private link where a share token or an API id goes).
    wrong = {"hand-edited": edited, "B's share token": b_share, "B's private link": firm_b, "B's API id": b_assessment}
    checked = 0
    for rule in _private_rules(client.application):
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for name, secret in wrong.items():
            if secret == firm_b and "share_token" not in rule.arguments and "assessment_id" not in rule.arguments:
                continue  # B's own private link on B's own pages is B's, not another firm's
            if secret == b_assessment and "assessment_id" in rule.arguments:
                continue  # the API id is the API's capability
            if secret == b_share and "share_token" in rule.arguments:
                continue
            url = _url(rule, secret, b_link)
            for method in methods:
                response = client.open(url, method=method, data={"expiry": "7"})
                assert response.status_code == 404, (name, method, url, response.status_code)
                checked += 1
    assert checked > 30
    # Firm A's link cannot revoke firm B's share link, which stays live.
    assert client.post(f"/results/{firm_a}/share/{b_link}/revoke").status_code == 404
    assert client.get(f"/shared/{b_share}").status_code == 200


def test_the_redaction_leaves_other_paths_alone():
    assert redact("GET /p/abc/about?return=check HTTP/1.1") == "GET /p/…/about?return=check HTTP/1.1"
    assert redact("/results/abc/2/report.csv") == "/results/…/2/report.csv"
    assert redact("/shared/abc") == "/shared/…"
    assert redact("/api/v1/assessments/abc/report.pdf") == "/api/v1/assessments/…/report.pdf"
    assert redact("/%70/abc/about") == "/%70/…/about"
    for path in ("/", "/privacy", "/admin/programmes/fr-x", "/api/v1/assessments", "/static/app.css"):
        assert redact(path) == path


@pytest.fixture
def request_log(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> pytest.LogCaptureFixture:
    """werkzeug's request log as records. Alembic's fileConfig (migrations/env.py) disables loggers that exist when a
    migration runs in-process, as the session fixture does; a server migrates in a separate process, so re-enable it."""
    logger = logging.getLogger("werkzeug")
    monkeypatch.setattr(logger, "disabled", False)
    assert REDACT_FILTER in logger.filters
    caplog.set_level(logging.INFO, logger="werkzeug")
    return caplog


def test_private_tokens_never_reach_the_request_log(app_context, with_catalogue, request_log):
    client = app_context.test_client()
    token = submitted(client)
    share_token = share(client, token)
    server = make_server("127.0.0.1", 0, app_context, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        for path in (f"/p/{token}/about", f"/results/{token}", f"/shared/{share_token}", f"/p/{token}x/about"):
            try:
                urllib.request.urlopen(base + path, timeout=10).read()
            except urllib.error.HTTPError as error:
                assert error.code == 404
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
    lines = [record.getMessage() for record in request_log.records if record.name == "werkzeug"]
    assert len(lines) >= 4, lines
    assert any('"GET /p/…/about HTTP/1.1" 200' in line for line in lines), lines
    assert any("/shared/…" in line for line in lines), lines
    for line in lines:
        assert token not in line and share_token not in line, line

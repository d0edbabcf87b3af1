"""flask purge: rows past their retention period go, everything else stays; idempotent; --dry-run; audited.

Ages are set by writing timestamps directly (no waiting): each kind of row gets one just past its limit and one
just inside it.
"""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from sqlalchemy import func, select

from tests.webapp.admin_helpers import make_staff
from webapp.db import (
    Assessment,
    AuditEntry,
    Draft,
    FollowUpConsent,
    ShareLink,
    SignInAttempt,
    StaffSession,
    db,
    utcnow,
    write_transaction,
)

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
MODELS = (Draft, Assessment, ShareLink, FollowUpConsent, SignInAttempt, StaffSession)


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["purge", *args], catch_exceptions=False)


def ident() -> str:
    return secrets.token_hex(32)


def add_draft(expires_at: dt.datetime, results: int = 1, link_expires_at: dt.datetime | None = None) -> str:
    """A draft with `results` assessments, a share link to the first, and a consent (given then withdrawn)."""
    now = utcnow()
    draft = Draft(id=ident(), path="quick", data={"enterprise": {"name": "Atelier"}}, created_at=now - 60 * DAY, updated_at=now - 60 * DAY,
                  expires_at=expires_at)  # fmt: skip
    db.session.add(draft)
    db.session.flush()
    assessments = [add_assessment(now - 60 * DAY, draft.id, n + 1) for n in range(results)]
    if assessments:
        db.session.add(ShareLink(id=ident(), draft_id=draft.id, assessment_id=assessments[0], created_at=now - 10 * DAY,
                                 expires_at=link_expires_at or expires_at + 30 * DAY))  # fmt: skip
    db.session.add(FollowUpConsent(draft_id=draft.id, contact_email="a@example.com", wording_version="2026-11-1", given_at=now - 5 * DAY))
    db.session.flush()
    return draft.id


def add_assessment(created_at: dt.datetime, draft_id: str | None = None, sequence: int | None = None) -> str:
    assessment = Assessment(id=ident(), draft_id=draft_id, sequence=sequence, created_at=created_at, request={"enterprise": {}},
                            result={"matches": []}, catalogue_version="test", model_version="test")  # fmt: skip
    db.session.add(assessment)
    db.session.flush()
    return assessment.id


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def purge_audits() -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "purge").order_by(AuditEntry.id)))


@pytest.fixture
def aged(app_context) -> dict[str, object]:
    """Rows of every kind, some past their retention period (to go), some not (to stay)."""
    now = utcnow()
    staff = make_staff("viewer")
    with write_transaction():
        rows = {
            "expired_draft": add_draft(now - HOUR, results=2),
            "expired_draft_no_results": add_draft(now - 100 * DAY, results=0),
            "live_draft": add_draft(now + 20 * DAY, link_expires_at=now - HOUR),  # its share link has expired
            "live_draft_live_link": add_draft(now + HOUR),
            "old_api": add_assessment(now - 366 * DAY),
            "recent_api": add_assessment(now - 364 * DAY),
        }
        db.session.add_all(
            [
                SignInAttempt(at=now - 31 * DAY, email="x@example.com", ip="192.0.2.1"),
                SignInAttempt(at=now - 29 * DAY, email="y@example.com", ip="192.0.2.2"),
                # Revoked 31 days ago: goes. Revoked 29 days ago: stays.
                StaffSession(
                    id=ident(), user_id=staff.id, created_at=now - 32 * DAY, last_seen_at=now - 31 * DAY, revoked_at=now - 31 * DAY
                ),
                StaffSession(
                    id=ident(), user_id=staff.id, created_at=now - 30 * DAY, last_seen_at=now - 29 * DAY, revoked_at=now - 29 * DAY
                ),
                # Never revoked, idle for 31 days: ended 31 days ago less 30 minutes; goes.
                StaffSession(id=ident(), user_id=staff.id, created_at=now - 31 * DAY - HOUR, last_seen_at=now - 31 * DAY),
                # Never revoked, seen 29 days ago: stays. Active now: stays.
                StaffSession(id=ident(), user_id=staff.id, created_at=now - 29 * DAY - HOUR, last_seen_at=now - 29 * DAY),
                StaffSession(id=ident(), user_id=staff.id, created_at=now - HOUR, last_seen_at=now),
            ]
        )
    return rows


BEFORE = {"drafts": 4, "assessments": 6, "share_links": 3, "follow_up_consents": 4, "sign_in_attempts": 2, "staff_sessions": 5}
AFTER = {"drafts": 2, "assessments": 3, "share_links": 1, "follow_up_consents": 2, "sign_in_attempts": 1, "staff_sessions": 3}


def test_purge_deletes_only_what_is_past_its_period_and_audits_the_counts(app_context, aged):
    assert counts() == BEFORE
    result = run(app_context)
    assert result.exit_code == 0, result.output
    assert counts() == AFTER
    assert db.session.get(Draft, aged["expired_draft"]) is None and db.session.get(Draft, aged["expired_draft_no_results"]) is None
    assert db.session.get(Draft, aged["live_draft"]) is not None and db.session.get(Draft, aged["live_draft_live_link"]) is not None
    assert db.session.get(Assessment, aged["old_api"]) is None and db.session.get(Assessment, aged["recent_api"]) is not None
    for draft_id in (aged["live_draft"], aged["live_draft_live_link"]):
        assert db.session.scalar(select(func.count()).select_from(FollowUpConsent).where(FollowUpConsent.draft_id == draft_id)) == 1
        assert db.session.scalar(select(func.count()).select_from(Assessment).where(Assessment.draft_id == draft_id)) == 1
    [link] = db.session.scalars(select(ShareLink)).all()
    assert link.draft_id == aged["live_draft_live_link"]
    assert db.session.scalars(select(SignInAttempt.email)).all() == ["y@example.com"]

    [audit] = purge_audits()
    assert audit.actor_email == "cli" and audit.object_type == "retention" and audit.ip is None
    assert audit.diff == {
        "consents of expired drafts": 2,
        "share links of expired drafts": 1,
        "assessments of expired drafts": 2,
        "expired drafts": 2,
        "API assessments older than 365 days": 1,
        "other expired share links": 1,
        "failed sign-ins older than 30 days": 1,
        "staff sessions ended over 30 days ago": 2,
    }
    assert "12 row(s) deleted." in result.output and "       2  expired drafts" in result.output


def test_purge_is_idempotent(app_context, aged):
    run(app_context)
    second = run(app_context)
    assert second.exit_code == 0 and "0 row(s) deleted." in second.output
    assert counts() == AFTER
    first, again = purge_audits()
    assert set(again.diff.values()) == {0} and set(again.diff) == set(first.diff)


def test_dry_run_prints_the_same_counts_and_changes_nothing(app_context, aged):
    dry = run(app_context, "--dry-run")
    assert dry.exit_code == 0 and "12 row(s) would be deleted." in dry.output
    assert counts() == BEFORE and purge_audits() == []
    real = run(app_context)
    assert [line.replace("would be ", "") for line in dry.output.splitlines()] == real.output.splitlines()


def test_retention_periods_come_from_the_config(app_context, aged):
    app_context.config["ASSESSMENT_RETENTION_DAYS"] = 363
    try:
        result = run(app_context)
    finally:
        app_context.config["ASSESSMENT_RETENTION_DAYS"] = 365
    assert "API assessments older than 363 days" in result.output
    assert db.session.get(Assessment, aged["recent_api"]) is None


def test_purge_on_an_empty_database(app_context):
    result = run(app_context)
    assert result.exit_code == 0 and "0 row(s) deleted." in result.output
    assert len(purge_audits()) == 1

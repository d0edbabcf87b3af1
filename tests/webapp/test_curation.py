"""Curating the catalogue: lifecycle, versions and restore, verification and staleness, import, export, audit."""

from __future__ import annotations

import datetime as dt
import io

from sqlalchemy import select

from programmes.loader import dump
from tests.factories import make_programme, make_request
from tests.webapp.admin_helpers import make_staff, sign_in
from webapp.admin import curation
from webapp.catalogue import current_version
from webapp.db import AuditEntry, ProgrammeRecord, ProgrammeVersion, db, write_transaction

FRENCH_ADVICE = make_programme(id="fr-test-advice", name="Test advice for French firms")


def matched_ids(client) -> set[str]:
    document = client.post("/api/v1/assessments", json=make_request()).get_json()
    return {m["programme_id"] for m in document["matches"]}


def actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_only_published_programmes_are_matched_through_the_lifecycle(client, app_context):
    sign_in(client, make_staff("curator"))
    with write_transaction():
        curation.save(FRENCH_ADVICE, creating=True)
    assert db.session.get(ProgrammeRecord, FRENCH_ADVICE.id).lifecycle == "draft"
    assert FRENCH_ADVICE.id not in matched_ids(client)
    for to in ("in_review", "published"):
        client.post(f"/admin/programmes/{FRENCH_ADVICE.id}/move", data={"to": to})
    assert db.session.get(ProgrammeRecord, FRENCH_ADVICE.id).lifecycle == "published"
    assert FRENCH_ADVICE.id in matched_ids(client)
    client.post(f"/admin/programmes/{FRENCH_ADVICE.id}/move", data={"to": "archived"})
    assert FRENCH_ADVICE.id not in matched_ids(client)
    assert actions()[-3:] == ["submit_for_review", "publish", "archive"]


def test_a_move_the_lifecycle_does_not_allow_is_refused(app_context):
    with write_transaction():
        curation.save(FRENCH_ADVICE, creating=True)
    try:
        with write_transaction():
            curation.transition(FRENCH_ADVICE.id, "published")  # a draft must be reviewed first
        raise AssertionError("a draft was published without review")
    except curation.CurationError as problem:
        assert "cannot move to published" in str(problem)
    assert db.session.get(ProgrammeRecord, FRENCH_ADVICE.id).lifecycle == "draft"


def test_a_published_programme_past_its_closing_date_stops_matching_by_itself(client, app_context):
    closed = make_programme(id="fr-test-closed", status="open", application={"mode": "Call", "closes": "2026-01-31"})
    with write_transaction():
        curation.save(closed, creating=True)
        curation.transition(closed.id, "in_review")
        curation.transition(closed.id, "published")
    document = client.post("/api/v1/assessments", json=make_request()).get_json()
    assert closed.id in {m["programme_id"] for m in document["not_eligible"]}


def test_every_change_is_a_version_with_a_field_diff_and_can_be_restored(client, app_context):
    sign_in(client, make_staff("curator"))
    with write_transaction():
        curation.save(FRENCH_ADVICE, creating=True)
    with write_transaction():
        curation.save(make_programme(id=FRENCH_ADVICE.id, name="A better name", status="open"), creating=False)
    versions = curation.versions(FRENCH_ADVICE.id)
    assert [v.number for v in versions] == [2, 1]
    assert versions[0].diff == {
        "name": {"from": "Test advice for French firms", "to": "A better name"},
        "status": {"from": "rolling", "to": "open"},
    }
    assert versions[0].actor_email is None or "@" in versions[0].actor_email
    response = client.post(f"/admin/programmes/{FRENCH_ADVICE.id}/restore/1")
    assert response.status_code == 302
    record = db.session.get(ProgrammeRecord, FRENCH_ADVICE.id)
    db.session.refresh(record)
    assert record.document["name"] == "Test advice for French firms"
    newest = curation.versions(FRENCH_ADVICE.id)[0]
    assert newest.number == 3 and newest.note == "restored version 1" and newest.actor_email == "curator@agency.example"
    assert "restore" in actions()
    page = client.get(f"/admin/programmes/{FRENCH_ADVICE.id}").get_data(as_text=True)
    assert "restored version 1" in page


def test_stale_programmes_are_flagged_and_mark_verified_records_who_and_when(client, app_context):
    old = make_programme(id="fr-test-old", last_verified="2025-01-15")
    with write_transaction():
        curation.save(old, creating=True)
    sign_in(client, make_staff("curator"))
    assert "fr-test-old" in client.get("/admin/").get_data(as_text=True)
    assert "fr-test-old" in client.get("/admin/programmes?stale=1").get_data(as_text=True)
    client.post("/admin/programmes/fr-test-old/verify")
    record = db.session.get(ProgrammeRecord, "fr-test-old")
    db.session.refresh(record)
    assert record.document["last_verified"] == dt.date.today().isoformat()
    assert record.verified_by == "curator@agency.example" and record.verified_at is not None
    assert not curation.is_stale(record)
    assert "mark_verified" in actions()


def upload(client, text: str, name: str, apply: bool):
    return client.post(
        "/admin/import",
        data={"file": (io.BytesIO(text.encode()), name), "apply": "1" if apply else "0"},
        content_type="multipart/form-data",
    )


def test_import_dry_run_reports_without_changing_then_applies_as_drafts(client, app_context):
    sign_in(client, make_staff("curator"))
    text = dump([FRENCH_ADVICE, make_programme(id="fr-test-second")], "json")
    dry = upload(client, text, "batch.json", apply=False)
    assert dry.status_code == 200 and "2 would be created as drafts" in dry.get_data(as_text=True)
    assert db.session.get(ProgrammeRecord, FRENCH_ADVICE.id) is None
    applied = upload(client, text, "batch.json", apply=True)
    assert "Imported: 2 created as drafts" in applied.get_data(as_text=True)
    # Nothing from a file goes live without review (tests/webapp/test_review.py: published ones get a revision).
    assert db.session.get(ProgrammeRecord, FRENCH_ADVICE.id).lifecycle == "draft"
    assert FRENCH_ADVICE.id not in matched_ids(client)
    assert {"import_dry_run", "import"} <= set(actions())


def test_an_import_with_one_bad_row_changes_nothing_and_names_the_row(client, app_context):
    sign_in(client, make_staff("curator"))
    version = current_version()
    good = dump([FRENCH_ADVICE], "csv")
    bad_row = dump([make_programme(id="fr-test-bad")], "csv").splitlines()[1].replace("https://example.org/programme", "not a url")
    response = upload(client, good + bad_row + "\n", "batch.csv", apply=True)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Nothing was changed" in html and "row 3" in html and "source_url" in html
    assert db.session.get(ProgrammeRecord, FRENCH_ADVICE.id) is None and current_version() == version


def test_export_downloads_the_published_catalogue_and_is_audited(client, app_context, with_catalogue):
    sign_in(client, make_staff("curator"))
    response = client.get("/admin/export.csv")
    assert response.status_code == 200 and response.headers["Content-Disposition"].endswith("tremplin-catalogue.csv")
    assert response.get_data(as_text=True).count("\n") == len(with_catalogue) + 1
    assert "export" in actions()


def test_admins_see_and_export_the_audit_log_in_utc(client, app_context):
    admin = make_staff("admin")
    sign_in(client, admin)
    with write_transaction():
        curation.save(FRENCH_ADVICE, creating=True)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "sign_in" in page and "create" in page
    exported = client.get("/admin/audit.csv").get_data(as_text=True).splitlines()
    assert exported[0] == "id,at_utc,actor,action,object_type,object_id,diff,ip"
    assert any(",admin@agency.example,sign_in," in line and "Z," in line for line in exported)


def test_admins_create_staff_and_see_the_one_time_password_once(client, app_context):
    sign_in(client, make_staff("admin"))
    response = client.post("/admin/staff", data={"email": "viewer@agency.example", "role": "viewer"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="one-time-password"' in html
    assert "one-time-password" not in client.get("/admin/staff").get_data(as_text=True)
    assert "staff_create" in actions()
    assert client.post("/admin/staff", data={"email": "viewer@agency.example", "role": "viewer"}).status_code == 400


def test_versions_are_kept_for_cli_imports_too(app_context, with_catalogue):
    assert (
        db.session.scalar(select(ProgrammeVersion).where(ProgrammeVersion.programme_id == "fr-osez-ia-diagnostic-data-ia")).note == "import"
    )


def test_the_programme_list_filters_by_country_category_status_state_and_search(client, app_context, with_catalogue):
    sign_in(client, make_staff("viewer"))
    closed = client.get("/admin/programmes?status=closed").get_data(as_text=True)
    assert "go-digital" in closed and "Osez l&#39;IA" not in closed
    french_funding = client.get("/admin/programmes?country=FR&category=funding").get_data(as_text=True)
    assert "Crédit d" in french_funding or "credit" in french_funding.lower()
    assert "EIC Accelerator" not in french_funding
    assert "EIC Accelerator" in client.get("/admin/programmes?q=accelerator").get_data(as_text=True)
    assert "0 programmes" in client.get("/admin/programmes?lifecycle=draft").get_data(as_text=True)

"""The staff export of match results (/admin/results-export): CSV and XLSX read back and compared with the stored
assessments; date range, country and programme filters; formula injection; validation; roles; audit."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.factories import make_request
from tests.webapp.admin_helpers import make_staff, sign_in
from tests.webapp.journey_helpers import ABOUT, complete
from tests.webapp.test_pages import check_page
from webapp.admin import results_export
from webapp.db import Assessment, AuditEntry, Draft, db, utcnow, write_transaction
from webapp.drafts import digest
from webapp.spreadsheet import neutralise

URL = "/admin/results-export"
TODAY = dt.datetime.now(dt.UTC).date()
RANGE = {"from": (TODAY - dt.timedelta(days=7)).isoformat(), "to": TODAY.isoformat()}
SECRET_NAME = "Secret Business SARL"
FIRMS = [
    {"country": "FR", "employees": 5, "name": SECRET_NAME},
    {"country": "FR", "employees": 42, "region": "FR-IDF", "sector": "J"},
    {"country": "FR", "employees": 300},
    {"country": "BE", "employees": 12, "region": "BE-VLG", "sector": "C"},
    {"country": "BE", "employees": 120},
    {"country": "BE"},
]


@pytest.fixture
def stored(client, with_catalogue) -> list[str]:
    """Six assessments through the API (3 in France, 3 in Belgium); the last one is moved 40 days back."""
    ids = []
    for firm in FIRMS:
        response = client.post("/api/v1/assessments", json=make_request(firm))
        assert response.status_code == 201, response.get_data(as_text=True)
        ids.append(response.get_json()["id"])
    with write_transaction():
        db.session.get(Assessment, ids[-1]).created_at = dt.datetime.combine(TODAY - dt.timedelta(days=40), dt.time(12))
    return ids


@pytest.fixture
def curator(client):
    sign_in(client, make_staff("curator"))


def expected(ids: list[str], country: str = "", programme: str = "") -> list[tuple[str, str, float]]:
    """(assessment id, programme id, score) of every match of the given assessments, straight from the database."""
    db.session.expire_all()
    rows = []
    for a in sorted((db.session.get(Assessment, i) for i in ids), key=lambda a: (a.created_at, a.id)):
        if country and a.request["enterprise"]["country"] != country:
            continue
        rows += [(a.id, m["programme_id"], m["score"]) for m in a.result["matches"] if not programme or m["programme_id"] == programme]
    return rows


def download(client, fmt: str = "csv", **filters):
    response = client.get(URL, query_string={**RANGE, "format": fmt, "download": "1", **filters})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def xlsx_rows(response) -> list[dict]:
    sheet = load_workbook(io.BytesIO(response.data), read_only=True)["Results"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header == results_export.COLUMNS
    return [dict(zip(header, row, strict=True)) for row in rows]


def key(row: dict) -> tuple[str, str, float]:
    """The row's (assessment id, programme id, score), undoing the quote neutralise() adds to an id such as "-x"."""
    identifier = row["assessment_id"]
    return identifier[1:] if identifier.startswith("'-") else identifier, row["programme_id"], float(row["score"])


def export_audits() -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "results").order_by(AuditEntry.id)))


def test_csv_has_one_row_per_match_of_the_assessments_in_range_and_is_audited(client, stored, curator):
    response = download(client, "csv")
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == f"attachment; filename=tremplin-results-{RANGE['from']}-to-{RANGE['to']}.csv"
    assert response.headers["Cache-Control"] == "no-store" and response.mimetype == "text/csv"
    rows = csv_rows(response)
    assert list(rows[0]) == list(results_export.COLUMNS)
    want = expected(stored[:5])
    assert len(want) > 10 and [key(r) for r in rows] == want
    assert stored[5] not in {key(r)[0] for r in rows}  # created 40 days ago, outside the range
    first = next(r for r in rows if key(r)[0] == stored[1])
    assert (first["country"], first["region"], first["sector"], first["size_class"]) == ("FR", "FR-IDF", "J", "small")
    assert first["created_at"].endswith("Z") and first["created_at"].startswith(TODAY.isoformat())
    stored_result = db.session.get(Assessment, stored[1]).result
    assert int(first["overall_readiness"]) == stored_result["readiness"]["overall"]
    assert first["stage_label"] == stored_result["readiness"]["stage"]["label"]
    assert first["catalogue_version"] == stored_result["catalogue_version"] and first["model_version"] == stored_result["model_version"]
    sizes = {key(r)[0]: r["size_class"] for r in rows}
    assert [sizes[i] for i in stored[:5]] == ["micro", "small", "larger", "small", "medium"]
    [audit] = export_audits()
    assert audit.action == "export" and audit.object_id == f"{RANGE['from']}..{RANGE['to']}"
    assert audit.actor_email == "curator@agency.example"
    assert audit.diff == {"country": None, "programme": None, "format": "csv"}


def test_no_business_name_is_exported_and_contacts_are_empty_without_consent(client, stored, curator):
    text = download(client, "csv").get_data(as_text=True)
    assert SECRET_NAME not in text
    assert not {"name", "business_name", "email", "phone"} & set(text.splitlines()[0].split(","))
    rows = csv_rows(download(client, "csv"))
    assert rows and all(r["contact_name"] == r["contact_email"] == r["contact_consented_at"] == "" for r in rows)
    assert "holds no business names" in client.get(URL).get_data(as_text=True)


def firm_with_consent(client, name: str, email: str | None) -> str:
    """A firm through the web journey, submitted; with a consent to be contacted when an e-mail is given."""
    token = complete(client)
    assert client.post(f"/p/{token}/submit").status_code == 302
    if email:
        response = client.post(f"/results/{token}/contact", data={"consent": "y", "contact_name": name, "contact_email": email})
        assert response.status_code == 303
    return token


def contacts_by_assessment(rows: list[dict]) -> dict[str, tuple]:
    return {key(r)[0]: (r["contact_name"], r["contact_email"], bool(r["contact_consented_at"])) for r in rows}


def test_contact_details_only_for_firms_with_a_live_consent(client, stored, curator):
    live = firm_with_consent(client, "=Claire Live", "claire@live.example")
    withdrawn = firm_with_consent(client, "Wanda Withdrawn", "wanda@withdrawn.example")
    assert client.post(f"/results/{withdrawn}/contact/withdraw").status_code == 303
    expired = firm_with_consent(client, "Ed Expired", "ed@expired.example")
    with write_transaction():
        db.session.get(Draft, digest(expired)).expires_at = utcnow() - dt.timedelta(seconds=1)
    silent = firm_with_consent(client, "", None)
    ids = {t: db.session.scalar(select(Assessment.id).where(Assessment.draft_id == digest(t))) for t in (live, withdrawn, expired, silent)}

    for rows in (csv_rows(download(client, "csv")), xlsx_rows(download(client, "xlsx"))):
        by_id = contacts_by_assessment(rows)
        assert by_id[ids[live]] == ("'=Claire Live", "claire@live.example", True)  # neutralised like every cell
        for token in (withdrawn, expired, silent):
            assert by_id[ids[token]] in {("", "", False), (None, None, False)}
        assert all(by_id[i] in {("", "", False), (None, None, False)} for i in stored[:5])
    text = download(client, "csv").get_data(as_text=True)
    assert "wanda@" not in text and "ed@expired" not in text and "Wanda" not in text
    assert ABOUT["name"] not in text  # the business name, even of a firm that asked to be contacted


def test_contacts_are_looked_up_per_batch(client, stored, curator, monkeypatch):
    tokens = [firm_with_consent(client, f"Firm {i}", f"firm{i}@example.com") for i in range(3)]
    monkeypatch.setattr(results_export, "BATCH_SIZE", 2)
    by_id = contacts_by_assessment(csv_rows(download(client, "csv")))
    for i, token in enumerate(tokens):
        assessment_id = db.session.scalar(select(Assessment.id).where(Assessment.draft_id == digest(token)))
        assert by_id[assessment_id][:2] == (f"Firm {i}", f"firm{i}@example.com")


def test_xlsx_matches_the_stored_assessments_and_the_audit_counts_its_rows(client, stored, curator):
    response = download(client, "xlsx")
    assert response.headers["Content-Disposition"].endswith(f"tremplin-results-{RANGE['from']}-to-{RANGE['to']}.xlsx")
    assert response.headers["Cache-Control"] == "no-store"
    rows = xlsx_rows(response)
    want = expected(stored[:5])
    assert [key(r) for r in rows] == want
    assert all(isinstance(r["rank"], int) and isinstance(r["score"], float) for r in rows)
    assert export_audits()[-1].diff == {"country": None, "programme": None, "format": "xlsx", "rows": len(want)}


def test_the_date_range_is_inclusive_utc_days(client, stored, curator):
    old_day = (TODAY - dt.timedelta(days=40)).isoformat()
    rows = csv_rows(download(client, "csv", **{"from": old_day, "to": old_day}))
    assert [key(r) for r in rows] == expected(stored[5:])
    assert csv_rows(download(client, "csv", **{"from": "2020-01-01", "to": "2020-01-02"})) == []


def test_country_and_programme_filters(client, stored, curator):
    belgian = csv_rows(download(client, "csv", country="BE"))
    assert [key(r) for r in belgian] == expected(stored[:5], country="BE") and {r["country"] for r in belgian} == {"BE"}
    assert [key(r) for r in csv_rows(download(client, "csv", country="fr"))] == expected(stored[:5], country="FR")
    assert csv_rows(download(client, "csv", country="DE")) == []  # a valid code typed in the URL, no firm there

    programme = expected(stored[:5])[0][1]
    only = xlsx_rows(download(client, "xlsx", programme=programme))
    assert [key(r) for r in only] == expected(stored[:5], programme=programme)
    assert {r["programme_id"] for r in only} == {programme}
    both = csv_rows(download(client, "csv", programme=programme, country="BE"))
    assert [key(r) for r in both] == expected(stored[:5], country="BE", programme=programme)
    assert export_audits()[-1].diff == {"country": "BE", "programme": programme, "format": "csv"}


def test_an_assessment_without_the_programme_is_left_out(client, stored, curator):
    programme = expected(stored[:1])[0][1]
    with write_transaction():
        a = db.session.get(Assessment, stored[0])
        a.result = {**a.result, "matches": [m for m in a.result["matches"] if m["programme_id"] != programme]}
    rows = csv_rows(download(client, "csv", programme=programme))
    assert stored[0] not in {key(r)[0] for r in rows}
    assert [key(r) for r in rows] == expected(stored[1:5], programme=programme)


def test_formula_injection_in_a_programme_name_is_neutralised(client, stored, curator):
    evil = '=HYPERLINK("http://evil.example","click")'
    with write_transaction():
        a = db.session.get(Assessment, stored[0])
        matches = [dict(m) for m in a.result["matches"]]
        matches[0]["name"], matches[0]["category"] = evil, "+cmd"
        a.result = {**a.result, "matches": matches}
    row = csv_rows(download(client, "csv"))[0]
    assert row["programme_name"] == "'" + evil and row["category"] == "'+cmd"
    cell = xlsx_rows(download(client, "xlsx"))[0]
    assert cell["programme_name"] == "'" + evil and cell["category"] == "'+cmd"
    # The row builder gives raw values; each format's cells go through neutralise.
    raw = results_export.rows_of("-id", dt.datetime(2026, 11, 25), {"enterprise": {"region": "@SUM(A1)"}}, {"matches": [{"name": "=1"}]})
    assert results_export.csv_cells(raw[0])[:4] == ["'-id", "2026-11-25T00:00:00Z", "", "'@SUM(A1)"]
    assert results_export.xlsx_cells([*raw[0][:-1], "\x01=2"])[-1] == neutralise("=2") == "'=2"


@pytest.mark.parametrize(
    ("query", "messages"),
    [
        ({"from": "", "to": ""}, ["Enter the start date", "Enter the end date"]),
        ({"from": "2026-02-30", "to": "25/11/2026"}, ["Enter the start date as a real date", "Enter the end date as a real date"]),
        ({"from": "20261101", "to": "2026-11-25"}, ["Enter the start date as a real date in the form YYYY-MM-DD"]),
        ({"from": "2026-11-25", "to": "2026-11-01"}, ["The end date must be the same as or after the start date"]),
        ({"from": "2025-01-01", "to": "2026-01-02"}, ["The dates can cover at most 366 days"]),
        ({**RANGE, "country": "XX"}, ["Choose a country, or enter its two-letter ISO code"]),
        ({**RANGE, "programme": "no-such-programme"}, ["There is no programme with this id"]),
        ({**RANGE, "format": "pdf"}, ["Choose CSV or Excel (XLSX)"]),
    ],
)
def test_an_invalid_query_is_a_400_with_messages(client, with_catalogue, curator, query, messages):
    response = client.get(URL, query_string={"format": "csv", "download": "1", **query})
    assert response.status_code == 400 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    check_page(html)
    assert "There is a problem" in html and "<title>Error:" in html.replace("\n", "")
    for message in messages:
        assert message in html
    assert export_audits() == []


def test_366_days_is_allowed_and_the_page_itself_renders(client, with_catalogue, curator):
    assert download(client, "csv", **{"from": "2025-01-01", "to": "2026-01-01"}).status_code == 200
    page = client.get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    check_page(html)
    assert f'value="{TODAY.isoformat()}"' in html and 'name="download"' in html
    assert '<option value="FR">' in html and '<option value="EU">' not in html
    assert URL in client.get("/admin/").get_data(as_text=True)  # the curator's navigation links here
    without_download = client.get(URL, query_string=RANGE)
    assert without_download.status_code == 200 and without_download.mimetype == "text/html"


def test_viewers_get_403_and_anonymous_visitors_are_sent_to_sign_in(client, with_catalogue):
    anonymous = client.get(URL, query_string={**RANGE, "download": "1"})
    assert anonymous.status_code == 302 and anonymous.headers["Location"].endswith("/admin/sign-in")
    viewer = make_staff("viewer")
    sign_in(client, viewer)
    assert client.get(URL, query_string={**RANGE, "download": "1"}).status_code == 403
    assert URL not in client.get("/admin/").get_data(as_text=True)
    assert export_audits() == []


def test_assessments_are_read_in_batches(client, stored, curator, monkeypatch):
    monkeypatch.setattr(results_export, "BATCH_SIZE", 2)
    assert [key(r) for r in csv_rows(download(client, "csv"))] == expected(stored[:5])
    assert [key(r) for r in xlsx_rows(download(client, "xlsx", country="FR"))] == expected(stored[:5], country="FR")

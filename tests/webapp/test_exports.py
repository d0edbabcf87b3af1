"""The match report's downloads (PDF, CSV, XLSX, JSON), each read back and compared with the stored assessment."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from programmes.vocabulary import DIMENSIONS, REACHES
from tests.webapp.journey_helpers import ABOUT, BUSINESS, GOALS, LEVELS, start
from tests.webapp.journey_helpers import complete as walk
from webapp.db import Assessment, db
from webapp.results.exports import FACTOR_IDS, report_filename
from webapp.spreadsheet import neutralise

FORMATS = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
HOSTILE_NAME = '=HYPERLINK("https://example.invalid/x","Click")'


def submitted(client, name: str | None = None) -> tuple[str, Assessment]:
    """Walk the journey (optionally with another business name), submit, and return the token and stored row."""
    if name is None:
        token = walk(client)
    else:
        token = start(client)
        assert client.post(f"/p/{token}/about", data={**ABOUT, "name": name}).status_code == 302
        assert client.post(f"/p/{token}/business", data=BUSINESS).status_code == 302
        for dimension in DIMENSIONS:
            assert client.post(f"/p/{token}/{dimension}", data={"level": LEVELS[dimension]}).status_code == 302
        assert client.post(f"/p/{token}/goals", data=GOALS).status_code == 302
    assert client.post(f"/p/{token}/submit").status_code == 302
    db.session.expire_all()
    assessment = db.session.scalars(db.select(Assessment).order_by(Assessment.created_at.desc())).first()
    return token, assessment


def download(client, token: str, fmt: str, sequence: int | None = None):
    path = f"/results/{token}/report.{fmt}" if sequence is None else f"/results/{token}/{sequence}/report.{fmt}"
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == FORMATS[fmt]
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(rf"attachment; filename=tremplin-report-\d{{4}}-\d{{2}}-\d{{2}}\.{fmt}", disposition), disposition
    return response


def read_csv(data: bytes) -> tuple[dict[str, str], list[dict[str, str]]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    blank = rows.index([])
    provenance = {row[0]: row[1] for row in rows[:blank]}
    header, body = rows[blank + 1], rows[blank + 2 :]
    return provenance, [dict(zip(header, row, strict=True)) for row in body]


def test_csv_matches_the_stored_assessment(client, with_catalogue):
    token, assessment = submitted(client)
    document = assessment.result
    provenance, rows = read_csv(download(client, token, "csv").data)

    assert provenance["Report"] == "Tremplin match report"
    assert provenance["Business"] == ABOUT["name"]
    assert provenance["Catalogue version"] == document["catalogue_version"]
    assert provenance["Model version"] == document["model_version"]
    assert provenance["Matched on"] == document["matched_on"]
    assert provenance["Assessment created at"] == document["created_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", provenance["Generated at"])

    # In reach groups (the firm's own territory, then each country it expands to, then anywhere), by rank within each.
    matches = sorted(document["matches"], key=lambda m: (REACHES.index(m["reach"]), m["rank"]))
    assert matches, "the fixture profile should match some programmes"
    assert [r["programme_id"] for r in rows] == [m["programme_id"] for m in matches]
    assert [r["reach"] for r in rows] == [m["reach"] for m in matches]
    assert [int(r["rank"]) for r in rows] == [m["rank"] for m in matches]
    for row, match in zip(rows, matches, strict=True):
        assert float(row["score"]) == match["score"]
        assert row["eligibility"] == match["eligibility"]
        assert row["source_url"] == match["source_url"]
        assert row["source_kind"] == match["source_kind"]
        assert row["last_verified"] == match["last_verified"]
        assert row["benefit_terms"].lstrip("'") == " | ".join(match["benefit_terms"])
        contributions = [float(row[f]) for f in FACTOR_IDS if row[f] != ""]
        assert sum(contributions) == pytest.approx(match["score"], abs=0.001)
        for factor in match["factors"]:
            assert float(row[factor["id"]]) == factor["contribution"]
        criteria = row["criteria"].split(" | ")
        assert len(criteria) == len(match["criteria"])
        for text, criterion in zip(criteria, match["criteria"], strict=True):
            assert text.lstrip("'") == f"{criterion['label']}: {criterion['status']} ({criterion['detail']})"


def test_xlsx_matches_the_stored_assessment(client, with_catalogue):
    token, assessment = submitted(client)
    document = assessment.result
    book = load_workbook(io.BytesIO(download(client, token, "xlsx").data))
    assert book.sheetnames == ["Programmes", "Readiness", "Provenance"]

    rows = list(book["Programmes"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    table = [dict(zip(header, row, strict=True)) for row in body]
    matches = sorted(document["matches"], key=lambda m: (REACHES.index(m["reach"]), m["rank"]))
    assert [r["programme_id"] for r in table] == [m["programme_id"] for m in matches]
    for row, match in zip(table, matches, strict=True):
        assert row["score"] == match["score"]
        assert sum(row[f] or 0 for f in FACTOR_IDS) == pytest.approx(match["score"], abs=0.001)

    readiness = {row[0]: row[1:] for row in book["Readiness"].iter_rows(values_only=True) if row and row[0]}
    assert readiness["Overall"][0] == document["readiness"]["overall"]
    assert readiness["Stage"][0] == document["readiness"]["stage"]["level"]
    for dimension, score in document["readiness"]["dimensions"].items():
        assert readiness[dimension][1] == score

    provenance = {row[0]: row[1] for row in book["Provenance"].iter_rows(values_only=True)}
    assert provenance["Catalogue version"] == document["catalogue_version"]
    assert provenance["Model version"] == document["model_version"]


def test_json_is_the_stored_document_plus_provenance(client, with_catalogue):
    token, assessment = submitted(client)
    data = json.loads(download(client, token, "json").data)
    provenance = data.pop("provenance")
    assert data == assessment.result
    assert provenance["catalogue_version"] == assessment.catalogue_version
    assert provenance["model_version"] == assessment.model_version
    assert provenance["matched_on"] == assessment.result["matched_on"]
    assert provenance["assessment_created_at"] == assessment.result["created_at"]
    assert provenance["generated_at"].endswith("Z")


def test_pdf_is_tagged_and_holds_the_report(client, with_catalogue):
    token, assessment = submitted(client)
    document = assessment.result
    data = download(client, token, "pdf").data
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"] is True or catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert catalog.get("/Lang")
    # pypdf reads WeasyPrint's two-byte glyph codes with NULs in between, and layout spacing varies: compare
    # the text with NULs and all white space removed.
    text = re.sub(r"[\s\x00]+", "", "".join(page.extract_text() or "" for page in reader.pages))

    def squashed(value: str) -> str:
        return re.sub(r"\s+", "", value)

    assert squashed(f"Overall readiness: {document['readiness']['overall']} out of 100") in text
    assert squashed(document["matches"][0]["name"]) in text
    assert squashed(document["not_eligible"][0]["criteria"][0]["label"][:40]) in text
    assert squashed(document["catalogue_version"]) in text
    assert document["matches"][0]["last_verified"] in text


def test_an_earlier_report_is_the_earlier_assessment(client, with_catalogue):
    token, first = submitted(client)
    client.post(f"/p/{token}/strategy?return=check", data={"level": "4"})  # unchanged answers would give the same one
    assert client.post(f"/p/{token}/submit").status_code == 302
    data = json.loads(download(client, token, "json", sequence=1).data)
    assert data["id"] == first.id
    latest = json.loads(download(client, token, "json").data)
    assert latest["id"] != first.id


def test_a_formula_in_the_business_name_stays_text(client, with_catalogue):
    token, _ = submitted(client, name=HOSTILE_NAME)
    provenance, _ = read_csv(download(client, token, "csv").data)
    assert provenance["Business"] == "'" + HOSTILE_NAME

    book = load_workbook(io.BytesIO(download(client, token, "xlsx").data))
    cells = {row[0].value: row[1] for row in book["Provenance"].iter_rows()}
    assert cells["Business"].value == "'" + HOSTILE_NAME
    assert cells["Business"].data_type == "s"  # text, not a formula
    assert not any(cell.data_type == "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_neutralise_prefixes_formula_triggers(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Atelier Dupont", "", "1 = 1", "x-y", 0.5, -0.15, 3, None])
def test_neutralise_leaves_safe_values(value):
    assert neutralise(value) == value


def test_file_names_are_safe(client, with_catalogue):
    token, assessment = submitted(client)
    response = download(client, token, "csv")
    day = assessment.created_at.date().isoformat()
    assert response.headers["Content-Disposition"] == f"attachment; filename=tremplin-report-{day}.csv"

    class Stub:
        class provenance:
            created_at = assessment.created_at

    for ext in ("pdf", "csv", "../../etc/passwd", 'x"; y', "XLSX"):
        name = report_filename(Stub, ext)
        assert re.fullmatch(r"[a-z0-9.-]+", name), name
        assert name.startswith(f"tremplin-report-{day}.")
        assert ".." not in name and "/" not in name


def test_unknown_token_sequence_or_format_is_404(client, with_catalogue):
    token, _ = submitted(client)
    assert client.get(f"/results/{token}/report.exe").status_code == 404
    assert client.get(f"/results/{token}/report.").status_code == 404
    assert client.get(f"/results/{token}/1/report.html").status_code == 404
    assert client.get(f"/results/{token}/99/report.csv").status_code == 404
    for fmt in FORMATS:
        assert client.get(f"/results/not-a-token/report.{fmt}").status_code == 404
        assert client.get(f"/results/not-a-token/1/report.{fmt}").status_code == 404


def test_results_page_links_to_each_download(client, with_catalogue):
    token, assessment = submitted(client)
    page = client.get(f"/results/{token}").get_data(as_text=True)
    assert "Keep or share these results" in page
    for fmt in FORMATS:
        assert f"/results/{token}/{assessment.sequence}/report.{fmt}" in page

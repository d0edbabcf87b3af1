"""The PDF match report read back with pypdf: a short report whose cover names the best programmes, fonts that
print Japanese, and long source addresses shown as their host but linked in full."""

from __future__ import annotations

import copy
import io
import re
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from programmes.vocabulary import GOALS
from tests.factories import TODAY, make_request
from tests.webapp.test_territory import FRENCH_MANUFACTURER
from webapp.db import Assessment, db, write_transaction

MAX_PAGES = 8
JAPANESE_NAME = "株式会社テスト"
JAPANESE_FIRM = {"country": "JP", "employees": 40, "name": JAPANESE_NAME}
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]+")


@pytest.fixture(autouse=True)
def pinned_day(app, monkeypatch):
    """Match on a fixed day, so a deadline passing never changes these reports."""
    monkeypatch.setitem(app.config, "MATCH_DAY", TODAY.isoformat())


def squashed(value: str) -> str:
    """Text without white space and NULs: pypdf reads WeasyPrint's two-byte glyph codes with NULs in between,
    and where a line breaks depends on the layout."""
    return re.sub(r"[\s\x00]+", "", value)


def report_of(client, enterprise: dict) -> tuple[dict, PdfReader]:
    """The stored document of a firm wanting every kind of help, and its PDF report."""
    created = client.post("/api/v1/assessments", json=make_request(enterprise, goals=list(GOALS)))
    assert created.status_code == 201, created.get_json()
    document = created.get_json()
    response = client.get(f"/api/v1/assessments/{document['id']}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return document, PdfReader(io.BytesIO(response.data))


def text_of(reader: PdfReader, pages: slice = slice(None)) -> str:
    return squashed("".join(page.extract_text() or "" for page in reader.pages[pages]))


def font_names(reader: PdfReader) -> set[str]:
    """The names of every font the pages use: each font's BaseFont, and for a composite (Type0) font those of
    its descendant fonts and their descriptors."""
    names: set[str] = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            names.add(str(font.get("/BaseFont", "")))
            for descendant in font.get("/DescendantFonts", []):
                descendant = descendant.get_object()
                names.add(str(descendant.get("/BaseFont", "")))
                names.add(str(descendant.get("/FontDescriptor", {}).get("/FontName", "")))
    return names


def link_targets(reader: PdfReader) -> list[str]:
    return [
        str(annotation.get_object()["/A"]["/URI"])
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if "/URI" in annotation.get_object().get("/A", {})
    ]


@pytest.fixture
def french(client, with_catalogue) -> tuple[dict, PdfReader]:
    return report_of(client, FRENCH_MANUFACTURER)


def test_the_french_manufacturers_report_is_short_and_its_cover_names_the_three_best_programmes(french):
    document, reader = french
    assert document["matched_on"] == TODAY.isoformat()
    assert len(document["matches"]) > 12, "enough matches for the length to matter"
    assert len(reader.pages) <= MAX_PAGES
    steps = document["action_plan"]["steps"]
    best = [step["name"] for step in steps[:3]]
    cover = text_of(reader, slice(0, 1))
    assert len(best) == 3 and all(squashed(name) in cover for name in best)
    # The fourth step is not on the cover: it waits for the action plan.
    assert squashed(steps[3]["name"]) not in cover
    by_id = {m["programme_id"]: m for m in document["matches"]}
    first = by_id[steps[0]["programme_id"]]
    assert first["why"], "the model says why a programme fits"
    assert squashed(" ".join(first["why"])) in cover


def test_a_firm_with_twenty_matches_still_gets_a_short_report(client, with_catalogue):
    document, reader = report_of(client, {**FRENCH_MANUFACTURER, "expansion_countries": ["de", "it", "gb"]})
    assert len(document["matches"]) >= 20
    assert len(reader.pages) <= MAX_PAGES


def test_every_programme_of_the_plan_has_its_details_and_every_other_match_a_row(french):
    document, reader = french
    text = text_of(reader, slice(1, None))
    for match in document["matches"]:
        assert squashed(match["name"]) in text, match["programme_id"]
    planned = {step["programme_id"] for step in document["action_plan"]["steps"]}
    for match in document["matches"]:
        if match["programme_id"] in planned:
            # Only a card holds the ranking arithmetic and the conditions.
            assert squashed(match["criteria"][0]["label"]) in text, match["programme_id"]


def test_a_long_source_address_prints_as_its_host_and_links_in_full(french):
    document, reader = french
    longest = max(document["matches"], key=lambda m: len(urlsplit(m["source_url"]).path))["source_url"]
    assert len(urlsplit(longest).path) > 40, "the catalogue has a long source address"
    text = text_of(reader)
    assert squashed(urlsplit(longest).hostname) in text
    assert squashed(urlsplit(longest).path) not in text
    assert longest in link_targets(reader)


def test_a_japanese_firms_report_embeds_a_cjk_font_and_its_japanese_text_extracts(client, with_catalogue):
    document, reader = report_of(client, JAPANESE_FIRM)
    fonts = font_names(reader) - {""}
    assert any("CJK" in name for name in fonts), fonts
    # The report asks for Noto by name: no glyph falls back to whatever other font the machine has.
    assert all(name.split("+")[-1].startswith("Noto") for name in fonts), fonts
    text = text_of(reader)
    assert JAPANESE_NAME in text
    japanese = [part for m in document["matches"] for part in CJK.findall(m["name"])]
    assert japanese, "the Japanese catalogue has programmes named in Japanese"
    assert all(part in text for part in japanese)


def test_a_result_stored_before_plans_and_reasons_still_reports_every_match(client, with_catalogue):
    document, _ = report_of(client, FRENCH_MANUFACTURER)
    old = copy.deepcopy(document)
    del old["action_plan"]
    for match in old["matches"]:
        del match["why"], match["next_step"]
    with write_transaction():
        db.session.get(Assessment, document["id"]).result = old
    response = client.get(f"/api/v1/assessments/{document['id']}/report.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = text_of(reader)
    assert all(squashed(m["name"]) in text for m in document["matches"])
    # Without a plan, the first matches by rank are the best on the cover.
    cover = text_of(reader, slice(0, 1))
    assert all(squashed(m["name"]) in cover for m in document["matches"][:3])
    assert "Whyitfits" not in text and "Nextstep" not in text

"""A firm's list holds only what it can use: its own territory, countries it expands to when it says so, and
resources open anywhere; every card's benefit and cost line is true for this firm."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from programmes.vocabulary import COUNTRY_GROUPS, GOALS
from tests.factories import make_request
from tests.webapp.journey_helpers import ABOUT, BUSINESS, LEVELS, start
from tests.webapp.journey_helpers import GOALS as GOALS_FORM
from webapp.db import Assessment, db

EVERY_GOAL = list(GOALS)
FRENCH_MANUFACTURER = {
    "country": "FR",
    "region": "FR-IDF",
    "sector": "C",
    "employees": 42,
    "annual_turnover": {"amount": 4_500_000, "currency": "EUR"},
    "founded_year": 2016,
    "independent": True,
}


def assess(client, enterprise: dict, **overrides) -> dict:
    response = client.post("/api/v1/assessments", json=make_request(enterprise, goals=EVERY_GOAL, **overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def listed(document: dict) -> list[dict]:
    return document["matches"] + document["not_eligible"]


def serves(programme, country: str, region: str | None = "FR-IDF") -> bool:
    """Its territory holds the firm: the firm's country, its region for a regional one, an area, or anywhere."""
    territory = programme.territory
    if territory.anywhere or country in COUNTRY_GROUPS.get(territory.area or "", ()):
        return True
    return country == territory.country and (not territory.regions or region in territory.regions)


def test_a_french_manufacturer_sees_only_french_eu_and_anywhere_programmes(client, with_catalogue):
    by_id = {p.id: p for p in with_catalogue}
    document = assess(client, FRENCH_MANUFACTURER)
    assert document["matches"], "a French manufacturer wanting every kind of help has matches"
    for entry in listed(document):
        programme = by_id[entry["programme_id"]]
        assert serves(programme, "FR"), entry["programme_id"]
        assert entry["reach"] == ("anywhere" if programme.territory.anywhere else "home")
    # Every programme that serves France is judged (a match or a near miss); none of another country is.
    assert {e["programme_id"] for e in listed(document)} == {p.id for p in with_catalogue if serves(p, "FR")}
    assert not any(e["programme_id"].startswith(("de-", "it-", "uk-", "us-", "jp-", "ca-")) for e in listed(document))


def test_expanding_to_germany_adds_the_german_programmes_open_to_foreign_firms_and_nothing_else(client, with_catalogue):
    by_id = {p.id: p for p in with_catalogue}
    at_home = {e["programme_id"] for e in listed(assess(client, FRENCH_MANUFACTURER))}
    document = assess(client, {**FRENCH_MANUFACTURER, "expansion_countries": ["de"]})
    assert document["expansion_countries"] == ["DE"]
    expanding = [e for e in listed(document) if e["reach"] == "expansion"]
    open_in_germany = {p.id for p in with_catalogue if p.territory.country == "DE" and p.territory.open_to_firms_abroad}
    assert open_in_germany, "the bundled catalogue has German programmes open to firms from abroad"
    assert {e["programme_id"] for e in expanding} == open_in_germany
    assert all(by_id[e["programme_id"]].country == "DE" for e in expanding)
    # The rest of the list is what the firm saw without expanding.
    assert {e["programme_id"] for e in listed(document) if e["reach"] != "expansion"} == at_home


def test_the_results_page_groups_home_expansion_and_anywhere(client, with_catalogue):
    token = start(client)
    client.post(f"/p/{token}/about", data=ABOUT)
    assert client.post(f"/p/{token}/business", data={**BUSINESS, "expansion_countries": "Germany"}).status_code == 302
    for dimension, level in LEVELS.items():
        client.post(f"/p/{token}/{dimension}", data={"level": level})
    client.post(f"/p/{token}/goals", data={**GOALS_FORM, "goals": EVERY_GOAL})
    client.post(f"/p/{token}/submit")
    html = client.get(f"/results/{token}").get_data(as_text=True)
    headings = re.findall(r'<h3 class="govuk-heading-m[^"]*" id="group-([^"]+)">([^<]+)</h3>', html)
    assert headings[0] == ("home", "In France")
    assert ("expansion-DE", "If you expand to Germany") in headings
    german = [p.id for p in with_catalogue if p.territory.country == "DE" and p.territory.open_to_firms_abroad]
    home_part, expansion_part = html.split('id="group-expansion-DE"')[0], html.split('id="group-expansion-DE"')[1]
    for programme_id in german:
        assert f'id="programme-{programme_id}"' not in home_part
        assert f'id="programme-{programme_id}"' in expansion_part.split('id="not-eligible"')[0]


@pytest.mark.parametrize("country", ["FR", "DE", "IT", "GB", "US", "JP", "CA"])
def test_a_6000_employee_firm_gets_no_programme_for_smes_only(client, with_catalogue, country):
    by_id = {p.id: p for p in with_catalogue}
    document = assess(
        client,
        {"country": country, "employees": 6000, "annual_turnover": {"amount": 1.5e9, "currency": "EUR"}, "independent": True},
    )
    assert document["firm_size"]["class"] == "large" and document["firm_size"]["is_sme"] == "unmet"
    for entry in document["matches"]:
        # A programme whose facts limit its size (an SME test, a headcount ceiling) is met or absent, never "to confirm".
        sizes = {c["id"].split("-")[0]: c["status"] for c in entry["criteria"]}
        assert sizes.get("sme_definition") in (None, "met"), entry["programme_id"]
        assert sizes.get("max_employees") in (None, "met"), entry["programme_id"]
        assert not any(r.type == "sme_definition" for r in by_id[entry["programme_id"]].rules), entry["programme_id"]


PRICE_WORDS = re.compile(r"pays about|Free for your business")


@pytest.mark.parametrize(
    "enterprise",
    [
        FRENCH_MANUFACTURER,
        {"country": "DE", "employees": 320, "annual_turnover": {"amount": 70e6, "currency": "EUR"}},
        {"country": "GB", "employees": 8},
        {"country": "CA", "employees": 30},
        {"country": "IT", "employees": 6000},
    ],
)
def test_every_card_says_only_what_is_true_for_its_kind_and_this_firm(client, with_catalogue, enterprise):
    document = assess(client, enterprise)
    for entry in document["matches"]:
        benefit, terms = entry["benefit"], " ".join(entry["benefit_terms"])
        if benefit["kind"] in ("loan", "guarantee", "tax_incentive", "equity"):
            assert not PRICE_WORDS.search(terms), (entry["programme_id"], terms)
        if "Free for your business" in terms:
            assert benefit.get("sme_share_pct") == 0, entry["programme_id"]
        if benefit["kind"] == "loan":
            assert "repays" in terms
        assert entry["source_kind"] in ("operator", "third_party")


def test_a_small_midcap_is_offered_the_eic_investment_not_a_grant(client, with_catalogue):
    document = assess(
        client,
        {
            "country": "DE",
            "employees": 320,
            "annual_turnover": {"amount": 70e6, "currency": "EUR"},
            "balance_sheet_total": {"amount": 60e6, "currency": "EUR"},
            "independent": True,
        },
    )
    assert document["firm_size"]["class"] == "small_midcap"
    assert "not an SME" in document["firm_size"]["explanation"]
    eic = next(e for e in document["matches"] if e["programme_id"] == "eu-eic-accelerator")
    assert eic["benefit"]["kind"] == "equity" and "grant" not in " ".join(eic["benefit_terms"]).lower()
    # An SME sees the grant, with the share it pays.
    sme = assess(client, {"country": "DE", "employees": 40, "annual_turnover": {"amount": 5e6, "currency": "EUR"}})
    eic = next(e for e in sme["matches"] if e["programme_id"] == "eu-eic-accelerator")
    assert eic["benefit"]["kind"] == "grant" and "70 per cent of eligible costs" in " ".join(eic["benefit_terms"])


# ------------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("expansion", "message"),
    [
        (["XX"], "Unknown country code"),
        (["FR"], "other than the one your business is established in"),
        (["fr"], "other than the one your business is established in"),
        (["DE", "IT", "ES", "PT", "BE", "NL", "AT", "PL", "SE", "DK", "FI"], "at most 10"),
        (["DE", "de"], "once"),
    ],
)
def test_bad_expansion_countries_answer_422_with_the_field_named(client, with_catalogue, expansion, message):
    response = client.post("/api/v1/assessments", json=make_request({"country": "FR", "expansion_countries": expansion}))
    assert response.status_code == 422
    assert message in response.get_json()["error"]["fields"]["enterprise.expansion_countries"]
    assert db.session.scalars(select(Assessment)).first() is None


def test_country_codes_are_read_in_any_case_and_stored_upper_case(client, with_catalogue):
    document = assess(client, {**FRENCH_MANUFACTURER, "country": "fr", "region": "fr-idf"})
    assert any(e["programme_id"].startswith("fr-") and e["reach"] == "home" for e in document["matches"])
    stored = db.session.get(Assessment, document["id"])
    assert stored.request["enterprise"]["country"] == "FR" and stored.request["enterprise"]["region"] == "FR-IDF"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Germany, Atlantis", "We do not know the country Atlantis"),
        ("France", "Leave out France: it is where your business is established"),
        ("DE, IT, ES, PT, BE, NL, AT, PL, SE, DK, FI", "Name at most 10 countries"),
    ],
)
def test_the_business_page_explains_a_bad_country_list_and_keeps_what_was_typed(client, with_catalogue, typed, message):
    token = start(client)
    client.post(f"/p/{token}/about", data=ABOUT)
    response = client.post(f"/p/{token}/business", data={**BUSINESS, "expansion_countries": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 or "govuk-error-summary" in html
    assert message in html
    assert f'value="{typed}"' in html  # nothing typed is lost


def test_the_business_page_reads_names_and_codes_and_shows_them_back(client, with_catalogue):
    token = start(client)
    client.post(f"/p/{token}/about", data=ABOUT)
    assert client.post(f"/p/{token}/business", data={**BUSINESS, "expansion_countries": "germany; IT, de"}).status_code == 302
    page = client.get(f"/p/{token}/business").get_data(as_text=True)
    assert 'value="Germany, Italy"' in page
    # Changing the firm's country to one it listed drops that one from the list.
    client.post(f"/p/{token}/about", data={**ABOUT, "country": "DE"})
    assert 'value="Italy"' in client.get(f"/p/{token}/business").get_data(as_text=True)

"""Regional programmes: the firm's region brings them in; without a region the firm is told how many there are."""

from __future__ import annotations

from programmes.vocabulary import GOALS
from tests.factories import make_request
from tests.webapp.journey_helpers import ABOUT, BUSINESS, LEVELS, start
from tests.webapp.journey_helpers import GOALS as GOALS_FORM
from webapp.assessment.regions import regions_of

BAVARIAN = {"country": "DE", "region": "DE-BY", "sector": "C", "employees": 30, "annual_turnover": {"amount": 4e6, "currency": "EUR"}}
STARTING_OUT = dict.fromkeys(("strategy", "skills", "data", "cloud", "compute", "funding", "governance"), 1)


def assess(client, enterprise: dict, goals: list[str] | None = None) -> dict:
    request = make_request(enterprise, goals=goals or list(GOALS), levels=STARTING_OUT)
    response = client.post("/api/v1/assessments", json=request)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_bavarian_firm_sees_the_digitalbonus_among_its_best_matches(client, with_catalogue):
    # A Bavarian manufacturer of 30 staff, starting out, that wants funding for its first digital project.
    document = assess(client, BAVARIAN, goals=["fund_project"])
    best = [m["programme_id"] for m in document["matches"][:5]]
    assert "de-by-digitalbonus" in best
    digitalbonus = next(m for m in document["matches"] if m["programme_id"] == "de-by-digitalbonus")
    assert digitalbonus["reach"] == "home"
    assert document["regional_unseen"] == 0


def test_a_firm_from_baden_wuerttemberg_does_not_see_it(client, with_catalogue):
    document = assess(client, {**BAVARIAN, "region": "DE-BW"})
    listed = {m["programme_id"] for m in document["matches"] + document["not_eligible"]}
    assert "de-by-digitalbonus" not in listed and "de-by-ki-transfer-plus" not in listed
    assert "de-bw-digitalisierungsfinanzierung" in listed


def test_a_firm_without_a_region_is_told_how_many_regional_programmes_its_region_could_add(client, with_catalogue, bundled):
    document = assess(client, {k: v for k, v in BAVARIAN.items() if k != "region"})
    listed = {m["programme_id"] for m in document["matches"] + document["not_eligible"]}
    german_regional = {p.id for p in bundled if p.territory.country == "DE" and p.territory.regions}
    assert not listed & german_regional  # not matched blindly
    assert 0 < document["regional_unseen"] <= len(german_regional)


def test_the_results_page_says_so_and_links_to_the_region_question(client, with_catalogue):
    token = start(client)
    client.post(f"/p/{token}/about", data={**ABOUT, "country": "DE"})
    business = {**BUSINESS, "region": "", "annual_turnover_currency": "EUR", "balance_sheet_total_currency": "EUR"}
    assert client.post(f"/p/{token}/business", data=business).status_code == 302
    for dimension, level in LEVELS.items():
        client.post(f"/p/{token}/{dimension}", data={"level": level})
    client.post(f"/p/{token}/goals", data={**GOALS_FORM, "goals": list(GOALS)})
    client.post(f"/p/{token}/submit")
    html = client.get(f"/results/{token}").get_data(as_text=True)
    assert 'id="regional-unseen"' in html and "regional programmes in Germany may fit your business" in html
    assert f'href="/p/{token}/business?return=check"' in html


def test_every_region_the_catalogue_uses_can_be_chosen_in_the_journey_and_the_api(client, with_catalogue, bundled):
    for programme in bundled:
        territory = programme.territory
        if not territory.regions:
            continue
        choosable = {code for code, _ in regions_of(territory.country)}
        assert set(territory.regions) <= choosable, programme.id
        response = client.post(
            "/api/v1/assessments", json=make_request({"country": territory.country, "region": territory.regions[0].lower()})
        )
        assert response.status_code == 201, (programme.id, response.get_json())


def test_a_london_firm_that_names_only_england_is_asked_to_name_its_borough(client, with_catalogue):
    document = assess(client, {"country": "GB", "region": "GB-ENG", "employees": 20})
    london = next(m for m in document["matches"] if m["programme_id"] == "uk-eng-london-ai-sme-support")
    region = next(c for c in london["criteria"] if c["id"] == "region_in")
    assert region["status"] == "unknown" and region["ask"] == "region"
    manchester = assess(client, {"country": "GB", "region": "GB-MAN", "employees": 20})
    assert "uk-eng-london-ai-sme-support" not in {m["programme_id"] for m in manchester["matches"] + manchester["not_eligible"]}
    camden = assess(client, {"country": "GB", "region": "GB-CMD", "employees": 20})
    assert next(m for m in camden["matches"] if m["programme_id"] == "uk-eng-london-ai-sme-support")["reach"] == "home"


def test_a_research_id_redirects_to_the_programme(client, with_catalogue):
    response = client.get("/api/v1/programmes/gb-sct-digital-development-loan")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/api/v1/programmes/uk-sct-digital-development-loan")
    assert client.get(response.headers["Location"]).status_code == 200

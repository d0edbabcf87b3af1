"""The region question on the business page: regions grouped with their subdivisions, and a name can be typed instead."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pycountry
import pytest

from tests.webapp.journey_helpers import ABOUT, BUSINESS, start
from tests.webapp.test_journey import draft_data
from tests.webapp.test_pages import check_page
from webapp.assessment.regions import find_regions, region_choices, region_names, regions_of

ILE_DE_FRANCE_DEPARTEMENTS = {"FR-75C", "FR-77", "FR-78", "FR-91", "FR-92", "FR-93", "FR-94", "FR-95"}


class RegionSelect(HTMLParser):
    """The options of the region select as (optgroup label or None, value, label, selected)."""

    def __init__(self) -> None:
        super().__init__()
        self.options: list[tuple[str | None, str, str, bool]] = []
        self.inside = False
        self.group: str | None = None
        self.option: dict | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if tag == "select" and found.get("name") == "region":
            self.inside = True
        elif self.inside and tag == "optgroup":
            self.group = found["label"]
        elif self.inside and tag == "option":
            self.option = {"value": found["value"], "selected": "selected" in found, "label": ""}

    def handle_data(self, data: str) -> None:
        if self.option is not None:
            self.option["label"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.inside = False
        elif tag == "optgroup":
            self.group = None
        elif tag == "option" and self.option is not None:
            self.options.append((self.group, self.option["value"], self.option["label"].strip(), self.option["selected"]))
            self.option = None


def region_options(html: str) -> list[tuple[str | None, str, str, bool]]:
    parser = RegionSelect()
    parser.feed(html)
    return parser.options


def french_firm(client) -> str:
    token = start(client)
    assert client.post(f"/p/{token}/about", data=ABOUT).status_code == 302  # ABOUT is a French firm
    return token


def post_business(client, token: str, **region) -> tuple[int, str]:
    response = client.post(f"/p/{token}/business", data={**BUSINESS, **region})
    return response.status_code, response.get_data(as_text=True)


def test_ile_de_france_comes_with_its_departements_and_is_no_longer_last(app_context):
    codes = [code for code, _ in regions_of("FR")]
    with app_context.test_request_context():  # labels are translated when shown
        labels = {choice.value: str(choice.label) for choice in region_choices("FR")}
    groups = {choice.value: choice.optgroup for choice in region_choices("FR")}
    first = codes.index("FR-IDF")
    assert first < codes.index("FR-75C")
    assert set(codes[first + 1 : first + 1 + len(ILE_DE_FRANCE_DEPARTEMENTS)]) == ILE_DE_FRANCE_DEPARTEMENTS
    assert codes[-1] != "FR-IDF" and codes[-1] == "FR-WF"  # Wallis-et-Futuna, with W, ends the list
    assert {groups[code] for code in {"FR-IDF", *ILE_DE_FRANCE_DEPARTEMENTS}} == {"Île-de-France"}
    assert labels["FR-IDF"] == "Île-de-France (whole region)"
    assert labels["FR-77"] == "Seine-et-Marne"  # the usual type, left out
    assert labels["FR-75C"] == "Paris (Metropolitan collectivity with special status)"  # not a département
    assert labels["FR-67"] == "Bas-Rhin, in Alsace"  # three levels: Grand-Est, Alsace, Bas-Rhin
    assert codes.index("FR-GES") < codes.index("FR-6AE") < codes.index("FR-67")


def test_the_business_page_shows_the_groups_and_names_the_country(client):
    token = french_firm(client)
    html = client.get(f"/p/{token}/business").get_data(as_text=True)
    check_page(html)
    options = region_options(html)
    assert options[0] == (None, "", "Not sure, or I'd rather not say", True)  # nothing saved yet
    ile_de_france = [value for group, value, _, _ in options if group == "Île-de-France"]
    assert ile_de_france[0] == "FR-IDF" and set(ile_de_france[1:]) == ILE_DE_FRANCE_DEPARTEMENTS
    assert "Regions of France." in html
    assert 'list="region_name-suggestions"' in html and '<option value="Seine-et-Marne"></option>' in html


def test_a_short_list_has_no_box_to_type_in_and_a_flat_country_no_groups(client):
    token = start(client)
    client.post(f"/p/{token}/about", data={**ABOUT, "country": "DE"})
    html = client.get(f"/p/{token}/business").get_data(as_text=True)
    check_page(html)
    assert "<optgroup" not in html and 'name="region_name"' not in html
    assert (None, "DE-BY", "Bayern", False) in region_options(html)  # every entry is a Land: no type in brackets


def test_a_saved_region_is_selected_when_the_page_comes_back(client):
    token = french_firm(client)
    assert post_business(client, token, region="FR-77")[0] == 302
    options = region_options(client.get(f"/p/{token}/business").get_data(as_text=True))
    assert [value for _, value, _, selected in options if selected] == ["FR-77"]


@pytest.mark.parametrize(
    ("typed", "saved"),
    [("ile de france", "FR-IDF"), ("Paris", "FR-75C"), ("fr-idf", "FR-IDF"), ("  SEINE et marne ", "FR-77"), ("77", "FR-77")],
)
def test_a_typed_name_or_code_saves_its_region(client, typed, saved):
    token = french_firm(client)
    status, html = post_business(client, token, region="", region_name=typed)
    assert status == 302, html[:2000]
    assert draft_data(token)["enterprise"]["region"] == saved


def test_the_same_region_in_the_list_and_typed_is_fine(client):
    token = french_firm(client)
    assert post_business(client, token, region="FR-IDF", region_name="Île-de-France")[0] == 302
    assert draft_data(token)["enterprise"]["region"] == "FR-IDF"


def test_an_unknown_name_is_explained_and_kept(client):
    token = french_firm(client)
    before = draft_data(token)
    status, html = post_business(client, token, region="", region_name="Atlantis")
    assert status == 400
    check_page(html)
    assert "We cannot find a region called ‘Atlantis’ in France" in html
    assert 'href="#region_name"' in html and 'id="region_name"' in html  # the summary links to the box
    assert re.search(r'<input[^>]*id="region_name"[^>]*value="Atlantis"', html)  # what was typed is kept
    assert 'value="4,500,000"' in html  # and so is the rest of the page
    assert draft_data(token) == before


def test_a_list_and_a_typed_name_that_disagree_are_refused_and_both_kept(client):
    token = french_firm(client)
    status, html = post_business(client, token, region="FR-IDF", region_name="Bretagne")
    assert status == 400
    assert "You chose Île-de-France in the list but typed ‘Bretagne’" in html
    assert re.search(r'<input[^>]*id="region_name"[^>]*value="Bretagne"', html)
    assert [value for _, value, _, selected in region_options(html) if selected] == ["FR-IDF"]
    assert "region" not in draft_data(token)["enterprise"]


def test_a_name_shared_by_two_regions_asks_which(client):
    token = start(client)
    client.post(f"/p/{token}/about", data={**ABOUT, "country": "ES"})
    status, html = post_business(client, token, region="", region_name="cantabria")
    assert status == 400
    assert "‘cantabria’ could be Cantabria (Autonomous community) or Cantabria (Province)" in html
    assert post_business(client, token, region="", region_name="Cantabria (Province)")[0] == 302
    assert draft_data(token)["enterprise"]["region"] == "ES-S"


@pytest.mark.parametrize("region", [{"region": "DE-BY"}, {"region": "", "region_name": "Bayern"}, {"region": "", "region_name": "DE-BY"}])
def test_a_region_of_another_country_is_refused(client, region):
    token = french_firm(client)
    assert post_business(client, token, **region)[0] == 400
    assert "region" not in draft_data(token)["enterprise"]


@pytest.mark.parametrize("country", ["FR", "IT", "ES", "GB", "US", "JP", "BD", "EE"])
def test_every_suggested_name_names_exactly_one_region_and_every_region_has_one(country):
    names = region_names(country)
    found = [find_regions(country, name) for name in names]
    assert all(len(codes) == 1 for codes in found), [n for n, codes in zip(names, found, strict=True) if len(codes) != 1]
    assert sorted(codes[0] for codes in found) == sorted(s.code for s in pycountry.subdivisions.get(country_code=country))

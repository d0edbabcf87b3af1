"""A firm sees the programmes of its own territory, and of countries it expands to only when they admit it."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.matching import compile_catalogue, match
from models.ranking import prior
from models.reach import REACH_WORDS, compile_territories, reach_of
from models.rules import Facts
from programmes.schema import Territory
from tests.factories import TODAY, make_profile, make_programme


def facts(country: str, region: str | None = None, expansion: list[str] | None = None) -> Facts:
    enterprise: dict[str, Any] = {"country": country, "expansion_countries": expansion or []}
    if region:
        enterprise["region"] = region
    return Facts.of(make_profile(enterprise), TODAY)


@pytest.mark.parametrize(
    ("territory", "firm", "expected"),
    [
        ({"country": "FR"}, facts("FR"), "home"),
        ({"country": "DE"}, facts("FR"), None),
        ({"country": "DE"}, facts("FR", expansion=["DE"]), None),  # not open to firms abroad
        ({"country": "DE", "open_to_firms_abroad": True}, facts("FR", expansion=["DE"]), "expansion"),
        ({"country": "DE", "open_to_firms_abroad": True}, facts("FR", expansion=["IT"]), None),
        ({"area": "EU"}, facts("FR"), "home"),
        ({"area": "EU"}, facts("NO"), None),
        ({"area": "EEA"}, facts("NO"), "home"),
        ({"area": "EU", "open_to_firms_abroad": True}, facts("US", expansion=["AT"]), "expansion"),
        ({"anywhere": True}, facts("JP"), "anywhere"),
        ({"country": "US", "regions": ["US-UT"]}, facts("US", "US-UT"), "home"),
        ({"country": "US", "regions": ["US-UT"]}, facts("US", "US-CA"), None),  # another state: not offered
        ({"country": "US", "regions": ["US-UT"]}, facts("US"), None),  # no region: counted, not matched blindly
        ({"country": "GB", "regions": ["GB-CMD", "GB-LND"]}, facts("GB", "GB-ENG"), "home"),  # England holds London
        ({"country": "GB", "regions": ["GB-CMD", "GB-LND"]}, facts("GB", "GB-MAN"), None),
        ({"country": "GB", "regions": ["GB-ENG"]}, facts("GB", "GB-MAN"), "home"),  # Manchester lies in England
        ({"country": "US", "regions": ["US-UT"]}, facts("FR"), None),
    ],
)
def test_reach_of_a_territory(territory, firm, expected):
    t = Territory.model_validate(territory)
    assert reach_of(t, firm) == expected
    compiled = compile_territories([t])
    assert REACH_WORDS.get(int(compiled.reach(firm)[0])) == expected


TERRITORIES = st.sampled_from(
    [
        {"country": "FR"},
        {"country": "DE", "open_to_firms_abroad": True},
        {"country": "DE"},
        {"area": "EU"},
        {"area": "EEA", "open_to_firms_abroad": True},
        {"anywhere": True},
        {"country": "US", "regions": ["US-UT"], "open_to_firms_abroad": True},
        {"country": "GB", "regions": ["GB-ENG"]},
        {"country": "GB", "regions": ["GB-CMD", "GB-LND"]},
    ]
)
FIRMS = st.sampled_from(
    [
        ("FR", None),
        ("FR", "FR-IDF"),
        ("DE", None),
        ("NO", None),
        ("US", "US-UT"),
        ("US", "US-NY"),
        ("GB", "GB-MAN"),
        ("GB", "GB-SCT"),
        ("GB", "GB-ENG"),
        ("GB", "GB-CMD"),
        ("GB", None),
    ]
)


@settings(max_examples=100, deadline=None)
@given(
    territories=st.lists(TERRITORIES, min_size=1, max_size=8),
    firm=FIRMS,
    expansion=st.lists(st.sampled_from(["DE", "US", "AT", "IT"]), max_size=3, unique=True),
)
def test_the_vector_reach_agrees_with_the_scalar_one(territories, firm, expansion):
    country, region = firm
    f = facts(country, region, [c for c in expansion if c != country])
    models = [Territory.model_validate(t) for t in territories]
    vector = compile_territories(models).reach(f)
    assert [REACH_WORDS.get(int(v)) for v in vector] == [reach_of(t, f) for t in models]


def test_a_programme_of_another_country_is_neither_a_match_nor_a_near_miss():
    programmes = [
        make_programme(id="french", rules=[{"type": "country_in", "countries": ["FR"], "text": "In France."}]),
        make_programme(
            id="german-open",
            country="DE",
            territory={"country": "DE", "open_to_firms_abroad": True},
            rules=[{"type": "operates_in", "countries": ["DE"], "text": "Working in Germany."}],
        ),
        make_programme(id="german-closed", country="DE", rules=[{"type": "country_in", "countries": ["DE"], "text": "In Germany."}]),
    ]
    catalogue = compile_catalogue(programmes, "test", TODAY)
    at_home = match(make_profile({"country": "FR"}), catalogue, prior(), "test", TODAY)
    assert [(m.programme.id, m.reach) for m in at_home.matches] == [("french", "home")]
    assert at_home.not_eligible == () and at_home.match_count == 1
    expanding = match(make_profile({"country": "FR", "expansion_countries": ["DE"]}), catalogue, prior(), "test", TODAY)
    assert sorted((m.programme.id, m.reach) for m in expanding.matches) == [("french", "home"), ("german-open", "expansion")]
    assert expanding.not_eligible == ()


def test_territory_is_exactly_one_kind():
    with pytest.raises(ValueError, match="exactly one"):
        Territory.model_validate({"country": "FR", "area": "EU"})
    with pytest.raises(ValueError, match="exactly one"):
        Territory.model_validate({})
    with pytest.raises(ValueError, match="regions"):
        Territory.model_validate({"country": "FR", "regions": ["DE-BY"]})


def test_a_record_without_territory_keeps_its_country_or_area():
    assert make_programme(country="EU").territory == Territory(area="EU")
    assert make_programme(country="FR", regions=["FR-IDF"]).territory == Territory(country="FR", regions=["FR-IDF"])


def test_a_firm_without_a_region_is_told_how_many_regional_programmes_it_could_see():
    programmes = [
        make_programme(id="national", rules=[{"type": "country_in", "countries": ["FR"], "text": "In France."}]),
        *(
            make_programme(
                id=f"regional-{code.lower()}",
                regions=[code],
                rules=[{"type": "region_in", "regions": [code], "text": "In the region."}],
            )
            for code in ("FR-IDF", "FR-GES")
        ),
    ]
    catalogue = compile_catalogue(programmes, "test", TODAY)
    unknown = match(make_profile({"country": "FR"}), catalogue, prior(), "test", TODAY)
    assert [m.programme.id for m in unknown.matches] == ["national"] and unknown.regional_unseen == 2
    paris = match(make_profile({"country": "FR", "region": "FR-75C"}), catalogue, prior(), "test", TODAY)
    assert sorted(m.programme.id for m in paris.matches) == ["national", "regional-fr-idf"] and paris.regional_unseen == 0

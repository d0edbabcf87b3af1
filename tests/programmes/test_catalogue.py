"""The bundled catalogue: every programme of the research facts, valid, sourced, and covered by cases."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from pydantic import HttpUrl

from models.matching import compile_catalogue, judge, match
from models.profile import ProfileRequest, build_profile
from models.ranking import prior
from models.readiness import load_bank
from programmes.cases import case_problems, load_cases
from programmes.loader import BUNDLED_DIR, load_aliases, load_catalogue

FACTS = Path(__file__).resolve().parents[3] / "shared" / "research" / "programme-facts.yaml"
OFFICIAL = FACTS.with_name("official-sources.yaml")
REGIONAL = FACTS.with_name("regional-programme-facts.yaml")
PROGRAMMES, PROBLEMS = load_catalogue()
CASES, CASE_FILE_PROBLEMS = load_cases(BUNDLED_DIR / "cases")
BY_ID = {p.id: p for p in PROGRAMMES}


def test_the_whole_catalogue_validates():
    assert PROBLEMS == []
    assert len(PROGRAMMES) == 102  # 69 national and EU programmes, 33 regional ones


# The research facts live beside the checkout (../shared); CI always has them, a bare clone may not.
@pytest.mark.skipif(not FACTS.exists() and not os.environ.get("CI"), reason="shared/research is not beside this checkout")
def test_it_holds_exactly_the_programmes_of_the_research_facts():
    facts = yaml.safe_load(FACTS.read_text(encoding="utf-8"))
    official = {o["id"]: o for o in yaml.safe_load(OFFICIAL.read_text(encoding="utf-8"))}
    regional = yaml.safe_load(REGIONAL.read_text(encoding="utf-8"))
    aliases = load_aliases()
    assert sorted(f["id"] for f in facts) == sorted(official)
    # Every researched programme is in the catalogue, under its research id or the id its alias names.
    assert sorted(BY_ID) == sorted(aliases.get(f["id"], f["id"]) for f in [*facts, *regional])
    for fact in regional:
        programme = BY_ID[aliases.get(fact["id"], fact["id"])]
        assert programme.country == fact["country"] and programme.territory.regions, fact["id"]
    for fact in facts:
        programme = BY_ID[fact["id"]]
        assert programme.country == fact["country"], fact["id"]
        # The operator's page, where the official-source check found one, is the source; the research's own source
        # stays among the others.
        found = official[fact["id"]]["official_url"]
        assert programme.source_url == HttpUrl(found or fact["source_url"]), fact["id"]
        assert programme.source_kind == ("operator" if found else "third_party"), fact["id"]
        if found and HttpUrl(found) != HttpUrl(fact["source_url"]):
            assert HttpUrl(fact["source_url"]) in programme.other_sources, fact["id"]


def test_every_programme_keeps_its_source_and_last_verified_date():
    for programme in PROGRAMMES:
        assert programme.source_url.scheme == "https" or programme.source_url.scheme == "http"
        assert programme.last_verified.year >= 2026
        assert all(r.text for r in programme.rules)


def test_every_programme_has_cases_and_every_case_a_programme():
    assert CASE_FILE_PROBLEMS == []
    assert case_problems(CASES, PROGRAMMES) == []


def test_every_bundled_programme_states_its_territory_and_source_kind():
    """Explicitly in the file: the schema's fallback (the operator's country) is for older stored records only."""
    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            assert "territory" in entry and "source_kind" in entry, entry["id"]


def test_the_cases_cover_every_reach_and_size_limit():
    assert {c.reach for c in CASES} >= {"home", "expansion", "none"}
    # Just under and at the EU SME headcount limit, on some programme with an sme_definition rule.
    sme_cases = {c.profile["enterprise"].get("employees") for c in CASES if "sme_definition" in c.criteria}
    assert {249, 250} <= sme_cases


def test_the_cases_reach_all_three_outcomes():
    assert {c.expected for c in CASES} == {"eligible", "needs_info", "ineligible"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_programme_case(case):
    """OpenFisca-style: the catalogue gives the expected outcome, criterion statuses and reach for this firm."""
    programme = BY_ID[case.programme]
    profile = build_profile(ProfileRequest.model_validate(case.profile), load_bank())
    found = judge(programme, profile, prior(), case.on)
    assert found.eligibility == case.expected, [(c.id, c.status.word) for c in found.criteria]
    statuses = {c.id: c.status.word for c in found.criteria}
    for criterion, expected in case.criteria.items():
        assert statuses.get(criterion) == expected, (criterion, statuses)
    if case.reach is not None:
        assert (found.reach or "none") == case.reach
    # A programme that reaches the firm is matched (or listed as a near miss) exactly as judged; one that does not
    # is in neither list.
    result = match(profile, compile_catalogue([programme], "cases", case.on), prior(), "cases", case.on)
    listed = result.matches + result.not_eligible
    assert len(listed) == (0 if found.reach is None else 1)
    if listed:
        assert listed[0].eligibility == case.expected and listed[0].reach == found.reach

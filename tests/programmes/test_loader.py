"""Catalogue files round-trip in YAML, JSON and CSV; every problem names its file, line or row, id and field."""

from __future__ import annotations

import json

import pytest

from programmes.loader import catalogue_version, dump, load_text
from tests.factories import make_programme, programme_document


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv"])
def test_round_trip_keeps_every_field(fmt):
    programmes = [
        make_programme(),
        make_programme(
            id="second",
            regions=["FR-IDF"],
            rules=[
                {"type": "region_in", "regions": ["FR-IDF"], "text": "In Île-de-France."},
                {
                    "type": "any_of",
                    "text": "SME or start-up.",
                    "rules": [{"type": "sme_definition", "text": "SME"}, {"type": "max_age_years", "years": 3, "text": "Young"}],
                },
            ],
            benefit={
                "kind": "grant",
                "description": "Up to EUR 20,000; 50 % of costs.",
                "amount_max": 20000,
                "currency": "EUR",
                "funding_rate_pct": 50,
                "sme_share_pct": 50,
            },
            application={"mode": "Call", "opens": "2026-01-01", "closes": "2026-12-31"},
            unencoded_conditions=['One project per firm; a comma, a "quote" and a ; semicolon'],
        ),
    ]
    loaded, problems = load_text(dump(programmes, fmt), fmt, f"catalogue.{fmt}")
    assert problems == []
    assert loaded == programmes
    assert catalogue_version(loaded) == catalogue_version(programmes)


def test_yaml_problems_give_line_id_and_field():
    text = "- id: good-one\n  name: x\n"
    _, problems = load_text(text, "yaml", "fr.yaml")
    name_problem = next(p for p in problems if p.field == "name")
    assert (name_problem.file, name_problem.location, name_problem.programme_id) == ("fr.yaml", "line 2", "good-one")
    assert "at least 3 characters" in name_problem.message
    assert {p.field for p in problems} >= {"operator", "category", "source_url"}


def test_nested_rule_problems_name_the_rule():
    document = programme_document(rules=[{"type": "max_employees", "limit": -5, "text": "Bad limit."}])
    _, problems = load_text(json.dumps([document]), "json", "x.json")
    assert [p.field for p in problems] == ["rules[0].max_employees.limit"]
    assert problems[0].location == "line 1"


def test_json_problems_give_the_line_of_each_programme():
    good, bad = programme_document(id="good"), programme_document(id="bad", category="lottery")
    text = "[\n" + json.dumps(good) + ",\n" + json.dumps(bad) + "\n]"
    programmes, problems = load_text(text, "json", "x.json")
    assert [p.id for p in programmes] == ["good"]
    assert [(p.location, p.programme_id, p.field) for p in problems] == [("line 3", "bad", "category")]


def test_csv_problems_give_the_row():
    text = dump([make_programme(), make_programme(id="other")], "csv").replace("https://example.org/programme", "not a url", 1)
    _, problems = load_text(text, "csv", "x.csv")
    assert [(p.location, p.field) for p in problems] == [("row 2", "source_url")]


def test_duplicate_ids_are_reported():
    text = dump([make_programme(), make_programme()], "yaml")
    programmes, problems = load_text(text, "yaml", "x.yaml")
    assert len(programmes) == 1 and "duplicate id" in problems[0].message


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("- id: [unclosed", "yaml", "not valid YAML"),
        ("!!python/object/apply:os.system ['echo hacked']", "yaml", "not valid YAML"),
        ('{"id": 1}', "json", "JSON list"),
        ('[{"id": "x"', "json", "not valid JSON"),
        ("id,colour\nx,red\n", "csv", "unknown column"),
    ],
)
def test_malformed_files_are_refused_whole(text, fmt, message):
    programmes, problems = load_text(text, fmt, "f")
    assert programmes == [] and message in problems[0].message


def test_a_limit_in_a_currency_without_rate_is_a_problem():
    document = programme_document(
        rules=[
            {"type": "max_turnover", "amount": 1e6, "currency": "INR", "text": "Turnover below INR 1M."},
            {"type": "country_in", "countries": ["FR"], "text": "In France."},
        ]
    )
    _, problems = load_text(json.dumps([document]), "json", "x.json")
    assert [(p.field, "no exchange rate" in p.message) for p in problems] == [("rules[0].currency", True)]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"rules": []}, "no rule ties the programme to its territory"),
        ({"rules": [{"type": "max_employees", "limit": 250, "text": "Small."}]}, "no rule ties the programme to its territory"),
        ({"rules": [{"type": "country_in", "countries": ["DE"], "text": "In Germany."}]}, "refuses every firm the programme serves"),
        ({"territory": {"anywhere": True}, "rules": []}, "still needs a rule"),
    ],
)
def test_a_programme_must_be_tied_to_its_territory(overrides, message):
    _, problems = load_text(json.dumps([programme_document(**overrides)]), "json", "x.json")
    assert any(message in p.message for p in problems), problems


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"territory": {"area": "EU"}, "country": "EU", "rules": [{"type": "country_in", "countries": ["FR"], "text": "In France."}]},
        {
            "territory": {"country": "FR", "open_to_firms_abroad": True},
            "rules": [{"type": "operates_in", "countries": ["FR"], "text": "Working in France."}],
        },
        {
            "rules": [
                {
                    "type": "any_of",
                    "text": "France, or elsewhere if confirmed.",
                    "rules": [
                        {"type": "country_in", "countries": ["FR"], "text": "In France."},
                        {"type": "unconfirmed", "text": "Elsewhere."},
                    ],
                }
            ]
        },
        {"territory": {"anywhere": True}, "rules": [{"type": "requires_goal", "goals": ["access_data"], "text": "Wants data."}]},
    ],
)
def test_a_programme_tied_to_its_territory_passes(overrides):
    _, problems = load_text(json.dumps([programme_document(**overrides)]), "json", "x.json")
    assert problems == []

"""The assessment API, as shared/spec/assessment-api-v1.md says, including every error case."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from models.profile import ProfileRequest, build_profile
from models.reach import reach_of
from models.readiness import load_bank
from models.rules import Facts
from tests.factories import TODAY, make_request
from webapp.db import Assessment, db

SPEC_EXAMPLE = {
    "enterprise": {
        "name": "Atelier Dupont",
        "country": "FR",
        "region": "FR-IDF",
        "sector": "C",
        "employees": 42,
        "annual_turnover": {"amount": 4500000, "currency": "EUR"},
        "founded_year": 2016,
        "annual_growth_pct": 25,
        "independent": True,
    },
    "levels": {"strategy": 1, "skills": 0, "data": 2, "cloud": 3, "compute": 0, "funding": 1, "governance": 0},
    "goals": ["upskill_staff", "find_expert_advice"],
    "cofunding_capacity_pct": 30,
    "language": "en",
}


def stored_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Assessment))


def test_create_then_read_the_same_document(client, with_catalogue):
    response = client.post("/api/v1/assessments", json=SPEC_EXAMPLE)
    assert response.status_code == 201
    document = response.get_json()
    assert response.headers["Location"] == f"/api/v1/assessments/{document['id']}"
    assert len(document["id"]) >= 22  # 144 random bits, URL-safe base64
    assert document["readiness"]["dimensions"] == {
        "strategy": 25,
        "skills": 0,
        "data": 50,
        "cloud": 75,
        "compute": 0,
        "funding": 25,
        "governance": 0,
    }
    assert document["readiness"]["weakest"] == ["skills", "compute"]
    assert document["readiness"]["stage"]["level"] == 2 and document["readiness"]["stage"]["label"]
    assert document["catalogue_version"].startswith("cat-") and document["model_version"]
    # Every programme that serves a French firm is a match or a near miss; no programme of another territory is either.
    ids = [m["programme_id"] for m in document["matches"]] + [m["programme_id"] for m in document["not_eligible"]]
    french = Facts.of(build_profile(ProfileRequest.model_validate(SPEC_EXAMPLE), load_bank()), TODAY)
    assert sorted(ids) == sorted(p.id for p in with_catalogue if reach_of(p.territory, french) is not None)
    assert client.get(response.headers["Location"]).get_json() == document
    assert stored_count() == 1


def test_matches_keep_the_contract(client, with_catalogue):
    document = client.post("/api/v1/assessments", json=SPEC_EXAMPLE).get_json()
    assert [m["rank"] for m in document["matches"]] == list(range(1, len(document["matches"]) + 1))
    for m in document["matches"]:
        assert m["eligibility"] in ("eligible", "needs_info")
        assert 0 <= m["score"] <= 1
        assert sum(f["contribution"] for f in m["factors"]) == pytest.approx(m["score"], abs=6e-4)
        assert {c["status"] for c in m["criteria"]} <= {"met", "unknown"}
        assert m["source_url"].startswith("http") and m["last_verified"]
        for c in m["criteria"]:
            assert c["label"] and c["detail"]
    for m in document["not_eligible"]:
        assert m["eligibility"] == "ineligible"
        assert m["criteria"] and {c["status"] for c in m["criteria"]} == {"unmet"}
    # A French firm is matched only with French or EU programmes, or with ones that state no country condition.
    country_bound = {p.id for p in with_catalogue if any(r.type == "country_in" for r in p.rules)}
    for m in document["matches"]:
        assert m["country"] in ("FR", "EU") or m["programme_id"] not in country_bound


def test_full_assessment_answers_are_scored(client, with_catalogue):
    bank = load_bank()
    answers = {q.id: max(q.options, key=lambda o: o.points).id for q in bank.questions if q.kind == "single"}
    request = make_request(levels=None, answers=answers)
    del request["levels"]
    response = client.post("/api/v1/assessments", json=request)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["readiness"]["method"] == "full_assessment"


def test_unknown_id_is_404_with_the_error_body(client):
    response = client.get("/api/v1/assessments/not-a-real-id")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_malformed_json_is_400_and_stores_nothing(client, with_catalogue):
    response = client.post("/api/v1/assessments", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"
    assert stored_count() == 0


def test_wrong_content_type_is_415(client):
    response = client.post("/api/v1/assessments", data=json.dumps(SPEC_EXAMPLE), content_type="text/plain")
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


def test_body_over_64_kb_is_413(client):
    huge = {**SPEC_EXAMPLE, "enterprise": {**SPEC_EXAMPLE["enterprise"], "name": "x" * 70_000}}
    response = client.post("/api/v1/assessments", json=huge)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert stored_count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r["enterprise"].pop("country"), "enterprise.country"),
        (lambda r: r["enterprise"].update(country="XX"), "enterprise.country"),
        (lambda r: r["enterprise"].update(region="DE-BY"), "enterprise.region"),
        (lambda r: r["enterprise"].update(sector="Z"), "enterprise.sector"),
        (lambda r: r["enterprise"].update(employees=-1), "enterprise.employees"),
        (lambda r: r["enterprise"].update(employees="42"), "enterprise.employees"),
        (lambda r: r["enterprise"].update(employees=10**12), "enterprise.employees"),
        (lambda r: r["enterprise"].update(annual_turnover={"amount": -5, "currency": "EUR"}), "enterprise.annual_turnover.amount"),
        (lambda r: r["enterprise"].update(annual_turnover={"amount": 5, "currency": "XYZ"}), "enterprise.annual_turnover.currency"),
        (lambda r: r["enterprise"].update(founded_year=3000), "enterprise.founded_year"),
        (lambda r: r["enterprise"].update(independent="yes"), "enterprise.independent"),
        (lambda r: r["enterprise"].update(colour="red"), "enterprise.colour"),
        (lambda r: r["levels"].update(strategy=5), "levels"),
        (lambda r: r["levels"].pop("data"), "levels"),
        (lambda r: r.update(answers={"strategy_ai_goals": "no_goals"}), "body"),
        (lambda r: r.update(goals=["world_domination"]), "goals"),
        (lambda r: r.update(goals=["scale_up", "scale_up"]), "goals"),
        (lambda r: r.update(cofunding_capacity_pct=150), "cofunding_capacity_pct"),
        (lambda r: r.update(language="xx"), "language"),
        (lambda r: r.update(extra="field"), "extra"),
    ],
)
def test_invalid_fields_are_422_field_by_field_and_store_nothing(client, with_catalogue, change, field):
    request = json.loads(json.dumps(SPEC_EXAMPLE))
    change(request)
    response = client.post("/api/v1/assessments", json=request)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_fields"
    assert field in error["fields"], error["fields"]
    assert stored_count() == 0


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"no_such_question": "x"}, "answers.no_such_question"),
        ({"strategy_ai_goals": "no_such_option"}, "answers.strategy_ai_goals"),
        ({"strategy_ai_goals": ["no_goals"]}, "answers.strategy_ai_goals"),
    ],
)
def test_invalid_answers_are_422(client, with_catalogue, answers, field):
    request = {k: v for k, v in SPEC_EXAMPLE.items() if k != "levels"} | {"answers": answers}
    response = client.post("/api/v1/assessments", json=request)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_a_body_that_is_not_an_object_is_422(client):
    response = client.post("/api/v1/assessments", json=[1, 2])
    assert response.status_code == 422
    assert "body" in response.get_json()["error"]["fields"]


def test_wrong_method_is_405_with_allow(client):
    response = client.delete("/api/v1/questionnaire")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_the_questionnaire_document_drives_the_answers(client):
    document = client.get("/api/v1/questionnaire").get_json()
    assert [d["id"] for d in document["dimensions"]] == ["strategy", "skills", "data", "cloud", "compute", "funding", "governance"]
    assert 25 <= len(document["questions"]) <= 40
    assert all(q["options"] and q["dimension"] for q in document["questions"])
    assert len(document["quick_check"]) == 7 and len(document["goals"]) == 12
    assert document["version"] == load_bank().version


def test_a_whole_number_written_with_a_decimal_point_is_that_number(client, with_catalogue):
    body = json.loads(json.dumps(SPEC_EXAMPLE))
    body["enterprise"]["employees"] = 42.0
    body["levels"]["data"] = 2.0
    response = client.post("/api/v1/assessments", json=body)
    assert response.status_code == 201
    assert response.get_json()["readiness"]["dimensions"]["data"] == 50
    body["enterprise"]["employees"] = 42.5
    refused = client.post("/api/v1/assessments", json=body)
    assert refused.status_code == 422 and "enterprise.employees" in refused.get_json()["error"]["fields"]


def test_a_name_keeps_its_text_without_control_or_bidi_characters(client, with_catalogue):
    body = json.loads(json.dumps(SPEC_EXAMPLE))
    body["enterprise"]["name"] = "\u202eAtelier\u0000 Dupont\u2066\r\nS.A."
    response = client.post("/api/v1/assessments", json=body)
    assert response.status_code == 201
    stored = db.session.get(Assessment, response.get_json()["id"])
    assert stored.request["enterprise"]["name"] == "Atelier Dupont S.A."

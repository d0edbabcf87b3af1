"""The OpenAPI document is generated from the code, describes what the API really answers, and schemathesis
finds nothing wrong when it drives the app in-process."""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from config import TestingConfig
from programmes.codes import is_region
from tests.webapp.test_api import SPEC_EXAMPLE
from webapp import create_app
from webapp.api import idempotency
from webapp.api.schemas import AssessmentDocument, ProgrammeList, Questionnaire


def test_the_document_is_valid_openapi_and_lists_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI meta-schema; raises when invalid
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/v1/assessments",
        "/api/v1/assessments/{assessment_id}",
        "/api/v1/assessments/{assessment_id}/report.{fmt}",
        "/api/v1/programmes",
        "/api/v1/programmes/{programme_id}",
        "/api/v1/questionnaire",
    }
    post = document["paths"]["/api/v1/assessments"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ProfileRequest"}
    assert {"201", "400", "413", "415", "422", "429", "503"} <= set(post["responses"])
    report = document["paths"]["/api/v1/assessments/{assessment_id}/report.{fmt}"]["get"]
    assert set(report["responses"]["200"]["content"]) == {
        "application/pdf",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/json",
    }
    # The HTML pages are not part of the API document.
    assert not [p for p in document["paths"] if not p.startswith("/api/v1/")]


def test_real_answers_match_their_published_schemas(client, with_catalogue):
    created = client.post("/api/v1/assessments", json=SPEC_EXAMPLE).get_json()
    AssessmentDocument.model_validate(created)
    full = client.get("/api/v1/questionnaire").get_json()
    Questionnaire.model_validate(full)
    ProgrammeList.model_validate(client.get("/api/v1/programmes?per_page=200").get_json())


def test_the_reference_page_is_served_here_and_names_every_endpoint(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    for path in ("/api/v1/assessments", "/api/v1/programmes/{programme_id}", "/api/v1/questionnaire"):
        assert path in html
    assert "ProfileRequest" in html and "ErrorBody" in html
    assert "<script src=" not in html.replace('<script src="/static/', "")  # nothing loaded from another host
    assert "https://cdn" not in html and "unpkg" not in html


@pytest.fixture
def app_with_catalogue(app_context: Flask, with_catalogue: list) -> Flask:
    return app_context


def _published_document() -> dict:
    # Read at import, as schemathesis parametrises at collection; an app with an in-memory database serves it,
    # since the document does not touch the database. (schemathesis.pytest.from_fixture, the lazy loader, fails
    # under pytest 9.2: it reads Function._nodeid, which pytest renamed.)
    return create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"}).test_client().get("/api/v1/openapi.json").get_json()


schema = schemathesis.openapi.from_dict(_published_document())


@schema.hook
def filter_case(_context, case) -> bool:
    """Leave out what JSON Schema cannot state (the schema says it in prose): a region belongs to its country, and
    the countries a firm expands to are other than its own and each given once, whatever their case.

    Dropping such requests from generation keeps every check on; the rules themselves are tested in test_api.py."""
    body = case.body
    enterprise = body.get("enterprise") if isinstance(body, dict) else None
    if not isinstance(enterprise, dict) or not isinstance(enterprise.get("country"), str):
        return True
    country = enterprise["country"].upper()
    expansion = enterprise.get("expansion_countries")
    if isinstance(expansion, list):
        codes = [c.upper() for c in expansion if isinstance(c, str)]
        if country in codes or len(set(codes)) != len(codes):
            return False
    region = enterprise.get("region")
    return not isinstance(region, str) or (is_region(region) and region.startswith(f"{country}-"))


@schema.hook
def map_case(_context, case):
    """A generated Idempotency-Key is made unique per request: hypothesis repeats short keys, and a key reused with
    another body is refused (422) by design (tests/webapp/test_idempotent_submit.py covers reuse). Malformed keys
    are left as generated, so their refusal is still checked."""
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and idempotency.valid(key):
        case.headers["Idempotency-Key"] = f"{key[:150]}-{uuid.uuid4()}"
    return case


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_finds_no_failure(case, app_with_catalogue):
    """Default checks: no server error, documented status codes and content types, responses conforming to their
    schemas, invalid data rejected, and 405 with Allow for undocumented methods."""
    case.call_and_validate(app=app_with_catalogue)


# Negative mode only, and only the endpoint that reads a body: schemathesis writes bodies that break the published
# schema (wrong types, values past every limit, missing or extra fields) and checks that each is refused with a
# 4xx, never a 5xx, in the documented error body. (The test above mixes both modes across every endpoint.)
negative = schemathesis.openapi.from_dict(_published_document()).include(method="POST", path_regex="^/api/v1/assessments$")
negative.config.generation.update(modes=[GenerationMode.NEGATIVE])


negative.hook(map_case)  # the same unique Idempotency-Key per request as above


@negative.parametrize()
@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_negative_bodies_are_refused_without_a_server_error(case, app_with_catalogue):
    case.call_and_validate(app=app_with_catalogue)

"""/api/v1: assessments and the questionnaire, exactly as the contract says; one error body everywhere."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from models.profile import ProfileRequest
from models.readiness import load_bank
from programmes.loader import load_aliases
from programmes.schema import Programme
from webapp.api import idempotency
from webapp.api.openapi import documented, openapi_document
from webapp.api.reference import reference_sections
from webapp.api.schemas import AssessmentDocument, CreateHeaders, ErrorBody, ProgrammeList, ProgrammeQuery, Questionnaire
from webapp.assessments import InvalidProfileError, stored_assessment, stored_record
from webapp.catalogue import compiled_catalogue
from webapp.json_body import MalformedBodyError, read_json
from webapp.results.downloads import report_download

api = Blueprint("api", __name__, url_prefix="/api/v1")


def error_response(
    status: int, code: str, message: str, fields: dict[str, str] | None = None, headers: dict[str, str] | None = None
) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_fields",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def http_error(error: HTTPException) -> Response:
    """Any HTTP error under /api as the contract's error body (405 keeps its Allow header)."""
    status = error.code or 500
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    messages = {
        400: "The request could not be read.",
        404: "Nothing was found at this address.",
        405: "This method is not allowed here.",
        413: "The request body is larger than 64 KB.",
        415: "Send the body as application/json.",
        422: "Some fields are not valid; nothing was stored.",
        429: "Too many requests from your address; nothing was stored. Wait, then try again (see Retry-After).",
        500: "Something went wrong on our side; nothing was stored.",
        503: "The service is unavailable just now; nothing was stored. Try again later (see Retry-After).",
    }
    return error_response(status, HTTP_CODES.get(status, "error"), messages.get(status, error.description or "Error."), headers=headers)


@api.post("/assessments")
@documented("assessments", {201: AssessmentDocument, 200: AssessmentDocument, 422: ErrorBody}, json=ProfileRequest, headers=CreateHeaders)
def create() -> Response:
    """Create an assessment: readiness scores and the matched programmes, each explained.

    Exactly one of `levels` (the quick check) or `answers` (the full assessment) is required. Nothing is stored when
    the request is refused.
    """
    if request.mimetype != "application/json":
        return error_response(415, "unsupported_media_type", "Send the body as application/json.")
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        data = read_json(raw)
    except MalformedBodyError as problem:
        return error_response(400, "malformed_json", str(problem))
    key = request.headers.get(idempotency.HEADER)
    if key is not None and not idempotency.valid(key):
        return error_response(400, "invalid_idempotency_key", "Idempotency-Key must be 1 to 200 visible ASCII characters.")
    try:
        earlier, document = idempotency.create_once(data, key)
        if earlier is not None and not idempotency.same_request(earlier, data):
            return error_response(422, "idempotency_key_reused", "This Idempotency-Key was used with another body; nothing was stored.")
    except InvalidProfileError as problem:
        return error_response(422, "invalid_fields", "Some fields are not valid; nothing was stored.", problem.fields)
    if earlier is not None:  # a retry: the stored assessment, nothing new
        response = jsonify(earlier.result)
        response.headers["Idempotent-Replayed"] = "true"
        response.headers["Location"] = url_for("api.read", assessment_id=earlier.id)
        return response
    response = jsonify(document)
    response.status_code = 201
    response.headers["Location"] = url_for("api.read", assessment_id=document["id"])
    return response


@api.get("/assessments/<assessment_id>")
@documented("assessments", {200: AssessmentDocument, 404: ErrorBody})
def read(assessment_id: str) -> Response:
    """Read a stored assessment: the same document its creation returned."""
    document = stored_assessment(assessment_id)
    if document is None:
        return error_response(404, "not_found", "No assessment has this id.")
    return jsonify(document)


@api.get("/assessments/<assessment_id>/report.<any(pdf, csv, xlsx, json):fmt>")
@documented("assessments", {200: None, 404: ErrorBody})
def report(assessment_id: str, fmt: str) -> Response:
    """Download the assessment's match report as PDF, CSV, XLSX or JSON, with its provenance."""
    record = stored_record(assessment_id)
    if record is None:
        return error_response(404, "not_found", "No assessment has this id.")
    return report_download(record, fmt)


def _summary(programme: Programme) -> dict[str, Any]:
    return {
        "id": programme.id,
        "name": programme.name,
        "operator": programme.operator,
        "country": programme.country,
        "regions": list(programme.regions),
        "territory": programme.territory.model_dump(mode="json"),
        "category": programme.category,
        "goals": list(programme.goals),
        "builds": list(programme.builds),
        "status": programme.status,
        "closes": programme.application.closes.isoformat() if programme.application.closes else None,
        "source_url": str(programme.source_url),
        "last_verified": programme.last_verified.isoformat(),
        "href": url_for("api.programme", programme_id=programme.id),
    }


def _wanted(programme: Programme, query: ProgrammeQuery) -> bool:
    return (
        (query.country is None or programme.country == query.country)
        and (query.category is None or programme.category == query.category)
        and (query.status is None or programme.status == query.status)
        and (query.goal is None or query.goal in programme.goals)
        and (query.builds is None or query.builds in programme.builds)
    )


def _query_problems(error: ValidationError) -> dict[str, str]:
    # Each filter is one flat value; a union adds its branch to the location, which the reader does not need.
    problems: dict[str, str] = {}
    for problem in error.errors(include_url=False):
        problems.setdefault(str(problem["loc"][0]), problem["msg"])
    return problems


@api.get("/programmes")
@documented("programmes", {200: ProgrammeList, 422: ErrorBody}, query=ProgrammeQuery)
def programmes() -> Response:
    """List the published programmes, filtered and a page at a time, ordered by country then name."""
    try:
        query = ProgrammeQuery.model_validate(request.args.to_dict())
    except ValidationError as problem:
        return error_response(422, "invalid_fields", "Some filters are not valid.", _query_problems(problem))
    catalogue = compiled_catalogue()  # cached per catalogue version: no re-validation of every record per request
    chosen = sorted((p for p in catalogue.programmes if _wanted(p, query)), key=lambda p: (p.country, p.name.casefold(), p.id))
    start = (query.page - 1) * query.per_page
    return jsonify(
        {
            "programmes": [_summary(p) for p in chosen[start : start + query.per_page]],
            "total": len(chosen),
            "page": query.page,
            "per_page": query.per_page,
            "catalogue_version": catalogue.version,
        }
    )


@api.get("/programmes/<programme_id>")
@documented("programmes", {200: Programme, 301: None, 404: ErrorBody})
def programme(programme_id: str) -> Response:
    """Read one published programme: its eligibility rules, benefit, dates, source and last verification.

    An older id of a programme (programmes/aliases.yaml, e.g. the research's gb-… ids of UK programmes) answers 301
    with the current one in Location."""
    found = next((p for p in compiled_catalogue().programmes if p.id == programme_id), None)
    if found is None:
        current = load_aliases().get(programme_id)
        if current is not None:
            return redirect(url_for("api.programme", programme_id=current), 301)
        return error_response(404, "not_found", "No published programme has this id.")
    return jsonify(found.model_dump(mode="json"))


@api.get("/questionnaire")
@documented("questionnaire", {200: Questionnaire})
def questionnaire() -> Response:
    """The question bank behind `answers`, the quick check's levels, the stages and the goals."""
    bank = load_bank()
    return jsonify(
        {
            "version": bank.version,
            "levels": {"0": "none", "1": "beginning", "2": "developing", "3": "established", "4": "advanced"},
            "dimensions": [asdict(d) for d in bank.dimensions],
            "stages": [asdict(s) for s in bank.stages],
            "quick_check": [asdict(q) for q in bank.quick_check],
            "questions": [
                {**{k: v for k, v in asdict(q).items() if k != "options"}, "options": [asdict(o) for o in q.options]}
                for q in bank.questions
            ],
            "profile_questions": list(bank.profile_questions),
            "goals": list(bank.goals),
        }
    )


@api.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@api.get("/docs")
def reference() -> str:
    """The API reference, rendered on the server from the OpenAPI document: no script, nothing from another host."""
    document = openapi_document()
    return render_template("api/reference.html", document=document, sections=reference_sections(document))

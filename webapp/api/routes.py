"""/api/v1: assessments and the questionnaire, exactly as the contract says; one error body everywhere."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from models.readiness import load_bank
from webapp.assessments import InvalidProfileError, create_assessment, stored_assessment
from webapp.db import write_transaction

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
def create() -> Response:
    if request.mimetype != "application/json":
        return error_response(415, "unsupported_media_type", "Send the body as application/json.")
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return error_response(400, "malformed_json", "The body is not valid JSON.")
    try:
        with write_transaction():
            document = create_assessment(data)
    except InvalidProfileError as problem:
        return error_response(422, "invalid_fields", "Some fields are not valid; nothing was stored.", problem.fields)
    response = jsonify(document)
    response.status_code = 201
    response.headers["Location"] = url_for("api.read", assessment_id=document["id"])
    return response


@api.get("/assessments/<assessment_id>")
def read(assessment_id: str) -> Response:
    document = stored_assessment(assessment_id)
    if document is None:
        return error_response(404, "not_found", "No assessment has this id.")
    return jsonify(document)


@api.get("/questionnaire")
def questionnaire() -> Response:
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

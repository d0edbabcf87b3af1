"""The OpenAPI 3.1 document of /api/v1, generated from the routes and the pydantic models they use.

Why spectree rather than flask-smorest: the request is already validated by a pydantic model
(models.profile.ProfileRequest, shared with the CLI, the batch job and the catalogue's cases) and the responses
are pydantic models (webapp/api/schemas.py); smorest would need every shape again in marshmallow. spectree reads
the pydantic models and the Flask url rules as they are. It runs with `skip_validation=True`: the routes validate
with the same models themselves, so that every error has the contract's body ({"error": {...}}), which spectree's
own validation would not produce. Its Swagger/Redoc pages load scripts from a CDN, so they are switched off and
/api/v1/docs renders the document with our own templates instead.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from importlib.metadata import version
from typing import Any

from flask import Flask
from spectree import Response, SpecTree

from webapp.api.schemas import REPORT_FORMATS, ErrorBody

DESCRIPTION = (
    "Tremplin matches a small or medium-sized enterprise's AI-readiness profile with public support programmes "
    "from the G7 and the EU, and explains every match criterion by criterion. Every error answers with one body: "
    '{"error": {"code": "...", "message": "...", "fields": {...}}}.'
)

api_spec = SpecTree(
    "flask",
    mode="strict",  # only the routes decorated below, never the HTML pages
    title="Tremplin API",
    version="v1",
    description=DESCRIPTION,
    openapi_version="3.1.0",
    page_templates={},  # the bundled UIs load from a CDN; /api/v1/docs replaces them
    validation_error_status=422,
    validation_error_model=ErrorBody,
    # Plain model names (spectree adds a hash of the module path by default); they are unique across the API.
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
)

REPORT_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def documented(tag: str, responses: dict[int, Any], **request_models: Any) -> Callable:
    """Describe a route in the document: its request models (json=, query=) and its responses by status.

    Documentation only (skip_validation): the route validates with the same models and answers errors itself."""
    described = Response(**{f"HTTP_{status}": model for status, model in responses.items()})
    return api_spec.validate(resp=described, tags=[tag], skip_validation=True, **request_models)


def bind(app: Flask) -> None:
    # spectree's own register() would also serve the document at /apidoc/openapi.json; the API serves it at
    # /api/v1/openapi.json instead, so only the application is bound here.
    api_spec.app = app


def _add_error(operation: dict[str, Any], status: int, description: str) -> None:
    operation["responses"].setdefault(
        str(status),
        {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}},
    )


@cache
def _generated() -> dict[str, Any]:
    return api_spec.spec


def openapi_document() -> dict[str, Any]:
    """spectree's document, completed with what it cannot read from a model: binary reports and transport errors."""
    document = copy.deepcopy(_generated())
    document["info"]["x-software-version"] = version("tremplin")
    document["info"]["license"] = {"name": "GNU Affero General Public License v3.0 or later", "identifier": "AGPL-3.0-or-later"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "report." in path:
                operation["responses"]["200"] = {
                    "description": "The report as a file to download (Content-Disposition: attachment).",
                    "content": {REPORT_CONTENT_TYPES[f]: {"schema": {"type": "string", "format": "binary"}} for f in REPORT_FORMATS},
                }
            if method == "post":
                _add_error(
                    operation,
                    400,
                    "malformed_json: the body is not UTF-8 JSON, is nested more than 32 levels deep, repeats a key, or has "
                    "NaN, Infinity or a number of more than 30 digits (the message says which); or "
                    "invalid_idempotency_key: the Idempotency-Key header is malformed.",
                )
                _add_error(operation, 413, "The body is larger than 64 KB.")
                _add_error(operation, 415, "The body is not sent as application/json.")
            _add_error(operation, 429, "Too many requests from this address; Retry-After says when to try again.")
            _add_error(operation, 503, "The service is briefly unavailable; Retry-After says when to try again.")
    return document

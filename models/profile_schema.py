"""What the profile request's JSON Schema says beyond the Python types: the vocabularies and limits that the
validators in models.profile enforce, so that a client (or schemathesis) reading the published schema knows
exactly which requests are accepted.

Two rules cannot be stated in JSON Schema and stay in prose: a region must belong to the country given, and the
expansion countries are other than the firm's own and each given once, whatever their case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pycountry

from models.readiness import load_bank
from programmes.rates import known_currencies
from programmes.vocabulary import DIMENSIONS, GOALS, NACE_SECTIONS

NONE_OF_THESE = "none_of_these"


def _nullable(schema: dict[str, Any], key: str, constraint: dict[str, Any]) -> None:
    """Constrain a property that pydantic documented as `anyOf: [<type>, null]` (or a plain type)."""
    prop = schema["properties"][key]
    for branch in prop.get("anyOf", [prop]):
        if branch.get("type") != "null":
            branch.update(constraint)


def enterprise_schema(schema: dict[str, Any]) -> None:
    # Codes are read case-insensitively and stored upper case; the schema lists both spellings it accepts.
    codes = sorted(c.alpha_2 for c in pycountry.countries)
    schema["properties"]["country"]["enum"] = codes + [c.lower() for c in codes]
    expansion = schema["properties"]["expansion_countries"]
    expansion.update(
        {
            "maxItems": 10,
            "uniqueItems": True,
            "description": "Countries the firm works in or expands to: not its own, each once (any case).",
        }
    )
    expansion["items"] = {"type": "string", "enum": codes + [c.lower() for c in codes]}
    _nullable(schema, "sector", {"enum": list(NACE_SECTIONS)})
    _nullable(schema, "founded_year", {"maximum": dt.date.today().year})
    _nullable(
        schema,
        "region",
        {"pattern": r"^[A-Z]{2}-[A-Z0-9]{1,3}$", "description": "ISO 3166-2, and a region of the country given."},
    )


def money_schema(schema: dict[str, Any]) -> None:
    schema["properties"]["currency"]["enum"] = sorted(known_currencies())


def _answer_schema(question: Any) -> dict[str, Any]:
    options = [o.id for o in question.options]
    if question.kind == "single":
        return {"type": "string", "enum": options}
    chosen: dict[str, Any] = {"type": "array", "items": {"type": "string", "enum": options}, "uniqueItems": True, "minItems": 1}
    if NONE_OF_THESE in options:
        chosen["not"] = {"contains": {"const": NONE_OF_THESE}, "minItems": 2}
    # A multiple-choice question may also be answered with one option id on its own.
    return {"anyOf": [{"type": "string", "enum": options}, chosen]}


def request_schema(schema: dict[str, Any]) -> None:
    bank = load_bank()
    _nullable(
        schema,
        "levels",
        {
            "properties": {d: {"type": "integer", "minimum": 0, "maximum": 4} for d in DIMENSIONS},
            "required": list(DIMENSIONS),
            "additionalProperties": False,
        },
    )
    _nullable(
        schema,
        "answers",
        {"properties": {q.id: _answer_schema(q) for q in bank.questions}, "additionalProperties": False},
    )
    goals = schema["properties"]["goals"]
    goals["items"] = {"type": "string", "enum": list(GOALS)}
    goals["uniqueItems"] = True
    schema["properties"]["language"]["enum"] = ["en", "fr", "de", "it", "ja"]
    # Exactly one way in: the quick check's levels or the full assessment's answers.
    schema["oneOf"] = [
        {"properties": {"levels": {"type": "object"}}, "required": ["levels"]},
        {"properties": {"answers": {"type": "object"}}, "required": ["answers"]},
    ]

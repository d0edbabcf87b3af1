"""Turns the OpenAPI document into plain rows for the reference page (templates/api/reference.html)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REF_PREFIX = "#/components/schemas/"


def type_text(schema: dict[str, Any]) -> str:
    """A JSON Schema in a few words: 'string', 'list of Criterion', 'Stage or null', 'one of: open, closed'."""
    if "$ref" in schema:
        return schema["$ref"].removeprefix(REF_PREFIX)
    if "enum" in schema:
        return "one of: " + ", ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return " or ".join(type_text(s) for s in schema[combinator])
    kind = schema.get("type")
    if kind == "array":
        return "list of " + type_text(schema.get("items", {}))
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return "map of " + type_text(schema["additionalProperties"])
    if isinstance(kind, list):
        return " or ".join(kind)
    text = kind or "any"
    if "format" in schema:
        text += f" ({schema['format']})"
    return text


def _limits(schema: dict[str, Any]) -> str:
    words = {
        "minimum": "at least",
        "maximum": "at most",
        "minLength": "length at least",
        "maxLength": "length at most",
        "pattern": "matches",
        "maxItems": "at most items:",
    }
    return "; ".join(f"{word} {schema[key]}" for key, word in words.items() if key in schema)


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Schema:
    name: str
    description: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    parameters: tuple[Field, ...]
    body: str | None
    responses: tuple[tuple[str, str, str], ...]  # status, description, what it carries


@dataclass
class Sections:
    operations: list[Operation] = field(default_factory=list)
    schemas: list[Schema] = field(default_factory=list)


def _fields(schema: dict[str, Any]) -> tuple[Field, ...]:
    required = set(schema.get("required", []))
    return tuple(
        Field(
            name=name,
            type=type_text(prop),
            required=name in required,
            description=" ".join(part for part in (prop.get("description", ""), _limits(prop)) if part),
        )
        for name, prop in schema.get("properties", {}).items()
    )


def _carries(response: dict[str, Any]) -> str:
    content = response.get("content", {})
    if not content:
        return ""
    return ", ".join(
        f"{type_text(media.get('schema', {}))} ({media_type})" if media_type != "application/json" else type_text(media.get("schema", {}))
        for media_type, media in content.items()
    )


def reference_sections(document: dict[str, Any]) -> Sections:
    sections = Sections()
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            docstring = operation.get("description", "")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            sections.operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    anchor=operation.get("operationId", f"{method}-{path}"),
                    summary=operation.get("summary", ""),
                    description=docstring,
                    parameters=tuple(
                        Field(
                            name=f"{p['name']} ({p['in']})",
                            type=type_text(p.get("schema", {})),
                            required=bool(p.get("required")),
                            description=" ".join(part for part in (p.get("description", ""), _limits(p.get("schema", {}))) if part),
                        )
                        for p in operation.get("parameters", [])
                    ),
                    body=type_text(body) if body else None,
                    responses=tuple(
                        (status, response.get("description", ""), _carries(response))
                        for status, response in sorted(operation.get("responses", {}).items())
                    ),
                )
            )
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        sections.schemas.append(Schema(name=name, description=schema.get("description", ""), fields=_fields(schema)))
    return sections

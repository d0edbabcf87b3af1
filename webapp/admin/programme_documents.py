"""The curation form and the programme document, both ways: `form_to_document` and `document_to_form_data`;
`validate_programme`, which lets the schema judge and puts each error back on its field; the match preview; and
`serves_line`, the sentence the admin pages use for where a programme serves.

The form classes themselves are in webapp.admin.programme_forms.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pycountry
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import ValidationError as SchemaError
from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
)

from models.document import match_document, not_eligible_document
from models.matching import compile_catalogue, match
from models.profile import Profile, ProfileRequest, build_profile
from models.ranking import prior
from models.readiness import load_bank
from programmes.codes import is_country
from programmes.rule_types import PARAMETERS
from programmes.schema import Programme, Territory
from programmes.vocabulary import COUNTRY_GROUPS, DIMENSIONS
from webapp.admin.blueprint import admin
from webapp.admin.programme_forms import (
    CHECKBOX_FIELDS,
    LINE_FIELDS,
    PARAMETER_FIELDS,
    PARAMETERS_BY_NAME,
    RULE_PARAMETERS,
    ProgrammeForm,
    RuleForm,
    TerritoryForm,
)
from webapp.assessments import model_version
from webapp.catalogue import match_day
from webapp.form_fields import number_text, parse_number
from webapp.i18n import render_text
from webapp.json_body import read_json_text
from webapp.presentation import country_name

# What to say when a value the schema needs is missing (or a list is empty), by its place in the document.
MISSING = {
    "id": _l("Enter an identifier, like fr-osez-ia-diagnostic"),
    "name": _l("Enter the name of the programme"),
    "operator": _l("Enter who runs the programme"),
    "country": _l("Select the country, or the European Union"),
    "category": _l("Select a category"),
    "support_types": _l("Enter at least one kind of support, one a line"),
    "target_sizes": _l("Select at least one size of firm"),
    "sectors": _l("Enter at least one sector, one a line (or: not restricted)"),
    "builds": _l("Select at least one area it builds"),
    "goals": _l("Select at least one goal it serves"),
    "target_stages": _l("Select at least one readiness stage"),
    "status": _l("Select the status of the programme"),
    "source_url": _l("Enter the address of the programme's page"),
    "last_verified": _l("Enter the date the sources were read for these facts, like 2026-11-01"),
    "source_kind": _l("Select whose page the programme page is: the operator's own, or a third party's"),
    "territory.kind": _l("Select where the programme serves: a country, some regions of a country, an area or anywhere"),
    "territory.country": _l("Select the country it serves"),
    "territory.regions": _l("Enter the regions it serves, as ISO 3166-2 codes separated by commas, like FR-IDF"),
    "territory.area": _l("Select the area it serves: the EU or the EEA"),
    "languages": _l("Enter at least one language code, like fr"),
    "description": _l("Enter a description of the programme for SMEs"),
    "confidence": _l("Select how sure you are of these facts"),
    "benefit.kind": _l("Select the kind of benefit"),
    "benefit.description": _l("Describe what the firm gets"),
    "application.mode": _l("Enter how to apply"),
    "rule.type": _l("Select a rule type"),
    "rule.text": _l("Enter the sentence SMEs read for this rule"),
    "rule.any_of_json": _l("Enter the sub-rules of this rule as a JSON list"),
    # and each rule parameter's, from its rule type's spec (programmes/rule_types)
    **{f"rule.{p.name}": _l(p.missing) for p in PARAMETERS if p.missing},
}

# What a message calls a field whose label reads badly in a sentence ("%(label)s must be 100 or less").
NAMES = {
    "benefit.description": _l("The description of the benefit"),
    "benefit.amount_min": _l("The smallest amount"),
    "benefit.amount_max": _l("The largest amount"),
    "benefit.funding_rate_pct": _l("The share the programme pays"),
    "benefit.sme_share_pct": _l("The share the firm pays"),
    "benefit.paid_when": _l("When the money comes back"),
    "benefit.notes": _l("The notes on the benefit"),
    "application.mode": _l("How to apply"),
    "application.deadline_note": _l("The note on the deadline"),
    "description": _l("The description"),
    "status_note": _l("The note on the status"),
    "confidence_note": _l("The note on confidence"),
    "rule.text": _l("The sentence SMEs read"),
    **{f"rule.{p.name}": _l(p.called) for p in PARAMETERS if p.called},
}

# A clearer sentence than the schema's for a value it refuses, by its place in the document.
VALUE_ERRORS = {
    "id": _l("The identifier must be lower-case letters, digits and single hyphens, like fr-osez-ia-diagnostic"),
}

# Errors of a whole record (a model validator), by a phrase of the schema's message: the field to show it on.
RECORD_ERRORS = {
    "benefit": {
        "amount_min is larger than amount_max": ("amount_max", _l("The largest amount must be at least the smallest amount")),
        "an amount needs a currency": ("currency", _l("Enter the currency of the amount, like EUR")),
    },
    "application": {
        "opens is after closes": ("closes", _l("The closing date must be on or after the opening date")),
    },
    "": {
        "a closed programme needs": (
            "status_note",
            _l("A closed programme needs a closing date, or a status note saying why it is closed"),
        ),
    },
}
RECORD_FALLBACK = {"benefit": "kind", "application": "mode", "": "id"}


# ---------------------------------------------------------------------------------------------- form -> document


@dataclass
class _Built:
    document: dict[str, Any]
    rule_entries: list[FormField] = field(default_factory=list)  # the rule forms, in the order of document["rules"]
    problems: list[tuple[Field, str]] = field(default_factory=list)


def _clean(raw: Any) -> str | None:
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n").strip() if isinstance(raw, str) else ""
    return text or None


def _lines(raw: Any) -> list[str]:
    return [line.strip() for line in (_clean(raw) or "").split("\n") if line.strip()]


def _codes(raw: Any, upper: bool = True) -> list[str]:
    return [c.upper() if upper else c for c in re.split(r"[,;\s]+", _clean(raw) or "") if c]


def _code(raw: Any) -> str | None:
    text = _clean(raw)
    return text.upper() if text else None


def _number_value(raw: Any, whole: bool) -> int | float | None:
    if not _clean(raw):
        return None
    try:
        value = parse_number(raw)
    except ValueError:
        return None  # the field's own validator says so
    return int(value) if whole and value == value.to_integral_value() else float(value)


def _ordered(name: str, chosen: Iterable[Any], stored: Mapping[str, Any]) -> list[Any]:
    vocabulary = CHECKBOX_FIELDS[name]
    before = stored.get(name) if isinstance(stored.get(name), list) else []
    unique = list(dict.fromkeys(chosen or []))

    def position(value: Any) -> tuple[int, int]:
        if value in before:
            return (0, before.index(value))
        return (1, vocabulary.index(value)) if value in vocabulary else (2, 0)

    return sorted(unique, key=position)


def _stored_order(form: ProgrammeForm) -> Mapping[str, Any]:
    try:
        stored = json.loads(form.list_order.data or "{}")
    except ValueError:
        return {}
    return stored if isinstance(stored, dict) else {}


def _without_none(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v is not None}


def _rule_document(rule: RuleForm, problems: list[tuple[Field, str]]) -> dict[str, Any]:
    kind = rule.kind()
    document: dict[str, Any] = {"type": kind or None, "text": _clean(rule.text.data)}
    if kind == "any_of":
        raw = _clean(rule.any_of_json.data)
        if raw:
            try:
                document["rules"] = read_json_text(raw)  # bounded nesting: a hostile paste is a field error, not a 500
            except ValueError as error:
                problems.append((rule.any_of_json, _("Enter the sub-rules as a JSON list: %(problem)s", problem=str(error))))
        return _without_none(document)
    for name in RULE_PARAMETERS.get(kind, ()):  # only the parameters this type takes
        data, parameter = rule[name].data, PARAMETERS_BY_NAME[name]
        if parameter.kind == "codes":
            value: Any = _codes(data, upper=parameter.upper) or None
        elif parameter.kind in ("whole", "decimal"):
            value = _number_value(data, whole=parameter.kind == "whole")
        elif parameter.kind == "code":
            value = _code(data)
        else:
            value = _clean(data)
        document[name] = value
    return _without_none(document)


def _territory_document(territory: TerritoryForm, problems: list[tuple[Field, str]]) -> dict[str, Any]:
    """Where it serves, as typed: the schema judges a country and an area given together (see `_territory_error`).
    What only the form knows is checked here: that a kind is chosen and the fields it needs are filled in."""
    kind = territory.chosen_kind()
    document: dict[str, Any] = {
        "country": _code(territory.country.data),
        "regions": _codes(territory.regions.data),
        "area": _code(territory.area.data),
        "anywhere": kind == "anywhere",
        "open_to_firms_abroad": bool(territory.open_to_firms_abroad.data),
    }
    if not kind:
        problems.append((territory.kind, str(MISSING["territory.kind"])))
    elif kind in ("country", "region") and not document["country"]:
        problems.append((territory.country, str(MISSING["territory.country"])))
    elif kind == "area" and not document["area"]:
        problems.append((territory.area, str(MISSING["territory.area"])))
    if kind == "region" and not document["regions"]:
        problems.append((territory.regions, str(MISSING["territory.regions"])))
    elif kind == "country" and document["regions"]:
        problems.append(
            (
                territory.regions,
                _("Leave the regions blank for a programme that serves the whole country, or choose some regions of a country"),
            )
        )
    return _without_none(document)


def _size_benefits(form: ProgrammeForm, problems: list[tuple[Field, str]]) -> Any:
    raw = _clean(form.benefit_by_size.data)
    if not raw:
        return []
    try:
        return read_json_text(raw)
    except ValueError as error:
        problems.append((form.benefit_by_size, _("Enter the benefits by size as a JSON list: %(problem)s", problem=str(error))))
        return None  # left out: the problem above is the one to fix


def _build(form: ProgrammeForm) -> _Built:
    built = _Built(document={})
    rules = []
    for entry in form.rules.entries:
        if entry.form.is_dropped():
            continue
        rules.append(_rule_document(entry.form, built.problems))
        built.rule_entries.append(entry)
    stored = _stored_order(form)
    benefit, application = form.benefit.form, form.application.form
    built.document = _without_none(
        {
            "id": _clean(form.id.data),
            "name": _clean(form.name.data),
            "operator": _clean(form.operator.data),
            "country": _clean(form.country.data),
            "regions": _codes(form.regions.data),
            "territory": _territory_document(form.territory.form, built.problems),
            "category": _clean(form.category.data),
            "support_types": _lines(form.support_types.data),
            "target_sizes": _ordered("target_sizes", form.target_sizes.data, stored),
            "sectors": _lines(form.sectors.data),
            "rules": rules,
            "unencoded_conditions": _lines(form.unencoded_conditions.data),
            "builds": _ordered("builds", form.builds.data, stored),
            "goals": _ordered("goals", form.goals.data, stored),
            "target_stages": _ordered("target_stages", form.target_stages.data, stored),
            "benefit": _without_none(
                {
                    "kind": _clean(benefit.kind.data),
                    "description": _clean(benefit.description.data),
                    "amount_min": _number_value(benefit.amount_min.data, whole=False),
                    "amount_max": _number_value(benefit.amount_max.data, whole=False),
                    "currency": _code(benefit.currency.data),
                    "funding_rate_pct": _number_value(benefit.funding_rate_pct.data, whole=False),
                    "sme_share_pct": _number_value(benefit.sme_share_pct.data, whole=False),
                    "paid_when": _clean(benefit.paid_when.data),
                    "notes": _clean(benefit.notes.data),
                }
            ),
            "benefit_by_size": _size_benefits(form, built.problems),
            "application": _without_none(
                {
                    "mode": _clean(application.mode.data),
                    "opens": _clean(application.opens.data),
                    "closes": _clean(application.closes.data),
                    "deadline_note": _clean(application.deadline_note.data),
                }
            ),
            "status": _clean(form.status.data),
            "status_note": _clean(form.status_note.data),
            "source_url": _clean(form.source_url.data),
            "source_kind": _clean(form.source_kind.data),
            "other_sources": _lines(form.other_sources.data),
            "last_verified": _clean(form.last_verified.data),
            "languages": [code.lower() for code in _lines(form.languages.data)],
            "description": _clean(form.description.data),
            "confidence": _clean(form.confidence.data),
            "confidence_note": _clean(form.confidence_note.data),
        }
    )
    if "source_kind" not in built.document:  # the schema would read a missing one as third_party: ask instead
        built.problems.append((form.source_kind, str(MISSING["source_kind"])))
    return built


def form_to_document(form: ProgrammeForm) -> dict[str, Any]:
    """The programme document the form describes (not validated): removed and blank rules left out, and of each
    rule only its type's parameters."""
    return _build(form).document


# ---------------------------------------------------------------------------------------------- document -> form


def _date_text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _rule_data(rule: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"type": rule.get("type", ""), "text": rule.get("text", "")}
    if rule.get("type") == "any_of":
        sub_rules = [{"type": sub.get("type"), **sub} for sub in rule.get("rules") or []]  # the type first, to read
        data["any_of_json"] = json.dumps(sub_rules, indent=2, ensure_ascii=False)
        return data
    for parameter in PARAMETERS:
        name, value = parameter.name, rule.get(parameter.name)
        if parameter.kind == "codes":
            data[name] = ", ".join(value or [])
        elif parameter.kind in ("whole", "decimal"):
            data[name] = number_text(value)
        else:
            data[name] = "" if value is None else str(value)
    return data


def _territory_of(document: Mapping[str, Any]) -> Territory | None:
    """The document's territory; for a record written before territories existed, the one the schema implies."""
    raw = document.get("territory")
    try:
        if raw is None:
            return Territory.implied_by(document["country"], document.get("regions") or [])
        return Territory.model_validate(raw)
    except (KeyError, TypeError, ValueError):  # (pydantic's ValidationError is a ValueError)
        return None


def _territory_data(document: Mapping[str, Any]) -> dict[str, Any]:
    territory = _territory_of(document)
    if territory is None:  # not a valid territory: shown as typed, for the schema to explain on save
        raw = document.get("territory")
        territory_data = raw if isinstance(raw, Mapping) else {}
        return {
            "kind": "",
            "country": territory_data.get("country") or "",
            "regions": ", ".join(territory_data.get("regions") or []),
            "area": territory_data.get("area") or "",
            "open_to_firms_abroad": bool(territory_data.get("open_to_firms_abroad")),
        }
    return {
        "kind": territory.kind,
        "country": territory.country or "",
        "regions": ", ".join(territory.regions),
        "area": territory.area or "",
        "open_to_firms_abroad": territory.open_to_firms_abroad,
    }


def document_to_form_data(document: Mapping[str, Any], duplicate: bool = False) -> dict[str, Any]:
    """The form's initial data for a programme document, for `ProgrammeForm(data=...)`. With `duplicate`, the copy
    gets a new id ("<id>-copy") and its name the suffix " (copy)"; everything else is the same.

    A record written before territories and source kinds existed gets what the schema reads into it: the territory
    implied by its country and regions, and a third-party source."""
    if isinstance(document, Programme):
        document = document.to_document()
    benefit = document.get("benefit") or {}
    application = document.get("application") or {}
    size_benefits = document.get("benefit_by_size") or []
    data: dict[str, Any] = {
        "id": document.get("id", ""),
        "name": document.get("name", ""),
        "operator": document.get("operator", ""),
        "country": document.get("country", ""),
        "regions": ", ".join(document.get("regions") or []),
        "territory": _territory_data(document),
        "category": document.get("category", ""),
        "rules": [_rule_data(rule) for rule in document.get("rules") or []],
        "benefit": {
            "kind": benefit.get("kind", ""),
            "description": benefit.get("description", ""),
            "amount_min": number_text(benefit.get("amount_min")),
            "amount_max": number_text(benefit.get("amount_max")),
            "currency": benefit.get("currency") or "",
            "funding_rate_pct": number_text(benefit.get("funding_rate_pct")),
            "sme_share_pct": number_text(benefit.get("sme_share_pct")),
            "paid_when": benefit.get("paid_when") or "",
            "notes": benefit.get("notes") or "",
        },
        "benefit_by_size": json.dumps(size_benefits, indent=2, ensure_ascii=False) if size_benefits else "",
        "application": {
            "mode": application.get("mode", ""),
            "opens": _date_text(application.get("opens")),
            "closes": _date_text(application.get("closes")),
            "deadline_note": application.get("deadline_note") or "",
        },
        "status": document.get("status", ""),
        "status_note": document.get("status_note") or "",
        "source_url": str(document.get("source_url") or ""),
        "source_kind": document.get("source_kind", "third_party"),
        "last_verified": _date_text(document.get("last_verified")),
        "description": document.get("description", ""),
        "confidence": document.get("confidence", ""),
        "confidence_note": document.get("confidence_note") or "",
    }
    for name in LINE_FIELDS:
        data[name] = "\n".join(str(item) for item in document.get(name) or [])
    for name in CHECKBOX_FIELDS:
        data[name] = list(document.get(name) or [])
    data["list_order"] = json.dumps({name: data[name] for name in CHECKBOX_FIELDS})
    if duplicate:
        data["id"] = f"{data['id']}-copy"
        data["name"] = f"{data['name']} (copy)"
    return data


# ------------------------------------------------------------------------------------------------ validation


def _label(field_: Field) -> str:
    return str(field_.label.text).replace(" (optional)", "")


def _limit_text(value: Any) -> str:
    return number_text(float(value)) if isinstance(value, int | float) else str(value)


def _friendly(error: Mapping[str, Any], field_: Field, key: str) -> str:
    """A sentence for one pydantic error about `field_`; `key` is its place in the document ("benefit.notes", "rule.limit")."""
    kind, context = error["type"], error.get("ctx") or {}
    label = str(NAMES[key]) if key in NAMES else _label(field_)
    if kind in ("missing", "too_short"):
        if key in MISSING:
            return str(MISSING[key])
        if kind == "too_short":
            return _("%(label)s needs at least %(count)s items", label=label, count=context.get("min_length", 1))
        return _("Enter %(label)s", label=label.lower())
    if kind == "string_too_short":
        return _("%(label)s must be at least %(count)s characters", label=label, count=context.get("min_length"))
    if kind == "string_too_long":
        return _("%(label)s must be %(count)s characters or fewer", label=label, count=context.get("max_length"))
    if kind == "greater_than":
        return _("%(label)s must be more than %(limit)s", label=label, limit=_limit_text(context.get("gt")))
    if kind == "greater_than_equal":
        return _("%(label)s must be %(limit)s or more", label=label, limit=_limit_text(context.get("ge")))
    if kind == "less_than_equal":
        return _("%(label)s must be %(limit)s or less", label=label, limit=_limit_text(context.get("le")))
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return _("Enter %(label)s as a whole number", label=label.lower())
    if kind in ("float_parsing", "float_type"):
        return _("Enter %(label)s as a number", label=label.lower())
    if kind.startswith("url_"):
        return _("Enter a full web address starting with https://, like https://www.example.org/programme")
    if kind.startswith(("date_", "datetime_")):
        return _("Enter %(label)s as a real date, as YYYY-MM-DD, like 2026-11-01", label=label.lower())
    if kind in ("literal_error", "enum"):
        return _("Select one of the options for %(label)s", label=label.lower())
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return str(MISSING["rule.type"])
    if kind == "value_error" and key in VALUE_ERRORS:
        return str(VALUE_ERRORS[key])
    if kind == "value_error":
        message = str(context.get("error", error["msg"]))
        return message[:1].upper() + message[1:]
    return str(error["msg"])


def _json_problem(error: Mapping[str, Any], extra: str) -> str:
    """What is wrong with one value inside JSON typed in a text area; `extra` is said of an unknown key."""
    if error["type"] == "missing":
        return _("missing")
    if error["type"] == "extra_forbidden":
        return extra
    if error["type"] == "value_error":
        return str((error.get("ctx") or {}).get("error", error["msg"]))
    return str(error["msg"])


def _sub_rule_message(loc: tuple[Any, ...], error: Mapping[str, Any]) -> str:
    """An error inside an any_of rule's JSON; `loc` is what follows ("rules",) in the any_of rule."""
    if len(loc) == 0:
        if error["type"] == "missing":
            return str(MISSING["rule.any_of_json"])
        if error["type"] == "too_short":
            return _("Give at least two sub-rules")
        if error["type"] == "list_type":
            return _("Enter the sub-rules as a JSON list, like [{...}, {...}]")
        return str(error["msg"])
    number = loc[0] + 1 if isinstance(loc[0], int) else loc[0]
    where = ".".join(str(part) for part in loc[2:])  # skip the type tag
    problem = _json_problem(error, _("not a parameter of this rule type"))
    if where:
        return _("Sub-rule %(number)s, %(where)s: %(problem)s", number=number, where=where, problem=problem)
    return _("Sub-rule %(number)s: %(problem)s", number=number, problem=problem)


def _size_benefit_message(loc: tuple[Any, ...], error: Mapping[str, Any]) -> str:
    """An error inside the benefits by size; `loc` is what follows ("benefit_by_size",)."""
    if len(loc) == 0:
        if error["type"] == "list_type":
            return _('Enter the benefits by size as a JSON list, like [{"sizes": [...], "benefit": {...}}]')
        return str(error["msg"])
    number = loc[0] + 1 if isinstance(loc[0], int) else loc[0]
    if len(loc) == 1 and error["type"] in ("model_type", "dict_type"):
        return _('Benefit by size %(number)s: enter an object like {"sizes": [...], "benefit": {...}}', number=number)
    where = ".".join(str(part) for part in loc[1:])
    problem = _json_problem(error, _("not a field of a benefit by size"))
    if where:
        return _("Benefit by size %(number)s, %(where)s: %(problem)s", number=number, where=where, problem=problem)
    return _("Benefit by size %(number)s: %(problem)s", number=number, problem=problem)


def _territory_error(form: ProgrammeForm, error: Mapping[str, Any]) -> tuple[Field, str]:
    """A Territory error on the field to fix. The schema sees only what was typed; the kind chosen says which of two
    fields given together was meant, so the error goes on the other one."""
    territory: TerritoryForm = form.territory.form
    loc = tuple(error["loc"])
    if len(loc) > 1:
        name = loc[1] if loc[1] in ("country", "regions", "area") else "kind"
        return territory[name], _friendly(error, territory[name], f"territory.{name}")
    kind = territory.chosen_kind()
    country, area = _code(territory.country.data), _code(territory.area.data)
    message = str((error.get("ctx") or {}).get("error", error["msg"]))
    if "regions must be" in message:
        codes = message.rsplit(": ", 1)[-1]
        if kind in ("area", "anywhere") or not country:
            return territory.regions, _("Leave the regions blank: only a programme that serves some regions of a country has regions")
        return territory.regions, _(
            "Enter only regions of %(country)s, the country it serves, as ISO 3166-2 codes. Not regions of %(country)s: %(codes)s",
            country=country,
            codes=codes,
        )
    if kind == "anywhere":
        if country:
            return territory.country, _("Leave the country blank for a programme that serves anywhere")
        if area:
            return territory.area, _("Leave the area blank for a programme that serves anywhere")
    elif kind == "area":
        if country:
            return territory.country, _("Leave the country blank: a programme serves a country or an area (EU or EEA), not both")
        return territory.area, str(MISSING["territory.area"])
    elif kind in ("country", "region"):
        if area:
            return territory.area, _("Leave the area blank: a programme serves a country or an area (EU or EEA), not both")
        return territory.country, str(MISSING["territory.country"])
    return territory.kind, str(MISSING["territory.kind"])


def _record_error(scope: str, holder: Form, error: Mapping[str, Any]) -> tuple[Field, str]:
    message = str((error.get("ctx") or {}).get("error", error["msg"]))
    for phrase, (name, friendly) in RECORD_ERRORS[scope].items():
        if phrase in message:
            return holder[name], str(friendly)
    return holder[RECORD_FALLBACK[scope]], message[:1].upper() + message[1:]


def _locate(form: ProgrammeForm, built: _Built, error: Mapping[str, Any]) -> tuple[Field, str]:
    """The form field a pydantic error is about, and what to say there."""
    loc = tuple(error["loc"])
    if not loc:
        return _record_error("", form, error)
    top = loc[0]
    if top == "territory":
        return _territory_error(form, error)
    if top == "benefit_by_size":
        return form.benefit_by_size, _size_benefit_message(loc[1:], error)
    if top in ("benefit", "application"):
        holder = form[top].form
        if len(loc) == 1:
            return _record_error(top, holder, error)
        target = holder[loc[1]] if loc[1] in holder._fields else holder[RECORD_FALLBACK[top]]
        return target, _friendly(error, target, f"{top}.{loc[1]}")
    if top == "rules" and len(loc) >= 2 and isinstance(loc[1], int) and loc[1] < len(built.rule_entries):
        rule: RuleForm = built.rule_entries[loc[1]].form
        if len(loc) == 2:
            return rule.type, _friendly(error, rule.type, "rule.type")
        rest = loc[3:]
        if loc[2] == "any_of" and rest and rest[0] == "rules":
            return rule.any_of_json, _sub_rule_message(rest[1:], error)
        name = rest[0] if rest else "type"
        target = rule[name] if name in rule._fields else rule.type
        if loc[2] == "any_of" and name != "text":
            target = rule.any_of_json
        return target, _friendly(error, target, f"rule.{name}")
    target = form[top] if top in form._fields and top != "rules" else form.id  # (a rule's errors always have an entry)
    message = _friendly(error, target, str(top))
    if len(loc) > 1 and isinstance(loc[1], int) and top in LINE_FIELDS:
        message = _("Line %(number)d: %(problem)s", number=loc[1] + 1, problem=message)
    return target, message


def _add_error(target: Field, message: str) -> None:
    errors = list(target.errors or [])
    if message not in errors:
        target.errors = [*errors, message]


def _refresh_rule_errors(form: ProgrammeForm) -> None:
    """FieldList keeps the errors of its entries from validate(); errors placed later must be counted too."""
    errors = [entry.errors for entry in form.rules.entries]
    form.rules.errors = errors if any(errors) else []


def validate_programme(form: ProgrammeForm) -> Programme | None:
    """The programme, or None with every problem on its field (form.errors, for the error summary).

    The form's own checks run first (CSRF, numbers and dates typed as text); the schema then judges everything,
    and its errors go on the fields that have none yet. Removed and blank rules are not checked."""
    form.validate()
    for entry in form.rules.entries:  # what is not saved is not checked
        rule: RuleForm = entry.form
        unchecked = (
            list(rule)
            if rule.is_dropped()
            else [rule[name] for name in (*PARAMETER_FIELDS, "any_of_json") if name not in rule.used_parameters()]
        )
        for sub in unchecked:
            sub.errors = []
    flagged = {id(f) for f in _all_fields(form) if f.errors}
    built = _build(form)
    for target, message in built.problems:
        if id(target) not in flagged:
            _add_error(target, message)
            flagged.add(id(target))
    programme = None
    try:
        programme = Programme.model_validate(built.document)
    except SchemaError as invalid:
        for error in invalid.errors():
            target, message = _locate(form, built, error)
            if id(target) not in flagged:
                _add_error(target, message)
    _refresh_rule_errors(form)
    return programme if not form.errors else None


def _all_fields(form: Form) -> Iterable[Field]:
    for item in form:
        if isinstance(item, FormField):
            yield from _all_fields(item.form)
        elif isinstance(item, FieldList):
            for entry in item.entries:
                yield from _all_fields(entry.form)
        else:
            yield item


# ------------------------------------------------------------------------------------------------ preview


def try_preview(form: ProgrammeForm) -> dict[str, Any] | None:
    """The preview of what the form holds if that is already a valid programme, else None; nothing is marked on the
    form. For a page shown again without saving (after "Add a rule"). A number or date typed wrong is left out."""
    try:
        return preview_match(Programme.model_validate(form_to_document(form)))
    except SchemaError:
        return None


PREVIEW_ANYWHERE_COUNTRY = "FR"
PREVIEW_LEVEL = 2  # the middle of each readiness area: a firm Tremplin knows nothing about still has a readiness


def preview_firm(programme: Programme) -> Profile:
    """A firm of the programme's own territory (its country, its first region, a member of its area) that has said
    nothing else: no size, sector, age or goals, and the middle level of each readiness area."""
    territory = programme.territory
    if territory.country:
        country = territory.country
    elif territory.area:
        country = sorted(COUNTRY_GROUPS[territory.area])[0]
    else:  # open anywhere: the operator's country serves as well as any other
        country = programme.country if is_country(programme.country) else PREVIEW_ANYWHERE_COUNTRY
    enterprise = {"country": country, **({"region": territory.regions[0]} if territory.regions else {})}
    request = ProfileRequest.model_validate({"enterprise": enterprise, "levels": dict.fromkeys(DIMENSIONS, PREVIEW_LEVEL)})
    return build_profile(request, load_bank())


def preview_match(programme: Programme) -> dict[str, Any]:
    """The programme matched, alone, for preview_firm: a real entry of a match document (models.matching.match, then
    models.document), in `matches` (eligibility eligible or needs_info) or, when even a firm that said nothing is
    refused (a closed call, say), in `not_eligible`. Render it with admin/_programme_card.html. It also carries
    `territory` (the programme's), which the editor shows above the card (`serves_line`)."""
    day = match_day()
    profile = preview_firm(programme)
    result = match(profile, compile_catalogue([programme], "preview", day), prior(), model_version(), day)
    if result.matches:
        entry = match_document(result.matches[0], profile, day, render=render_text, translate=_)
    else:
        entry = not_eligible_document(result.not_eligible[0], day, render=render_text, translate=_)
    return {**entry, "territory": programme.territory.model_dump(mode="json", exclude_none=True)}


# ------------------------------------------------------------------------------------------------ words


def territory_words(territory: Territory) -> str:
    """Where a territory is, in words: "France", "Utah (US-UT)", "the European Union", "anywhere"."""
    if territory.anywhere:
        return _("anywhere")
    if territory.area:
        return country_name(territory.area)
    if territory.regions:
        named = ((pycountry.subdivisions.get(code=code), code) for code in territory.regions)
        return ", ".join(f"{found.name} ({code})" if found else code for found, code in named)
    return country_name(territory.country)


@admin.app_template_global()
def serves_line(document: Mapping[str, Any]) -> str:
    """The sentence "Serves: France" (or "Utah (US-UT)", "the European Union", "anywhere"), saying too whether firms
    from abroad can use it, for a programme document: a stored record's or a preview's. A record written before
    territories existed reads as the schema reads it."""
    territory = _territory_of(document)
    if territory is None:
        return _("Serves: not stated")
    where = territory_words(territory)
    if territory.open_to_firms_abroad:
        return _("Serves: %(where)s; open to firms from abroad", where=where)
    return _("Serves: %(where)s", where=where)

"""The curation form for one programme: every field of programmes.schema.Programme, with a structured rule editor.

The schema stays the only judge of what a valid programme is. `validate_programme` builds the document from the
form, validates it with `Programme.model_validate` and puts each pydantic error back on the field it is about, so
the error summary links to that field. Numbers and dates are typed as text, so a wrong entry is kept as typed and
explained. Lists are typed one item a line (or, for codes, separated by commas).

Rules: each rule is a `RuleForm` in the `rules` FieldList. A rule form carries every parameter any simple rule type
takes; only the parameters of the chosen type are sent to the schema (the others are dropped). An `any_of` rule's
sub-rules are edited as JSON in `any_of_json`. Without JavaScript, the "Add a rule" button (name="add_rule") posts
the form and the route calls `add_empty_rule`; a rule with `remove` ticked, or left completely blank, is dropped
when the programme is built.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, get_args

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from pydantic import ValidationError as SchemaError
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional, ValidationError

from models.readiness import load_bank
from programmes.rule_types import RULE_TYPE_NAMES, SimpleRule
from programmes.schema import BENEFIT_KINDS, Programme
from programmes.vocabulary import CATEGORIES, DIMENSIONS, GOALS, PROGRAMME_STATUSES, STAGES, TARGET_SIZES
from webapp.assessment.forms import NumberText, choices_of, countries, number_text, parse_number
from webapp.presentation import CATEGORY_LABELS, STATUS_LABELS

MAX_NUMBER = 10**15  # a format check only: the schema sets each number's real bounds


def _rule_parameters() -> dict[str, tuple[str, ...]]:
    """Each simple rule type's parameters, read from the schema (everything but `type` and `text`)."""
    union = get_args(SimpleRule)[0]
    found: dict[str, tuple[str, ...]] = {}
    for model in get_args(union):
        (name,) = get_args(model.model_fields["type"].annotation)
        found[name] = tuple(f for f in model.model_fields if f not in ("type", "text"))
    return found


RULE_PARAMETERS: dict[str, tuple[str, ...]] = _rule_parameters()
SIMPLE_RULE_TYPES: tuple[str, ...] = tuple(t for t in RULE_TYPE_NAMES if t != "any_of")
CODE_LIST_PARAMETERS = ("countries", "regions", "sections", "goals")
WHOLE_PARAMETERS = ("limit", "years", "score", "max_employees")
DECIMAL_PARAMETERS = ("amount", "pct", "max_turnover_eur", "max_balance_sheet_eur")
# Every parameter of every simple rule type, in the order the form shows them (a test checks none is missing).
PARAMETER_FIELDS: tuple[str, ...] = (
    *CODE_LIST_PARAMETERS,
    *("limit", "amount", "currency", "years", "pct", "dimension", "score", "max_employees", "max_turnover_eur", "max_balance_sheet_eur"),
)
CHECKBOX_FIELDS: dict[str, tuple[Any, ...]] = {"target_sizes": TARGET_SIZES, "builds": DIMENSIONS, "goals": GOALS, "target_stages": STAGES}
LINE_FIELDS = ("support_types", "sectors", "unencoded_conditions", "other_sources", "languages")

RULE_TYPE_LABELS = {
    "country_in": _l("Based in one of these countries"),
    "country_not_in": _l("Not based in any of these countries"),
    "region_in": _l("Based in one of these regions"),
    "region_not_in": _l("Not based in any of these regions"),
    "max_employees": _l("Fewer than a number of employees"),
    "min_employees": _l("At least a number of employees"),
    "max_turnover": _l("Yearly turnover at most an amount"),
    "min_turnover": _l("Yearly turnover at least an amount"),
    "max_balance_sheet": _l("Balance-sheet total at most an amount"),
    "sme_definition": _l("An SME under the EU definition"),
    "sector_in": _l("In one of these sectors (NACE sections)"),
    "sector_not_in": _l("Not in any of these sectors (NACE sections)"),
    "min_age_years": _l("Founded at least a number of years ago"),
    "max_age_years": _l("Founded at most a number of years ago"),
    "min_growth": _l("Yearly growth of at least a percentage"),
    "independent": _l("Independent (not 25 % or more owned by a large enterprise)"),
    "min_readiness": _l("Readiness in an area of at least a score"),
    "max_readiness": _l("Readiness in an area of at most a score"),
    "requires_goal": _l("Wants help with one of these goals"),
    "unconfirmed": _l("A condition Tremplin cannot check (always to confirm)"),
    "any_of": _l("Any one of several rules"),
}

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
    "last_verified": _l("Enter the date the source was last checked, like 2026-11-01"),
    "languages": _l("Enter at least one language code, like fr"),
    "description": _l("Enter a description of the programme for SMEs"),
    "confidence": _l("Select how sure you are of these facts"),
    "benefit.kind": _l("Select the kind of benefit"),
    "benefit.description": _l("Describe what the firm gets"),
    "application.mode": _l("Enter how to apply"),
    "rule.type": _l("Select a rule type"),
    "rule.text": _l("Enter the sentence SMEs read for this rule"),
    "rule.countries": _l("Enter at least one country code for this rule, like FR or EU"),
    "rule.regions": _l("Enter at least one region code for this rule, like FR-IDF"),
    "rule.sections": _l("Enter at least one NACE section for this rule, like C or J"),
    "rule.goals": _l("Enter at least one goal for this rule, like fund_project"),
    "rule.limit": _l("Enter the employee limit for this rule"),
    "rule.amount": _l("Enter the amount for this rule"),
    "rule.currency": _l("Enter the currency for this rule, like EUR"),
    "rule.years": _l("Enter the number of years for this rule"),
    "rule.pct": _l("Enter the growth percentage for this rule"),
    "rule.dimension": _l("Select the readiness area for this rule"),
    "rule.score": _l("Enter the readiness score for this rule, from 0 to 100"),
    "rule.any_of_json": _l("Enter the sub-rules of this rule as a JSON list"),
}

# What a message calls a field whose label reads badly in a sentence ("%(label)s must be 100 or less").
NAMES = {
    "benefit.description": _l("The description of the benefit"),
    "benefit.amount_min": _l("The smallest amount"),
    "benefit.amount_max": _l("The largest amount"),
    "benefit.funding_rate_pct": _l("The share the programme pays"),
    "benefit.sme_share_pct": _l("The share the firm pays"),
    "benefit.notes": _l("The notes on the benefit"),
    "application.mode": _l("How to apply"),
    "application.deadline_note": _l("The note on the deadline"),
    "description": _l("The description"),
    "status_note": _l("The note on the status"),
    "confidence_note": _l("The note on confidence"),
    "rule.text": _l("The sentence SMEs read"),
    "rule.limit": _l("The employee limit"),
    "rule.amount": _l("The amount"),
    "rule.years": _l("The number of years"),
    "rule.pct": _l("The growth percentage"),
    "rule.score": _l("The readiness score"),
    "rule.max_employees": _l("The SME employee limit"),
    "rule.max_turnover_eur": _l("The SME turnover limit"),
    "rule.max_balance_sheet_eur": _l("The SME balance-sheet limit"),
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


# ----------------------------------------------------------------------------------------------------- fields


class DateText:
    """A date typed as YYYY-MM-DD."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        raw = (field.data or "").strip()
        if not raw:
            return
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                raise ValueError(raw)
            dt.date.fromisoformat(raw)
        except ValueError:
            raise ValidationError(self.message) from None


_PLAIN = {"spellcheck": "false", "autocomplete": "off"}


def _text(label: str, hint: str = "", code: bool = False) -> StringField:
    return StringField(label, widget=GovTextInput(), description=hint, render_kw=dict(_PLAIN) if code else None)


def _area(label: str, hint: str = "", code: bool = False) -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), description=hint, render_kw=dict(_PLAIN) if code else None)


def _number(label: str, hint: str, whole: bool, message: str) -> StringField:
    return StringField(
        label,
        validators=[NumberText(-MAX_NUMBER, MAX_NUMBER, whole, message)],
        widget=GovTextInput(),
        description=hint,
        render_kw={"inputmode": "numeric" if whole else "decimal", **_PLAIN},
    )


def _date(label: str, hint: str, message: str) -> StringField:
    return StringField(label, validators=[DateText(message)], widget=GovTextInput(), description=hint, render_kw=dict(_PLAIN))


def _select(label: str, choices: Iterable[tuple[Any, str]], placeholder: str, hint: str = "") -> SelectField:
    return SelectField(
        label, choices=choices_of([("", placeholder), *choices]), validators=[Optional()], widget=GovSelect(), description=hint
    )


def _checkboxes(label: str, choices: Iterable[tuple[Any, str]], hint: str = "", coerce: Any = str) -> SelectMultipleField:
    return SelectMultipleField(label, choices=choices_of(list(choices)), coerce=coerce, widget=GovCheckboxesInput(), description=hint)


def _radios(label: str, choices: Iterable[tuple[str, str]], hint: str = "") -> RadioField:
    return RadioField(label, choices=choices_of(list(choices)), validators=[Optional()], widget=GovRadioInput(), description=hint)


def _coded(label: Any, code: str) -> Any:
    """A choice's words with its code, like "Open (open)", translated when shown."""
    return _l("%(label)s (%(code)s)", label=label, code=code)


def _words(code: str) -> str:
    return code.replace("_", " ").capitalize()


def _bank_labels() -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[int, str]]]:
    bank = load_bank()
    dimensions = {d.id: d.label for d in bank.dimensions}
    goals = {g["id"]: g["label"] for g in bank.goals}
    stages = {s.level: s.label for s in bank.stages}
    return (
        [(d, _coded(_l(dimensions.get(d, _words(d))), d)) for d in DIMENSIONS],
        [(g, _coded(_l(goals.get(g, _words(g))), g)) for g in GOALS],
        [(s, _l("Stage %(level)d: %(label)s", level=s, label=_l(stages.get(s, str(s))))) for s in STAGES],
    )


DIMENSION_CHOICES, GOAL_CHOICES, STAGE_CHOICES = _bank_labels()


def _hint(text: Any, parameter: str) -> Any:
    """A parameter's hint, ending with the rule types that take it (translated when shown)."""
    types = ", ".join(t for t, params in RULE_PARAMETERS.items() if parameter in params)
    if text is None:
        return _l("For rule types: %(types)s.", types=types)
    return _l("%(text)s For rule types: %(types)s.", text=text, types=types)


class RuleForm(Form):
    """One eligibility rule: its type, the sentence SMEs read, and every parameter any simple rule type takes."""

    type = SelectField(
        _l("Rule type"),
        choices=choices_of([("", _l("Select a rule type")), *((t, _coded(RULE_TYPE_LABELS[t], t)) for t in SIMPLE_RULE_TYPES)]),
        validate_choice=False,  # any_of is a rule type too, though it is not offered; the schema judges the type
        widget=GovSelect(),
    )
    text = _text(_l("What SMEs read"), _l("One sentence, like: Fewer than 250 employees (EU SME definition)."))
    countries = _text(_l("Countries"), _hint(_l("ISO 3166-1 codes separated by commas, or EU or EEA, like FR, BE."), "countries"), True)
    regions = _text(_l("Regions"), _hint(_l("ISO 3166-2 codes separated by commas, like FR-IDF."), "regions"), True)
    sections = _text(_l("Sectors (NACE sections)"), _hint(_l("Letters A to U separated by commas, like C, J."), "sections"), True)
    goals = _text(_l("Goals"), _hint(_l("Goal codes separated by commas, like fund_project."), "goals"), True)
    limit = _number(
        _l("Employee limit"),
        _hint(_l("A whole number of employees, like 250."), "limit"),
        True,
        _l("Enter the employee limit as a whole number, like 250"),
    )
    amount = _number(
        _l("Amount"),
        _hint(_l("A number, like 50000000."), "amount"),
        False,
        _l("Enter the amount as a number, like 50000000"),
    )
    currency = _text(_l("Currency"), _hint(_l("An ISO 4217 code, like EUR."), "currency"), True)
    years = _number(
        _l("Years"),
        _hint(_l("A whole number of years, like 3."), "years"),
        True,
        _l("Enter the number of years as a whole number, like 3"),
    )
    pct = _number(
        _l("Yearly growth (%)"),
        _hint(_l("A percentage, like 20."), "pct"),
        False,
        _l("Enter the growth as a percentage, like 20"),
    )
    dimension = _select(_l("Readiness area"), DIMENSION_CHOICES, _l("Select an area"), _hint(None, "dimension"))
    score = _number(
        _l("Readiness score"),
        _hint(_l("A whole number from 0 to 100."), "score"),
        True,
        _l("Enter the readiness score as a whole number from 0 to 100"),
    )
    max_employees = _number(
        _l("SME employee limit"),
        _hint(_l("Leave blank for the EU definition (250)."), "max_employees"),
        True,
        _l("Enter the SME employee limit as a whole number, like 250"),
    )
    max_turnover_eur = _number(
        _l("SME turnover limit in euros"),
        _hint(_l("Leave blank for the EU definition (50000000)."), "max_turnover_eur"),
        False,
        _l("Enter the SME turnover limit as a number of euros, like 50000000"),
    )
    max_balance_sheet_eur = _number(
        _l("SME balance-sheet limit in euros"),
        _hint(_l("Leave blank for the EU definition (43000000)."), "max_balance_sheet_eur"),
        False,
        _l("Enter the SME balance-sheet limit as a number of euros, like 43000000"),
    )
    any_of_json = _area(
        _l("Sub-rules (JSON)"),
        _l(
            'A rule met when any one of its sub-rules is met: a JSON list of at least two rules, like [{"type": "country_in", '
            '"countries": ["GB"], "text": "Based in the UK."}, {"type": "unconfirmed", "text": "Elsewhere: check the terms."}]. '
            "For a new rule of this kind, leave the rule type unselected."
        ),
        True,
    )
    remove = BooleanField(_l("Remove this rule"), widget=GovCheckboxInput())

    def kind(self) -> str:
        """The rule's type: the one chosen, or any_of when only sub-rules were typed."""
        chosen = (self.type.data or "").strip()
        if not chosen and (self.any_of_json.data or "").strip():
            return "any_of"
        return chosen

    def used_parameters(self) -> tuple[str, ...]:
        kind = self.kind()
        return ("any_of_json",) if kind == "any_of" else RULE_PARAMETERS.get(kind, ())

    def unused_filled(self) -> list[str]:
        """Parameters typed in that this rule's type does not take: shown, and dropped on save."""
        used = self.used_parameters()
        return [name for name in (*PARAMETER_FIELDS, "any_of_json") if name not in used and _filled(self[name].data)]

    def other_parameters(self) -> list[str]:
        """Empty parameters this rule's type does not take (offered in case the type changes)."""
        used = self.used_parameters()
        names = (*PARAMETER_FIELDS, "any_of_json") if self.kind() != "any_of" else ()
        return [name for name in names if name not in used and not _filled(self[name].data)]

    def is_blank(self) -> bool:
        return not any(_filled(self[name].data) for name in ("type", "text", *PARAMETER_FIELDS, "any_of_json"))

    def is_dropped(self) -> bool:
        return bool(self.remove.data) or self.is_blank()


def _filled(value: Any) -> bool:
    return bool(value.strip()) if isinstance(value, str) else value not in (None, [], ())


class BenefitForm(Form):
    kind = _select(_l("Kind of benefit"), [(k, _words(k)) for k in BENEFIT_KINDS], _l("Select a kind"))
    description = _area(_l("What the firm gets"), _l("Up to 500 characters, like: A 10-day expert diagnostic, 40 % co-financed."))
    amount_min = _number(
        _l("Smallest amount (optional)"), _l("Leave blank if not known."), False, _l("Enter the smallest amount as a number, like 10000")
    )
    amount_max = _number(
        _l("Largest amount (optional)"), _l("Leave blank if not known."), False, _l("Enter the largest amount as a number, like 500000")
    )
    currency = _text(_l("Currency (optional)"), _l("An ISO 4217 code, like EUR. Needed when an amount is given."), True)
    funding_rate_pct = _number(
        _l("Share of the cost the programme pays, in per cent (optional)"),
        _l("From 0 to 100. Leave blank if no source gives it."),
        False,
        _l("Enter the share the programme pays as a percentage, like 40"),
    )
    sme_share_pct = _number(
        _l("Share of the cost the firm pays, in per cent (optional)"),
        _l("From 0 to 100: 0 means free of charge. Leave blank if not known."),
        False,
        _l("Enter the share the firm pays as a percentage, like 60"),
    )
    notes = _area(_l("Notes on the benefit (optional)"))


class ApplicationForm(Form):
    mode = _text(_l("How to apply"), _l("Like: Apply online through Bpifrance."))
    opens = _date(
        _l("Opens (optional)"),
        _l("As YYYY-MM-DD, like 2026-01-15. Only when a source states it."),
        _l("Enter the opening date as YYYY-MM-DD, like 2026-01-15"),
    )
    closes = _date(
        _l("Closes (optional)"),
        _l("As YYYY-MM-DD, like 2026-03-31. Leave blank for a rolling programme."),
        _l("Enter the closing date as YYYY-MM-DD, like 2026-03-31"),
    )
    deadline_note = _text(_l("Note on the deadline (optional)"), _l("Like: Deadline unknown."))


class ProgrammeForm(FlaskForm):
    """Every field of a programme. Build it with `ProgrammeForm(data=document_to_form_data(document))` to edit."""

    id = _text(_l("Identifier"), _l("Lower-case letters, digits and single hyphens, like fr-osez-ia-diagnostic."), True)
    name = _text(_l("Name"))
    operator = _text(_l("Run by"), _l("The organisation that runs the programme."))
    category = _select(_l("Category"), [(c, _coded(CATEGORY_LABELS[c], c)) for c in CATEGORIES], _l("Select a category"))
    support_types = _area(_l("Kinds of support"), _l("One a line, as the source puts them."))
    description = _area(_l("Description for SMEs"), _l("From 20 to 2,000 characters, in plain words."))
    country = _select(_l("Country"), [("EU", _l("European Union (EU)")), *countries()], _l("Select a country"))
    regions = _text(
        _l("Regions (optional)"), _l("ISO 3166-2 codes separated by commas, like FR-IDF, FR-ARA. Leave blank for the whole country."), True
    )
    target_sizes = _checkboxes(_l("Sizes of firm it is for"), [(s, _words(s)) for s in TARGET_SIZES], _l("Select all that apply."))
    sectors = _area(_l("Sectors"), _l("One a line, as the source puts them, like: not restricted."))
    languages = _area(_l("Languages"), _l("ISO 639-1 codes, one a line, like fr."), True)
    rules = FieldList(FormField(RuleForm))
    unencoded_conditions = _area(
        _l("Conditions no rule can check (optional)"), _l("One a line. SMEs see them as things to check before they apply.")
    )
    builds = _checkboxes(_l("Readiness areas it builds"), DIMENSION_CHOICES, _l("Select all that apply."))
    goals = _checkboxes(_l("Goals it serves"), GOAL_CHOICES, _l("What a firm can want help with that this programme gives."))
    target_stages = _checkboxes(_l("Readiness stages it suits"), STAGE_CHOICES, _l("Select all that apply."), coerce=int)
    benefit = FormField(BenefitForm)
    application = FormField(ApplicationForm)
    status = _radios(_l("Status"), [(s, _coded(STATUS_LABELS[s], s)) for s in PROGRAMME_STATUSES], _l("As the sources say today."))
    status_note = _area(_l("Note on the status (optional)"), _l("Needed for a closed programme with no closing date."))
    source_url = _text(_l("Programme page"), _l("The full address of the main source, like https://www.bpifrance.fr/..."), True)
    other_sources = _area(_l("Other sources (optional)"), _l("Full addresses, one a line."), True)
    last_verified = _date(
        _l("Last checked"),
        _l("The date the sources were last read, as YYYY-MM-DD, like 2026-11-01."),
        _l("Enter the date as YYYY-MM-DD, like 2026-11-01"),
    )
    confidence = _radios(
        _l("How sure are these facts?"),
        [("high", _l("High")), ("medium", _l("Medium")), ("low", _l("Low"))],
        _l("High: official sources state every fact. Low: facts are missing or come from press reports."),
    )
    confidence_note = _area(_l("Note on confidence (optional)"), _l("What is uncertain, and why."))
    # The order of the ticked boxes as stored, so saving an unchanged programme changes nothing (checkboxes post in
    # the order of the page).
    list_order = HiddenField()


def add_empty_rule(form: ProgrammeForm) -> None:
    """For the "Add a rule" button (name="add_rule"): one more, empty rule; the route re-renders without validating."""
    form.rules.append_entry()


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
                document["rules"] = json.loads(raw)
            except ValueError as error:
                problems.append((rule.any_of_json, _("Enter the sub-rules as a JSON list: %(problem)s", problem=str(error))))
        return _without_none(document)
    for name in RULE_PARAMETERS.get(kind, ()):  # only the parameters this type takes
        data = rule[name].data
        if name in CODE_LIST_PARAMETERS:
            value: Any = _codes(data, upper=name != "goals") or None
        elif name in WHOLE_PARAMETERS or name in DECIMAL_PARAMETERS:
            value = _number_value(data, whole=name in WHOLE_PARAMETERS)
        elif name == "currency":
            value = _code(data)
        else:
            value = _clean(data)
        document[name] = value
    return _without_none(document)


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
                    "notes": _clean(benefit.notes.data),
                }
            ),
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
            "other_sources": _lines(form.other_sources.data),
            "last_verified": _clean(form.last_verified.data),
            "languages": [code.lower() for code in _lines(form.languages.data)],
            "description": _clean(form.description.data),
            "confidence": _clean(form.confidence.data),
            "confidence_note": _clean(form.confidence_note.data),
        }
    )
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
    for name in PARAMETER_FIELDS:
        value = rule.get(name)
        if name in CODE_LIST_PARAMETERS:
            data[name] = ", ".join(value or [])
        elif name in WHOLE_PARAMETERS or name in DECIMAL_PARAMETERS:
            data[name] = number_text(value)
        else:
            data[name] = "" if value is None else str(value)
    return data


def document_to_form_data(document: Mapping[str, Any], duplicate: bool = False) -> dict[str, Any]:
    """The form's initial data for a programme document, for `ProgrammeForm(data=...)`. With `duplicate`, the copy
    gets a new id ("<id>-copy") and its name the suffix " (copy)"; everything else is the same."""
    if isinstance(document, Programme):
        document = document.to_document()
    benefit = document.get("benefit") or {}
    application = document.get("application") or {}
    data: dict[str, Any] = {
        "id": document.get("id", ""),
        "name": document.get("name", ""),
        "operator": document.get("operator", ""),
        "country": document.get("country", ""),
        "regions": ", ".join(document.get("regions") or []),
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
            "notes": benefit.get("notes") or "",
        },
        "application": {
            "mode": application.get("mode", ""),
            "opens": _date_text(application.get("opens")),
            "closes": _date_text(application.get("closes")),
            "deadline_note": application.get("deadline_note") or "",
        },
        "status": document.get("status", ""),
        "status_note": document.get("status_note") or "",
        "source_url": str(document.get("source_url") or ""),
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
    if error["type"] == "missing":
        problem = _("missing")
    elif error["type"] == "extra_forbidden":
        problem = _("not a parameter of this rule type")
    elif error["type"] == "value_error":
        problem = str((error.get("ctx") or {}).get("error", error["msg"]))
    else:
        problem = str(error["msg"])
    if where:
        return _("Sub-rule %(number)s, %(where)s: %(problem)s", number=number, where=where, problem=problem)
    return _("Sub-rule %(number)s: %(problem)s", number=number, problem=problem)


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


def preview_match(programme: Programme) -> dict[str, Any]:
    """The programme as one entry of a match document's `matches`, for a firm Tremplin knows nothing about: each
    rule is a criterion still to confirm, with no score and no factors. Render it with results/_card.html."""
    criteria = [{"id": rule.type, "label": rule.text, "status": "unknown", "detail": _("depends on the firm")} for rule in programme.rules]
    return {
        "programme_id": programme.id,
        "name": programme.name,
        "category": programme.category,
        "country": programme.country,
        "eligibility": "needs_info" if criteria else "eligible",
        "score": 0,
        "rank": 1,
        "criteria": criteria,
        "factors": [],
        "operator": programme.operator,
        "benefit": {k: v for k, v in programme.benefit.model_dump(mode="json").items() if v is not None},
        "unencoded_conditions": list(programme.unencoded_conditions),
        "status": programme.status,
        "closes": programme.application.closes.isoformat() if programme.application.closes else None,
        "source_url": str(programme.source_url),
        "last_verified": programme.last_verified.isoformat(),
    }

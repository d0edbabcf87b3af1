"""The curation form for one programme: every field of programmes.schema.Programme, with a structured rule editor.

The schema stays the only judge of what a valid programme is: webapp.admin.programme_documents builds the document
from the form, validates it with `Programme.model_validate` and puts each pydantic error back on the field it is
about, so the error summary links to that field. Numbers and dates are typed as text, so a wrong entry is kept as typed and
explained. Lists are typed one item a line (or, for codes, separated by commas).

Rules: each rule is a `RuleForm` in the `rules` FieldList. A rule form carries every parameter any simple rule type
takes; only the parameters of the chosen type are sent to the schema (the others are dropped). An `any_of` rule's
sub-rules are edited as JSON in `any_of_json`. Without JavaScript, the "Add a rule" button (name="add_rule") posts
the form and the route calls `add_empty_rule`; a rule with `remove` ticked, or left completely blank, is dropped
when the programme is built.

Territory: where the programme serves is the `territory` sub-form: a kind (radios), then the fields of every kind
(country, regions, area), all shown, since the page works without JavaScript. What is typed is sent to the schema as
typed, so a country and an area both given is refused by the schema's Territory validator; the kind says which of
the two was meant, so the error lands on the other one. Benefits that differ by firm size (`benefit_by_size`) are
edited as JSON, like an any_of rule's sub-rules.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from models.readiness import load_bank
from programmes.rule_types import PARAMETERS, SIMPLE_RULE_TYPES, SPECS, Parameter
from programmes.rule_types.registry import SIMPLE_SPECS
from programmes.schema import BENEFIT_KINDS
from programmes.vocabulary import AREAS, CATEGORIES, DIMENSIONS, FIRM_SIZES, GOALS, PROGRAMME_STATUSES, STAGES, TARGET_SIZES
from webapp.form_fields import NumberText, choices_of, countries
from webapp.form_fields import checkbox_field as _checkboxes
from webapp.form_fields import radio_field as _radios
from webapp.form_fields import select_field as _select
from webapp.presentation import CATEGORY_LABELS, STATUS_LABELS

MAX_NUMBER = 10**15  # a format check only: the schema sets each number's real bounds


# The rule types and their parameters come from their specs (programmes/rule_types): one field per parameter name,
# shown in the registry's order (lists of codes, then values, then values with a default).
RULE_PARAMETERS: dict[str, tuple[str, ...]] = {name: tuple(p.name for p in spec.parameters) for name, spec in SIMPLE_SPECS.items()}
PARAMETERS_BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
PARAMETER_FIELDS: tuple[str, ...] = tuple(PARAMETERS_BY_NAME)
CODE_LIST_PARAMETERS = tuple(p.name for p in PARAMETERS if p.kind == "codes")
WHOLE_PARAMETERS = tuple(p.name for p in PARAMETERS if p.kind == "whole")
DECIMAL_PARAMETERS = tuple(p.name for p in PARAMETERS if p.kind == "decimal")
CHECKBOX_FIELDS: dict[str, tuple[Any, ...]] = {"target_sizes": TARGET_SIZES, "builds": DIMENSIONS, "goals": GOALS, "target_stages": STAGES}
LINE_FIELDS = ("support_types", "sectors", "unencoded_conditions", "other_sources", "languages")

RULE_TYPE_LABELS = {name: _l(spec.label) for name, spec in SPECS.items()}

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


def _parameter_field(parameter: Parameter) -> Field:
    """The editor's field for one rule parameter, as its spec describes it (the strings are translated when shown)."""
    hint = _hint(_l(parameter.hint) if parameter.hint else None, parameter.name)
    if parameter.kind == "dimension":
        return _select(_l(parameter.label), DIMENSION_CHOICES, _l(parameter.placeholder or ""), hint)
    if parameter.kind in ("whole", "decimal"):
        return _number(_l(parameter.label), hint, parameter.kind == "whole", _l(parameter.invalid or ""))
    return _text(_l(parameter.label), hint, True)


# Made before RuleForm's own fields below, after its type and text: WTForms orders fields by when they were made,
# and the error summary lists them in that order.
_RULE_TYPE_FIELD = SelectField(
    _l("Rule type"),
    choices=choices_of([("", _l("Select a rule type")), *((t, _coded(RULE_TYPE_LABELS[t], t)) for t in SIMPLE_RULE_TYPES)]),
    validate_choice=False,  # any_of is a rule type too, though it is not offered; the schema judges the type
    widget=GovSelect(),
)
_RULE_TEXT_FIELD = _text(_l("What SMEs read"), _l("One sentence, like: Fewer than 250 employees (EU SME definition)."))
_PARAMETER_FIELDS = {p.name: _parameter_field(p) for p in PARAMETERS}


class RuleForm(Form):
    """One eligibility rule: its type, the sentence SMEs read, and every parameter any simple rule type takes (one
    field per parameter, added below from the rule types' specs)."""

    type = _RULE_TYPE_FIELD
    text = _RULE_TEXT_FIELD
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


for _name, _field in _PARAMETER_FIELDS.items():
    setattr(RuleForm, _name, _field)


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
    paid_when = _text(
        _l("When the money comes back (optional)"),
        _l(
            "Only for tax incentives, as the source says, like: As a reduction of the next corporate tax bill. "
            "Up to 300 characters. Leave blank if no source says."
        ),
    )
    notes = _area(_l("Notes on the benefit (optional)"))


TERRITORY_KINDS: dict[str, Any] = {
    "country": _l("A country"),
    "region": _l("Some regions of a country"),
    "area": _l("An area: the EU or the EEA"),
    "anywhere": _l("Anywhere"),
}
AREA_LABELS = {"EU": _l("The European Union (EU)"), "EEA": _l("The European Economic Area (EEA)")}  # one per AREAS (a test checks)


class TerritoryForm(Form):
    """Where the programme serves (programmes.schema.Territory): its kind, then the fields each kind uses."""

    kind = _radios(
        _l("Where it serves"),
        list(TERRITORY_KINDS.items()),
        _l("Where its support is delivered. Who may apply is set by the eligibility rules."),
    )
    country = _select(_l("Country it serves"), countries(), _l("Select a country"), _l("For a country, or some regions of a country."))
    regions = _text(
        _l("Regions it serves"),
        _l("For some regions of a country: ISO 3166-2 codes of that country separated by commas, like FR-IDF, FR-ARA."),
        True,
    )
    area = _select(_l("Area it serves"), [(a, AREA_LABELS[a]) for a in AREAS], _l("Select an area"), _l("For an area."))
    open_to_firms_abroad = BooleanField(
        _l("Firms established abroad can use it (shown to firms expanding to this country)"),
        widget=GovCheckboxInput(),
        description=_l("Leave it unticked when only firms established where it serves can use it."),
    )

    def chosen_kind(self) -> str:
        return (self.kind.data or "").strip()


SOURCE_KINDS: dict[str, Any] = {
    "operator": _l("The operator's own page"),
    "third_party": _l("A third-party page (no official page found)"),
}
BENEFIT_BY_SIZE_EXAMPLE = (
    '[{"sizes": ["small_midcap"], "benefit": {"kind": "equity", "description": "An equity investment, no grant.", '
    '"amount_max": 15000000, "currency": "EUR"}}]'
)


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
    country = _select(
        _l("Country of the operator"),
        [("EU", _l("European Union (EU)")), ("EEA", _l("European Economic Area (EEA)")), *countries()],
        _l("Select a country"),
        _l("Where the organisation that runs it belongs: a country, or the European Union. Where it serves is set under Territory."),
    )
    regions = _text(
        _l("Regions of the operator (optional)"),
        _l("ISO 3166-2 codes separated by commas, like FR-IDF, FR-ARA. Leave blank for a national operator."),
        True,
    )
    territory = FormField(TerritoryForm)
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
    benefit_by_size = _area(
        _l("Benefits that differ by firm size (optional, JSON)"),
        _l(
            "Only when firms of some sizes get another benefit than the one above. A JSON list; each item has "
            '"sizes" (any of %(sizes)s) and a whole "benefit" with the fields above, like %(example)s. '
            "Leave blank when every size gets the benefit above.",
            sizes=", ".join(FIRM_SIZES),
            example=BENEFIT_BY_SIZE_EXAMPLE,
        ),
        True,
    )
    application = FormField(ApplicationForm)
    status = _radios(_l("Status"), [(s, _coded(STATUS_LABELS[s], s)) for s in PROGRAMME_STATUSES], _l("As the sources say today."))
    status_note = _area(_l("Note on the status (optional)"), _l("Needed for a closed programme with no closing date."))
    source_url = _text(_l("Programme page"), _l("The full address of the main source, like https://www.bpifrance.fr/..."), True)
    source_kind = _radios(
        _l("Whose page is it?"),
        list(SOURCE_KINDS.items()),
        _l(
            "The operator's own page includes its ministry's or agency's. A third party is anyone else: the press, a consultancy, a mirror."
        ),
    )
    other_sources = _area(_l("Other sources (optional)"), _l("Full addresses, one a line."), True)
    last_verified = _date(
        _l("Sources read on"),
        _l(
            "The date the sources were read for these facts, as YYYY-MM-DD, like 2026-11-01 "
            "(not a claim that the programme was checked with its operator that day)."
        ),
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

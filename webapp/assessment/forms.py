"""WTForms for each section, generated from the question bank, and the conversions between a form and a draft.

Every field is validated on the server. Numbers are typed as text (inputmode=numeric) so a wrong entry is kept
as typed and explained, instead of being silently emptied by the browser or by WTForms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry
from babel.numbers import get_territory_currencies
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSelect, GovTextInput
from wtforms import Field, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from models.names import clean_name
from models.profile import MAX_EMPLOYEES, MAX_EXPANSION_COUNTRIES, MIN_FOUNDED_YEAR
from models.readiness import Question, QuestionBank
from programmes.rates import known_currencies
from programmes.vocabulary import GOALS
from webapp.assessment.regions import (
    LONG_REGION_LIST,
    TypedRegion,
    answered_region,
    region_choices,
    region_examples,
    region_names,
)
from webapp.assessment.steps import ABOUT, BUSINESS, Section
from webapp.assessment.steps import GOALS as GOALS_SECTION

MAX_TEXT = 200
MAX_AMOUNT = Decimal(10) ** 13


def countries() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1])


def default_currency(country: str | None) -> str:
    if country:
        for code in get_territory_currencies(country):
            if code in known_currencies():
                return code
    return "EUR"


def parse_number(raw: str) -> Decimal:
    """'4 500 000', '4,500,000' and '4500000.50' all read; anything else raises ValueError."""
    cleaned = raw.strip().replace(",", "").replace(" ", "").replace("\u202f", "").replace("\u00a0", "").replace("_", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(raw) from error
    if not value.is_finite():
        raise ValueError(raw)
    return value


class NumberText:
    """Validates a number typed as text, within bounds; `whole` refuses fractions.

    `message` explains what to type; `below` and `above`, when given, replace it for a number out of bounds, where
    "as a whole number, like 12" would not tell the person what is wrong with -5 or 50,000,000."""

    def __init__(
        self,
        minimum: Decimal | int,
        maximum: Decimal | int,
        whole: bool,
        message: str,
        below: str | None = None,
        above: str | None = None,
    ) -> None:
        self.minimum, self.maximum, self.whole, self.message = Decimal(minimum), Decimal(maximum), whole, message
        self.below, self.above = below or message, above or message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if not field.data or not field.data.strip():
            return
        try:
            value = parse_number(field.data)
        except ValueError:
            raise ValidationError(self.message) from None
        if value < self.minimum:
            raise ValidationError(self.below)
        if value > self.maximum:
            raise ValidationError(self.above)
        if self.whole and value != value.to_integral_value():
            raise ValidationError(self.message)


def country_code(text: str) -> str | None:
    """A country typed by its English name or its ISO code, in any case ("germany", "DE"), as its code; None if unknown."""
    try:
        return pycountry.countries.lookup(text.strip()).alpha_2
    except LookupError:
        return None


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def split_countries(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").replace(";", ",").split(",") if part.strip()]


class CountryList:
    """Countries typed as names or codes separated by commas: each known, not the firm's own, at most `limit`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, form: FlaskForm, field: Field) -> None:
        typed = split_countries(field.data)
        unknown = [t for t in typed if country_code(t) is None]
        if unknown:
            raise ValidationError(
                _(
                    "We do not know the country %(country)s: write its name, like Germany, or its two-letter code, like DE",
                    country=unknown[0],
                )
            )
        codes = list(dict.fromkeys(country_code(t) for t in typed))
        if len(codes) > self.limit:
            raise ValidationError(_("Name at most %(limit)d countries", limit=self.limit))
        own = getattr(form, "home_country", None)
        if own and own in codes:
            name = pycountry.countries.get(alpha_2=own).name
            raise ValidationError(_("Leave out %(country)s: it is where your business is established", country=name))


def choices_of(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _select(label: str, choices: list[tuple[str, str]], placeholder: str, required: bool, hint: str | None = None) -> SelectField:
    validators = [InputRequired(message=_l("Select an option"))] if required else [Optional()]
    return SelectField(
        label, choices=choices_of([("", placeholder), *choices]), validators=validators, widget=GovSelect(), description=hint or ""
    )


def _number(
    label: str,
    hint: str | None,
    minimum: Decimal | int,
    maximum: Decimal | int,
    whole: bool,
    message: str,
    below: str | None = None,
    above: str | None = None,
) -> StringField:
    return StringField(
        label,
        validators=[Optional(), Length(max=40, message=message), NumberText(minimum, maximum, whole, message, below, above)],
        widget=GovTextInput(),
        description=hint or "",
        render_kw={"inputmode": "decimal" if not whole else "numeric", "spellcheck": "false", "autocomplete": "off"},
    )


def _profile_question(bank: QuestionBank, question_id: str) -> Mapping[str, Any]:
    return next(q for q in bank.profile_questions if q["id"] == question_id)


def about_form(bank: QuestionBank) -> type[FlaskForm]:
    country = _profile_question(bank, "country")
    sector = _profile_question(bank, "sector")
    employees = _profile_question(bank, "employees")

    class AboutForm(FlaskForm):
        name = StringField(
            _l("Name of your business (optional)"),
            # Kept as typed, minus control characters and bidirectional overrides (models.names), before the length
            # is checked, the draft stores it, or the page shows it again.
            filters=[lambda value: clean_name(value) if isinstance(value, str) else value],
            validators=[Optional(), Length(max=MAX_TEXT, message=_l("Name must be %(max)d characters or fewer", max=MAX_TEXT))],
            widget=GovTextInput(),
            render_kw={"autocomplete": "organization"},
        )

    AboutForm.country = _select(_(country["text"]), countries(), _("Select a country"), True, _(country["hint"]))
    AboutForm.sector = _select(
        _(sector["text"]),
        [(o["id"], f"{o['id']}: {_(o['label'])}") for o in sector["options"]],
        _("Select a sector"),
        False,
        _(sector["hint"]),
    )
    AboutForm.employees = _number(
        _(employees["text"]),
        _(employees["hint"]),
        0,
        MAX_EMPLOYEES,
        True,
        _("Enter the number of people as a whole number, like 12"),
        below=_("The number of people cannot be negative: enter 0 or more"),
        above=_("Enter a number of people from 0 to %(max)s", max=format_decimal(MAX_EMPLOYEES)),
    )
    return AboutForm


def business_form(bank: QuestionBank, country: str | None) -> type[FlaskForm]:
    questions = {q["id"]: q for q in bank.profile_questions}
    currencies = [(c, c) for c in sorted(known_currencies())]
    this_year = dt.date.today().year

    asked = questions["region"]
    regions = region_choices(country)
    long_list = len(regions) > LONG_REGION_LIST
    region_hint = f"{_('Regions of %(country)s.', country=country_name(country))} {_(asked['hint'])}" if country else _(asked["hint"])

    class BusinessForm(FlaskForm):
        home_country = country  # read by CountryList: the firm's own country is not an expansion country
        # Under a long list, a box to type the region in, with these names as suggestions (templates/assessment/_region.html).
        typed_region_names = region_names(country) if long_list else []
        typed_region_examples = region_examples(country) if long_list else ()
        region = SelectField(
            _(asked["text"]),
            choices=[SelectChoice("", _("Not sure, or I'd rather not say")), *regions],
            validators=[Optional()],
            description=region_hint,
        )
        region_name = StringField(
            # The French word where the list holds départements; elsewhere a region is what people look for.
            _("Or type the name of your region or département") if country == "FR" else _("Or type the name of your region"),
            validators=[Length(max=MAX_TEXT, message=_l("Type at most %(max)d characters", max=MAX_TEXT)), TypedRegion(country)],
            filters=[lambda value: clean_name(value) if isinstance(value, str) else value],
        )

    for money in ("annual_turnover", "balance_sheet_total"):
        question = questions[money]
        amount = _number(
            _(question["text"]),
            _(question["hint"]),
            0,
            MAX_AMOUNT,
            False,
            _("Enter an amount of money as a number, like 450000"),
            below=_("An amount of money cannot be negative: enter 0 or more"),
            above=_("Enter an amount of at most %(max)s", max=format_decimal(MAX_AMOUNT)),
        )
        setattr(BusinessForm, f"{money}_amount", amount)
        setattr(
            BusinessForm,
            f"{money}_currency",
            SelectField(
                _("Currency"),
                choices=choices_of(currencies),
                default=default_currency(country),
                validators=[InputRequired(message=_l("Select a currency"))],
                widget=GovSelect(),
            ),
        )
    founded = questions["founded_year"]
    BusinessForm.founded_year = _number(
        _(founded["text"]),
        _(founded["hint"]),
        MIN_FOUNDED_YEAR,
        this_year,
        True,
        _("Enter a year between %(first)d and %(year)d, like 2016", first=MIN_FOUNDED_YEAR, year=this_year),
        above=_("The year your business was founded cannot be in the future"),
    )
    growth = questions["annual_growth_pct"]
    BusinessForm.annual_growth_pct = _number(
        _(growth["text"]),
        _(growth["hint"]),
        -100,
        10_000,
        False,
        _("Enter a percentage between -100 and 10000, like 15"),
        below=_("A business cannot shrink by more than 100 per cent: enter -100 or more"),
    )
    independent = questions["independent"]
    BusinessForm.independent = RadioField(
        _(independent["text"]),
        choices=choices_of([("yes", _("Yes")), ("no", _("No")), ("unknown", _("Not sure"))]),
        validators=[Optional()],
        widget=GovRadioInput(),
        description=_(independent["hint"]),
    )
    expansion = questions["expansion_countries"]
    BusinessForm.expansion_countries = StringField(
        _(expansion["text"]),
        validators=[Optional(), Length(max=600, message=_l("Name at most 10 countries")), CountryList(MAX_EXPANSION_COUNTRIES)],
        widget=GovTextInput(),
        description=_(expansion["hint"]),
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    return BusinessForm


def level_form(bank: QuestionBank, dimension: str) -> type[FlaskForm]:
    item = next(q for q in bank.quick_check if q.dimension == dimension)

    class LevelForm(FlaskForm):
        level = RadioField(
            _(item.question),
            choices=choices_of([(str(level), _(text)) for level, text in enumerate(item.levels)]),
            validators=[InputRequired(message=_l("Select the answer that fits your business best"))],
            widget=GovRadioInput(),
            description=_(item.hint) if item.hint else "",
        )

    return LevelForm


def _question_field(question: Question) -> Field:
    choices = choices_of([(o.id, _(o.label)) for o in question.options])
    hint = _(question.hint) if question.hint else ""
    if question.kind == "multiple":
        return SelectMultipleField(
            _(question.text),
            choices=choices,
            validators=[InputRequired(message=_l("Select all that apply, or 'None of these'")), ExclusiveNone()],
            widget=GovCheckboxesInput(),
            description=hint,
        )
    return RadioField(
        _(question.text),
        choices=choices,
        validators=[InputRequired(message=_l("Select an answer"))],
        widget=GovRadioInput(),
        description=hint,
    )


class ExclusiveNone:
    """'None of these' cannot be ticked with another option."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data and "none_of_these" in field.data and len(field.data) > 1:
            raise ValidationError(_("Select 'None of these' on its own, or untick it"))


def dimension_form(bank: QuestionBank, dimension: str) -> type[FlaskForm]:
    class DimensionForm(FlaskForm):
        pass

    for question in bank.questions_for(dimension):
        setattr(DimensionForm, question.id, _question_field(question))
    return DimensionForm


def goals_form(bank: QuestionBank) -> type[FlaskForm]:
    class GoalsForm(FlaskForm):
        goals = SelectMultipleField(
            _l("What do you want help with?"),
            choices=choices_of([(g["id"], _(g["label"])) for g in bank.goals]),
            validators=[InputRequired(message=_l("Select at least one thing you want help with"))],
            widget=GovCheckboxesInput(),
            description=_l("Select all that apply."),
        )
        cofunding_capacity_pct = _number(
            _l("If a programme asks you to pay part of the cost, how much could you pay, as a percentage? (optional)"),
            _l("For example, 30 means you could pay 30 per cent of a project's cost. Leave blank if you don't know."),
            0,
            100,
            False,
            _l("Enter a percentage between 0 and 100, like 30"),
        )

    return GoalsForm


def form_for(section: Section, path: str, bank: QuestionBank, draft: Mapping[str, Any]) -> type[FlaskForm]:
    if section.slug == ABOUT:
        return about_form(bank)
    if section.slug == BUSINESS:
        return business_form(bank, draft.get("enterprise", {}).get("country"))
    if section.slug == GOALS_SECTION:
        return goals_form(bank)
    assert section.dimension is not None
    return level_form(bank, section.dimension) if path == "quick" else dimension_form(bank, section.dimension)


def _number_value(raw: str | None, whole: bool) -> int | float | None:
    if raw is None or not raw.strip():
        return None
    value = parse_number(raw)
    return int(value) if whole else float(value)


def number_text(value: Any) -> str:
    """A stored number as a person would type it back: no '.0' on whole numbers, empty when unknown."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def to_draft(section: Section, path: str, form: FlaskForm, draft: dict[str, Any]) -> dict[str, Any]:
    """The draft with this section's validated answers in it (a new dict; the form must have validated)."""
    data = {**draft, "enterprise": dict(draft.get("enterprise", {}))}
    enterprise = data["enterprise"]

    def put(key: str, value: Any) -> None:
        if value is None or value == "":
            enterprise.pop(key, None)
        else:
            enterprise[key] = value

    if section.slug == ABOUT:
        if enterprise.get("country") != form.country.data:
            for key in ("region",):  # a region belongs to its country
                enterprise.pop(key, None)
            # The firm's own country is not a country it expands to.
            expansion = [c for c in enterprise.get("expansion_countries", []) if c != form.country.data]
            enterprise.pop("expansion_countries", None)
            if expansion:
                enterprise["expansion_countries"] = expansion
        put("name", (form.name.data or "").strip() or None)
        put("country", form.country.data)
        put("sector", form.sector.data or None)
        put("employees", _number_value(form.employees.data, whole=True))
    elif section.slug == BUSINESS:
        put("region", answered_region(form))
        for money in ("annual_turnover", "balance_sheet_total"):
            amount = _number_value(getattr(form, f"{money}_amount").data, whole=False)
            put(money, None if amount is None else {"amount": amount, "currency": getattr(form, f"{money}_currency").data})
        put("founded_year", _number_value(form.founded_year.data, whole=True))
        put("annual_growth_pct", _number_value(form.annual_growth_pct.data, whole=False))
        put("independent", {"yes": True, "no": False}.get(form.independent.data or ""))
        put("expansion_countries", list(dict.fromkeys(country_code(t) for t in split_countries(form.expansion_countries.data))) or None)
    elif section.slug == GOALS_SECTION:
        data["goals"] = [g for g in GOALS if g in form.goals.data]
        capacity = _number_value(form.cofunding_capacity_pct.data, whole=False)
        if capacity is None:
            data.pop("cofunding_capacity_pct", None)
        else:
            data["cofunding_capacity_pct"] = capacity
    elif path == "quick":
        data["levels"] = {**data.get("levels", {}), section.dimension: int(form.level.data)}
    else:
        answers = dict(data.get("answers", {}))
        for name, field in form._fields.items():
            if name != "csrf_token":
                answers[name] = list(field.data) if isinstance(field, SelectMultipleField) else field.data
        data["answers"] = answers
    data["done"] = sorted({*draft.get("done", []), section.slug})
    return data


def from_draft(section: Section, path: str, draft: Mapping[str, Any]) -> dict[str, Any]:
    """Initial form values for a section from the draft (when resuming or changing an answer)."""
    enterprise = draft.get("enterprise", {})
    if section.slug == ABOUT:
        return {
            "name": enterprise.get("name", ""),
            "country": enterprise.get("country", ""),
            "sector": enterprise.get("sector", ""),
            "employees": number_text(enterprise.get("employees")),
        }
    if section.slug == BUSINESS:
        values: dict[str, Any] = {"region": enterprise.get("region", "")}
        for money in ("annual_turnover", "balance_sheet_total"):
            if enterprise.get(money):
                values[f"{money}_amount"] = number_text(enterprise[money]["amount"])
                values[f"{money}_currency"] = enterprise[money]["currency"]
        values["founded_year"] = number_text(enterprise.get("founded_year"))
        values["annual_growth_pct"] = number_text(enterprise.get("annual_growth_pct"))
        independent = enterprise.get("independent")
        values["independent"] = "" if section.slug not in draft.get("done", []) else {True: "yes", False: "no"}.get(independent, "unknown")
        values["expansion_countries"] = ", ".join(country_name(c) for c in enterprise.get("expansion_countries", []))
        return values
    if section.slug == GOALS_SECTION:
        return {"goals": draft.get("goals", []), "cofunding_capacity_pct": number_text(draft.get("cofunding_capacity_pct"))}
    if path == "quick":
        level = draft.get("levels", {}).get(section.dimension)
        return {"level": "" if level is None else str(level)}
    return dict(draft.get("answers", {}))

"""Size and finances: region, turnover and balance sheet with their currencies, age, growth, independence, and the
countries the firm expands to. The form depends on the firm's country (its regions, its usual currency).

Countries are typed and shown by their English names (pycountry), so what the page shows reads back as typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pycountry
from babel.numbers import get_territory_currencies
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import Field, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from models.names import clean_name
from models.profile import MAX_EXPANSION_COUNTRIES, MIN_FOUNDED_YEAR
from programmes.rates import known_currencies
from webapp.assessment.regions import LONG_REGION_LIST, TypedRegion, answered_region, region_choices, region_examples, region_names
from webapp.assessment.sections import Row, Section, percent, put
from webapp.form_fields import choices_of, number_field, number_text, number_value, radio_field

MAX_TEXT = 200
MAX_AMOUNT = Decimal(10) ** 13
MONEY = ("annual_turnover", "balance_sheet_total")


def default_currency(country: str | None) -> str:
    if country:
        for code in get_territory_currencies(country):
            if code in known_currencies():
                return code
    return "EUR"


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
            raise ValidationError(_("Leave out %(country)s: it is where your business is established", country=country_name(own)))


def _form_with_region(question: Mapping[str, Any], country: str | None) -> type[FlaskForm]:
    """The business form with its first question, the region (templates/assessment/_region.html); _add_money and
    _add_history_and_reach add the others."""
    regions = region_choices(country)
    long_list = len(regions) > LONG_REGION_LIST
    hint = f"{_('Regions of %(country)s.', country=country_name(country))} {_(question['hint'])}" if country else _(question["hint"])

    class BusinessForm(FlaskForm):
        home_country = country  # read by CountryList: the firm's own country is not an expansion country
        # Under a long list, a box to type the region in, with these names as suggestions.
        typed_region_names = region_names(country) if long_list else []
        typed_region_examples = region_examples(country) if long_list else ()
        region = SelectField(
            _(question["text"]),
            choices=[SelectChoice("", _("Not sure, or I'd rather not say")), *regions],
            validators=[Optional()],
            description=hint,
        )
        region_name = StringField(
            # The French word where the list holds départements; elsewhere a region is what people look for.
            _("Or type the name of your region or département") if country == "FR" else _("Or type the name of your region"),
            validators=[Length(max=MAX_TEXT, message=_l("Type at most %(max)d characters", max=MAX_TEXT)), TypedRegion(country)],
            filters=[lambda value: clean_name(value) if isinstance(value, str) else value],
        )

    return BusinessForm


def _add_money(form: type[FlaskForm], questions: Mapping[str, Mapping[str, Any]], country: str | None) -> None:
    """An amount and its currency for the turnover and the balance-sheet total."""
    currencies = [(c, c) for c in sorted(known_currencies())]
    for money in MONEY:
        question = questions[money]
        amount = number_field(
            _(question["text"]),
            _(question["hint"]),
            False,
            _("Enter an amount of money as a number, like 450000"),
            minimum=0,
            maximum=MAX_AMOUNT,
            below=_("An amount of money cannot be negative: enter 0 or more"),
            above=_("Enter an amount of at most %(max)s", max=format_decimal(MAX_AMOUNT)),
        )
        currency = SelectField(
            _("Currency"),
            choices=choices_of(currencies),
            default=default_currency(country),
            validators=[InputRequired(message=_l("Select a currency"))],
            widget=GovSelect(),
        )
        setattr(form, f"{money}_amount", amount)
        setattr(form, f"{money}_currency", currency)


def _add_history_and_reach(form: type[FlaskForm], questions: Mapping[str, Mapping[str, Any]]) -> None:
    """When the firm was founded, how it grows, who owns it, and where it expands."""
    this_year = dt.date.today().year
    founded, growth = questions["founded_year"], questions["annual_growth_pct"]
    independent, expansion = questions["independent"], questions["expansion_countries"]
    form.founded_year = number_field(
        _(founded["text"]),
        _(founded["hint"]),
        True,
        _("Enter a year between %(first)d and %(year)d, like 2016", first=MIN_FOUNDED_YEAR, year=this_year),
        minimum=MIN_FOUNDED_YEAR,
        maximum=this_year,
        above=_("The year your business was founded cannot be in the future"),
    )
    form.annual_growth_pct = number_field(
        _(growth["text"]),
        _(growth["hint"]),
        False,
        _("Enter a percentage between -100 and 10000, like 15"),
        minimum=-100,
        maximum=10_000,
        below=_("A business cannot shrink by more than 100 per cent: enter -100 or more"),
    )
    form.independent = radio_field(
        _(independent["text"]), [("yes", _("Yes")), ("no", _("No")), ("unknown", _("Not sure"))], _(independent["hint"])
    )
    form.expansion_countries = StringField(
        _(expansion["text"]),
        validators=[Optional(), Length(max=600, message=_l("Name at most 10 countries")), CountryList(MAX_EXPANSION_COUNTRIES)],
        widget=GovTextInput(),
        description=_(expansion["hint"]),
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )


def _money_text(value: Mapping[str, Any] | None) -> str:
    return _("Not given") if not value else f"{value['currency']} {format_decimal(value['amount'], format='#,##0.##')}"


class BusinessSection(Section):
    template = "assessment/sections/business.html"

    def form(self, draft: Mapping[str, Any]) -> type[FlaskForm]:
        country = draft.get("enterprise", {}).get("country")
        questions = {q["id"]: q for q in self.bank.profile_questions}

        business_form = _form_with_region(questions["region"], country)
        _add_money(business_form, questions, country)
        _add_history_and_reach(business_form, questions)
        return business_form

    def load(self, draft: Mapping[str, Any]) -> dict[str, Any]:
        enterprise = draft.get("enterprise", {})
        values: dict[str, Any] = {"region": enterprise.get("region", "")}
        for money in MONEY:
            if enterprise.get(money):
                values[f"{money}_amount"] = number_text(enterprise[money]["amount"])
                values[f"{money}_currency"] = enterprise[money]["currency"]
        values["founded_year"] = number_text(enterprise.get("founded_year"))
        values["annual_growth_pct"] = number_text(enterprise.get("annual_growth_pct"))
        # Nothing ticked before the section is first saved; after that, no stored answer means "Not sure" was chosen.
        values["independent"] = {True: "yes", False: "no"}.get(enterprise.get("independent"), "unknown") if self.is_done(draft) else ""
        values["expansion_countries"] = ", ".join(country_name(c) for c in enterprise.get("expansion_countries", []))
        return values

    def write(self, form: FlaskForm, answers: dict[str, Any]) -> None:
        enterprise = answers["enterprise"]
        put(enterprise, "region", answered_region(form))
        for money in MONEY:
            amount = number_value(getattr(form, f"{money}_amount").data, whole=False)
            put(enterprise, money, None if amount is None else {"amount": amount, "currency": getattr(form, f"{money}_currency").data})
        put(enterprise, "founded_year", number_value(form.founded_year.data, whole=True))
        put(enterprise, "annual_growth_pct", number_value(form.annual_growth_pct.data, whole=False))
        put(enterprise, "independent", {"yes": True, "no": False}.get(form.independent.data or ""))
        expansion = list(dict.fromkeys(country_code(t) for t in split_countries(form.expansion_countries.data)))
        put(enterprise, "expansion_countries", expansion or None)

    def rows(self, draft: Mapping[str, Any]) -> list[Row]:
        enterprise = draft.get("enterprise", {})
        text = {q["id"]: _(q["text"]) for q in self.bank.profile_questions}
        region = pycountry.subdivisions.get(code=enterprise["region"]) if enterprise.get("region") else None
        expansion = ", ".join(country_name(c) for c in enterprise.get("expansion_countries", []))
        return [
            Row(text["region"], region.name if region else _("Not given"), "region"),
            *(Row(text[money], _money_text(enterprise.get(money)), f"{money}_amount") for money in MONEY),
            Row(text["founded_year"], str(enterprise.get("founded_year") or _("Not given")), "founded_year"),
            Row(text["annual_growth_pct"], percent(enterprise.get("annual_growth_pct")), "annual_growth_pct"),
            Row(text["independent"], {True: _("Yes"), False: _("No")}.get(enterprise.get("independent"), _("Not sure")), "independent"),
            Row(text["expansion_countries"], expansion or _("None"), "expansion_countries"),
        ]

"""Form field helpers shared by the SME journey (webapp.assessment.sections) and the curation editor
(webapp.admin.programme_forms): numbers typed as text, and GOV.UK selects, radios and checkboxes.

Numbers are typed as text (inputmode=numeric) so a wrong entry is kept as typed and explained, instead of being
silently emptied by the browser or by WTForms. A `required` message makes a choice field required with that
message; without it, the field may be left empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSelect, GovTextInput
from wtforms import Field, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

NUMBER_TEXT_LENGTH = 40  # longer than any number a form takes, with its separators


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


def number_value(raw: str | None, whole: bool) -> int | float | None:
    """A validated number field's text as the number stored; None when left blank."""
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


def number_field(
    label: str,
    hint: str | None,
    whole: bool,
    message: str,
    *,
    minimum: Decimal | int,
    maximum: Decimal | int,
    below: str | None = None,
    above: str | None = None,
) -> StringField:
    """An optional number typed as text, within bounds (see NumberText), at most NUMBER_TEXT_LENGTH characters."""
    return StringField(
        label,
        validators=[
            Optional(),
            Length(max=NUMBER_TEXT_LENGTH, message=message),
            NumberText(minimum, maximum, whole, message, below, above),
        ],
        widget=GovTextInput(),
        description=hint or "",
        render_kw={"inputmode": "decimal" if not whole else "numeric", "spellcheck": "false", "autocomplete": "off"},
    )


def countries() -> list[tuple[str, str]]:
    """Every ISO 3166-1 country as (code, English name), sorted by name."""
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1])


def choices_of(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _required_or_optional(required: Any) -> list[Any]:
    return [InputRequired(message=required)] if required else [Optional()]


def select_field(label: Any, choices: Iterable[tuple[Any, Any]], placeholder: Any, hint: Any = "", required: Any = None) -> SelectField:
    """A GOV.UK select whose first, empty option is `placeholder`."""
    return SelectField(
        label,
        choices=choices_of([("", placeholder), *choices]),
        validators=_required_or_optional(required),
        widget=GovSelect(),
        description=hint,
    )


def radio_field(label: Any, choices: Iterable[tuple[Any, Any]], hint: Any = "", required: Any = None) -> RadioField:
    return RadioField(
        label, choices=choices_of(list(choices)), validators=_required_or_optional(required), widget=GovRadioInput(), description=hint
    )


def checkbox_field(
    label: Any,
    choices: Iterable[tuple[Any, Any]],
    hint: Any = "",
    coerce: Any = str,
    required: Any = None,
    also: Iterable[Any] = (),
) -> SelectMultipleField:
    """GOV.UK checkboxes; `also` adds validators after the required check. Nothing ticked is allowed unless `required`."""
    validators = [*([InputRequired(message=required)] if required else []), *also]
    return SelectMultipleField(
        label, choices=choices_of(list(choices)), coerce=coerce, validators=validators, widget=GovCheckboxesInput(), description=hint
    )

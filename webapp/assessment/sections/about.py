"""About your business: its name, country, sector and headcount."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pycountry
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField
from wtforms.validators import Length, Optional

from models.names import clean_name
from models.profile import MAX_EMPLOYEES
from webapp.assessment.sections import Row, Section, plain, put
from webapp.form_fields import countries, number_field, number_text, number_value, select_field

MAX_TEXT = 200


def _clean(value: Any) -> Any:
    """Kept as typed, minus control characters and bidirectional overrides (models.names), before the length is
    checked, the draft stores it, or the page shows it again."""
    return clean_name(value) if isinstance(value, str) else value


class AboutSection(Section):
    template = "assessment/sections/about.html"

    def form(self, draft: Mapping[str, Any]) -> type[FlaskForm]:
        questions = {q["id"]: q for q in self.bank.profile_questions}
        country, sector, employees = questions["country"], questions["sector"], questions["employees"]

        class AboutForm(FlaskForm):
            name = StringField(
                _l("Name of your business (optional)"),
                filters=[_clean],
                validators=[Optional(), Length(max=MAX_TEXT, message=_l("Name must be %(max)d characters or fewer", max=MAX_TEXT))],
                widget=GovTextInput(),
                render_kw={"autocomplete": "organization"},
            )

        AboutForm.country = select_field(
            _(country["text"]), countries(), _("Select a country"), _(country["hint"]), required=_l("Select an option")
        )
        AboutForm.sector = select_field(
            _(sector["text"]),
            [(o["id"], f"{o['id']}: {_(o['label'])}") for o in sector["options"]],
            _("Select a sector"),
            _(sector["hint"]),
        )
        AboutForm.employees = number_field(
            _(employees["text"]),
            _(employees["hint"]),
            True,
            _("Enter the number of people as a whole number, like 12"),
            minimum=0,
            maximum=MAX_EMPLOYEES,
            below=_("The number of people cannot be negative: enter 0 or more"),
            above=_("Enter a number of people from 0 to %(max)s", max=format_decimal(MAX_EMPLOYEES)),
        )
        return AboutForm

    def load(self, draft: Mapping[str, Any]) -> dict[str, Any]:
        enterprise = draft.get("enterprise", {})
        return {
            "name": enterprise.get("name", ""),
            "country": enterprise.get("country", ""),
            "sector": enterprise.get("sector", ""),
            "employees": number_text(enterprise.get("employees")),
        }

    def write(self, form: FlaskForm, answers: dict[str, Any]) -> None:
        enterprise = answers["enterprise"]
        if enterprise.get("country") != form.country.data:
            enterprise.pop("region", None)  # a region belongs to its country
            # The firm's own country is not a country it expands to.
            expansion = [c for c in enterprise.pop("expansion_countries", []) if c != form.country.data]
            put(enterprise, "expansion_countries", expansion or None)
        put(enterprise, "name", (form.name.data or "").strip() or None)
        put(enterprise, "country", form.country.data)
        put(enterprise, "sector", form.sector.data or None)
        put(enterprise, "employees", number_value(form.employees.data, whole=True))

    def rows(self, draft: Mapping[str, Any]) -> list[Row]:
        enterprise = draft.get("enterprise", {})
        questions = {q["id"]: q for q in self.bank.profile_questions}
        country = pycountry.countries.get(alpha_2=enterprise["country"]) if enterprise.get("country") else None
        sector = next((o["label"] for o in questions["sector"]["options"] if o["id"] == enterprise.get("sector")), None)
        return [
            Row(_("Name of your business"), plain(clean_name(enterprise.get("name") or "")), "name"),
            Row(_(questions["country"]["text"]), country.name if country else _("Not given"), "country"),
            Row(_(questions["sector"]["text"]), _(sector) if sector else _("Not given"), "sector"),
            Row(_(questions["employees"]["text"]), plain(enterprise.get("employees")), "employees"),
        ]

"""What the firm wants help with, and how much of a project's cost it could pay."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from programmes.vocabulary import GOALS
from webapp.assessment.sections import Row, Section, percent, put
from webapp.form_fields import checkbox_field, number_field, number_text, number_value


class GoalsSection(Section):
    template = "assessment/sections/goals.html"

    def form(self, draft: Mapping[str, Any]) -> type[FlaskForm]:
        class GoalsForm(FlaskForm):
            goals = checkbox_field(
                _l("What do you want help with?"),
                [(g["id"], _(g["label"])) for g in self.bank.goals],
                _l("Select all that apply."),
                required=_l("Select at least one thing you want help with"),
            )
            cofunding_capacity_pct = number_field(
                _l("If a programme asks you to pay part of the cost, how much could you pay, as a percentage? (optional)"),
                _l("For example, 30 means you could pay 30 per cent of a project's cost. Leave blank if you don't know."),
                False,
                _l("Enter a percentage between 0 and 100, like 30"),
                minimum=0,
                maximum=100,
            )

        return GoalsForm

    def load(self, draft: Mapping[str, Any]) -> dict[str, Any]:
        return {"goals": draft.get("goals", []), "cofunding_capacity_pct": number_text(draft.get("cofunding_capacity_pct"))}

    def write(self, form: FlaskForm, answers: dict[str, Any]) -> None:
        answers["goals"] = [g for g in GOALS if g in form.goals.data]  # in the vocabulary's order, whatever the post's
        put(answers, "cofunding_capacity_pct", number_value(form.cofunding_capacity_pct.data, whole=False))

    def rows(self, draft: Mapping[str, Any]) -> list[Row]:
        labels = {g["id"]: _(g["label"]) for g in self.bank.goals}
        return [
            Row(_("What do you want help with?"), "; ".join(labels[g] for g in draft.get("goals", [])) or _("Not given"), "goals"),
            Row(_("How much of a project's cost you could pay"), percent(draft.get("cofunding_capacity_pct")), "cofunding_capacity_pct"),
        ]

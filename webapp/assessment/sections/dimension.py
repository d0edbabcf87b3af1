"""A readiness dimension: one level question in the quick check, that dimension's questions in the full assessment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectMultipleField
from wtforms.validators import ValidationError

from models.readiness import Question, QuickCheckItem
from webapp.assessment.sections import Row, Section
from webapp.form_fields import checkbox_field, radio_field


@dataclass(frozen=True, eq=False)
class DimensionSection(Section):
    dimension: str = ""


class QuickDimension(DimensionSection):
    """The quick check asks one question per dimension: which level describes the business best."""

    template = "assessment/sections/quick.html"
    question_is_heading = True

    def _item(self) -> QuickCheckItem:
        return next(q for q in self.bank.quick_check if q.dimension == self.dimension)

    def form(self, draft: Mapping[str, Any]) -> type[FlaskForm]:
        item = self._item()

        class LevelForm(FlaskForm):
            level = radio_field(
                _(item.question),
                [(str(level), _(text)) for level, text in enumerate(item.levels)],
                _(item.hint) if item.hint else "",
                required=_l("Select the answer that fits your business best"),
            )

        return LevelForm

    def load(self, draft: Mapping[str, Any]) -> dict[str, Any]:
        level = draft.get("levels", {}).get(self.dimension)
        return {"level": "" if level is None else str(level)}

    def write(self, form: FlaskForm, answers: dict[str, Any]) -> None:
        answers["levels"] = {**answers.get("levels", {}), self.dimension: int(form.level.data)}

    def rows(self, draft: Mapping[str, Any]) -> list[Row]:
        item = self._item()
        level = draft.get("levels", {}).get(self.dimension)
        return [Row(_(item.question), _(item.levels[level]) if level is not None else _("Not given"), "level")]


class ExclusiveNone:
    """'None of these' cannot be ticked with another option."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data and "none_of_these" in field.data and len(field.data) > 1:
            raise ValidationError(_("Select 'None of these' on its own, or untick it"))


def _question_field(question: Question) -> Field:
    choices = [(o.id, _(o.label)) for o in question.options]
    hint = _(question.hint) if question.hint else ""
    if question.kind == "multiple":
        return checkbox_field(
            _(question.text), choices, hint, required=_l("Select all that apply, or 'None of these'"), also=[ExclusiveNone()]
        )
    return radio_field(_(question.text), choices, hint, required=_l("Select an answer"))


class FullDimension(DimensionSection):
    """The full assessment asks every question of the dimension from the question bank, one field each."""

    template = "assessment/sections/full.html"

    def form(self, draft: Mapping[str, Any]) -> type[FlaskForm]:
        class DimensionForm(FlaskForm):
            pass

        for question in self.bank.questions_for(self.dimension):
            setattr(DimensionForm, question.id, _question_field(question))
        return DimensionForm

    def load(self, draft: Mapping[str, Any]) -> dict[str, Any]:
        return dict(draft.get("answers", {}))

    def write(self, form: FlaskForm, answers: dict[str, Any]) -> None:
        given = dict(answers.get("answers", {}))
        for name, field in form._fields.items():
            if name != "csrf_token":
                given[name] = list(field.data) if isinstance(field, SelectMultipleField) else field.data
        answers["answers"] = given

    def rows(self, draft: Mapping[str, Any]) -> list[Row]:
        answers = draft.get("answers", {})
        rows = []
        for question in self.bank.questions_for(self.dimension):
            chosen = answers.get(question.id)
            picked = [chosen] if isinstance(chosen, str) else list(chosen or [])
            labels = [_(o.label) for o in question.options if o.id in picked]
            rows.append(Row(_(question.text), "; ".join(labels) or _("Not given"), question.id))
        return rows

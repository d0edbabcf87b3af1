"""A journey section is an object: its form, how it reads and writes the draft, its rows on the check-your-answers
page, and the template that lays its fields out. One module per kind (about, business, dimension, goals);
webapp.assessment.steps puts them in order.

`draft` here is a draft's answers (Draft.data), never changed in place: `save` returns a new dict, so
webapp.drafts.save can tell a change from the same answers saved again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from models.readiness import QuestionBank


@dataclass(frozen=True)
class Row:
    """One line of the check-your-answers page; `field_id` is where its Change link lands on the section's page."""

    question: str
    answer: str
    field_id: str


def plain(value: object) -> str:
    """An answer in words: a number formatted for the reader, 'Not given' when there is none."""
    if value is None or value == "":
        return _("Not given")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_decimal(value, format="#,##0.##")
    return str(value)


def percent(value: int | float | None) -> str:
    return _("Not given") if value is None else f"{plain(value)} %"


@dataclass(frozen=True, eq=False)
class Section:
    """One page of the journey. Subclasses give the form, `load`, `write` and `rows`, and name their template."""

    slug: str
    number: int
    title: str
    bank: QuestionBank

    template: ClassVar[str]  # lays the form's fields out inside templates/assessment/section.html
    # True when the section asks a single question whose legend is the page's heading (no separate h1).
    question_is_heading: ClassVar[bool] = False

    def form(self, draft: Mapping[str, Any]) -> type[FlaskForm]:
        """The form class for this section, built for this draft (the business section's depends on the country)."""
        raise NotImplementedError

    def load(self, draft: Mapping[str, Any]) -> dict[str, Any]:
        """Initial form values from the draft (when resuming or changing an answer)."""
        raise NotImplementedError

    def write(self, form: FlaskForm, answers: dict[str, Any]) -> None:
        """Put the validated form's answers into `answers`, a copy of the draft with its own `enterprise` dict."""
        raise NotImplementedError

    def rows(self, draft: Mapping[str, Any]) -> list[Row]:
        """This section's questions with the answers given, in words, for the check-your-answers page."""
        raise NotImplementedError

    def save(self, form: FlaskForm, draft: Mapping[str, Any]) -> dict[str, Any]:
        """The draft with this section's validated answers in it, marked done (a new dict; the form must have validated)."""
        answers = {**draft, "enterprise": dict(draft.get("enterprise", {}))}
        self.write(form, answers)
        answers["done"] = sorted({*draft.get("done", []), self.slug})
        return answers

    def is_done(self, draft: Mapping[str, Any]) -> bool:
        return self.slug in draft.get("done", [])


def put(target: dict[str, Any], key: str, value: Any) -> None:
    """Store an answer, or forget the key when the answer is blank (None or '')."""
    if value is None or value == "":
        target.pop(key, None)
    else:
        target[key] = value

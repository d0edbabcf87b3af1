"""Check your answers: each answered section's questions with the answer given, in words, and where to change it."""

from __future__ import annotations

from models.readiness import QuestionBank
from webapp.assessment.sections import Row, Section
from webapp.assessment.steps import sections
from webapp.db import Draft


def summary_rows(draft: Draft, bank: QuestionBank) -> list[tuple[Section, list[Row]]]:
    return [(s, s.rows(draft.data)) for s in sections(draft.path, bank) if s.is_done(draft.data)]

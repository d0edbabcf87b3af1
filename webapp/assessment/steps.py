"""The journey's sections, built from the question bank: which pages a path has, in which order (what each page
asks, stores and shows is its section object: webapp.assessment.sections).

Both paths have the same shape, so progress reads the same ("Section 3 of 10"): about the business, its size and
finances, one section per readiness dimension (a single level question in the quick check, that dimension's
questions in the full assessment), then goals.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from models.readiness import QuestionBank
from programmes.vocabulary import DIMENSIONS
from webapp.assessment.sections import Section
from webapp.assessment.sections.about import AboutSection
from webapp.assessment.sections.business import BusinessSection
from webapp.assessment.sections.dimension import FullDimension, QuickDimension
from webapp.assessment.sections.goals import GoalsSection

PATHS = ("quick", "full")
ABOUT, BUSINESS, GOALS = "about", "business", "goals"
ABOUT_FIELDS = ("name", "country", "sector", "employees")
BUSINESS_FIELDS = (
    "region",
    "annual_turnover",
    "balance_sheet_total",
    "founded_year",
    "annual_growth_pct",
    "independent",
    "expansion_countries",
)
# Which section asks each fact a criterion may need (the `ask` of an unknown criterion).
SECTION_ASKING = {
    **dict.fromkeys(ABOUT_FIELDS, ABOUT),
    **dict.fromkeys(BUSINESS_FIELDS, BUSINESS),
    "goals": GOALS,
}


def sections(path: str, bank: QuestionBank) -> list[Section]:
    labels = {d.id: d.label for d in bank.dimensions}
    dimension = QuickDimension if path == "quick" else FullDimension
    ordered: list[Section] = [AboutSection(ABOUT, 1, str(_l("About your business")), bank)]
    ordered.append(BusinessSection(BUSINESS, len(ordered) + 1, str(_l("Size and finances")), bank))
    ordered += [dimension(d, number, str(labels[d]), bank, dimension=d) for number, d in enumerate(DIMENSIONS, start=len(ordered) + 1)]
    ordered.append(GoalsSection(GOALS, len(ordered) + 1, str(_l("What you want help with")), bank))
    return ordered


def section(path: str, bank: QuestionBank, slug: str) -> Section | None:
    return next((s for s in sections(path, bank) if s.slug == slug), None)


def next_section(path: str, bank: QuestionBank, slug: str) -> Section | None:
    ordered = sections(path, bank)
    index = [s.slug for s in ordered].index(slug)
    return ordered[index + 1] if index + 1 < len(ordered) else None


def previous_section(path: str, bank: QuestionBank, slug: str) -> Section | None:
    ordered = sections(path, bank)
    index = [s.slug for s in ordered].index(slug)
    return ordered[index - 1] if index > 0 else None

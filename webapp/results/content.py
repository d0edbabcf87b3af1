"""The content of a match report for one stored assessment; every export format (PDF, CSV, XLSX, JSON) renders
only this, never the assessment itself, so the formats cannot disagree.

The programmes, near misses and plan are the stored document read with its typed schema (models.document_schema);
what is here is only what a report adds to it: provenance, readiness with named areas, reach groups."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import gettext

from models import document_schema as schema
from models.names import clean_name
from models.readiness import load_bank
from programmes.vocabulary import DIMENSIONS
from webapp.db import Assessment
from webapp.presentation import country_name

M = TypeVar("M")
BEST_SHOWN = 3  # "Best for you now": the first steps of the action plan, on the page and the report's cover
NEAR_MISSES_SHOWN = 5  # near misses a firm can act on, as on the results page
NO_PLAN = schema.ActionPlan(summary="", steps=[])  # results made before there were plans


@dataclass(frozen=True)
class ReachGroup:
    """Matches grouped by where they serve: the firm's own territory, then each country it expands to, then
    resources open anywhere. `key` is "home", "expansion-<country>" or "anywhere"."""

    key: str
    heading: str
    lead: str
    items: tuple[Any, ...]


def _document_place(entry: dict[str, Any]) -> tuple[str, str]:
    # Results stored before programmes had a reach were all matched as the firm's own, so they count as home.
    return entry.get("reach", "home"), entry["country"]


def reach_groups(entries: list[Any], firm_country: str, where: Callable[[Any], tuple[str, str]] = _document_place) -> list[ReachGroup]:
    """Entries in reach groups, each keeping the entries' order (by rank). `where` gives an entry's reach and its
    programme's country: by default for match documents (dicts); a report passes one for its rows."""

    def reach_of(entry: Any) -> str:
        return where(entry)[0]

    def country_of(entry: Any) -> str:
        return where(entry)[1]

    groups: list[ReachGroup] = []
    home = [e for e in entries if reach_of(e) == "home"]
    if home:
        groups.append(
            ReachGroup(
                "home",
                gettext("In %(country)s", country=country_name(firm_country)),
                gettext("Programmes for businesses in your country, your region and the areas your country belongs to, such as the EU."),
                tuple(home),
            )
        )
    expanding = [e for e in entries if reach_of(e) == "expansion"]
    for country in dict.fromkeys(country_of(e) for e in expanding):
        items = tuple(e for e in expanding if country_of(e) == country)
        groups.append(
            ReachGroup(
                f"expansion-{country}",
                gettext("If you expand to %(country)s", country=country_name(country)),
                gettext("Programmes there that are open to businesses from abroad: they fit only once you work there."),
                items,
            )
        )
    anywhere = [e for e in entries if reach_of(e) == "anywhere"]
    if anywhere:
        groups.append(
            ReachGroup(
                "anywhere",
                gettext("Open to businesses anywhere"),
                gettext("Resources any business can use, wherever it is."),
                tuple(anywhere),
            )
        )
    return groups


@dataclass(frozen=True)
class Provenance:
    generated_at: dt.datetime  # UTC, naive like the database's timestamps
    created_at: dt.datetime  # the assessment's, UTC
    catalogue_version: str
    model_version: str
    matched_on: dt.date


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    score: int


@dataclass(frozen=True)
class Readiness:
    overall: int
    stage_level: int
    stage_label: str
    stage_meaning: str
    dimensions: tuple[Dimension, ...]
    weakest: tuple[Dimension, ...]


@dataclass(frozen=True, eq=False)
class Report:
    """One stored assessment as the report shows it: its document read with the typed schema, plus what only the
    report adds (the title, the business, provenance, readiness with its areas named in the reader's language)."""

    title: str
    business_name: str
    firm_country: str
    provenance: Provenance
    readiness: Readiness
    document: schema.AssessmentDocument
    stored: Mapping[str, Any]  # a copy of the stored document as it is, for the JSON export

    @property
    def firm_size(self) -> str:
        """The sentence on the firm's EU size class; empty in results made before it was computed."""
        return self.document.firm_size.explanation if self.document.firm_size else ""

    @property
    def programmes(self) -> list[schema.Match]:
        return self.document.matches

    @property
    def near_misses(self) -> list[schema.NotEligible]:
        """The first NEAR_MISSES_SHOWN refusals the firm could act on, nearest first."""
        return [entry for entry in self.document.not_eligible if entry.actionable][:NEAR_MISSES_SHOWN]

    @property
    def not_eligible_total(self) -> int:
        return len(self.document.not_eligible)

    @property
    def action_plan(self) -> schema.ActionPlan:
        return self.document.action_plan

    @property
    def groups(self) -> list[ReachGroup]:
        return reach_groups(self.programmes, self.firm_country, where=_place)

    @property
    def best(self) -> list[schema.Match]:
        return best_of(self.action_plan, self.programmes, programme_id=lambda p: p.programme_id)


def _place(entry: schema.Match) -> tuple[str, str]:
    return entry.reach, entry.country


def best_of(plan: schema.ActionPlan, matches: Iterable[M], programme_id: Callable[[M], str]) -> list[M]:
    """The first BEST_SHOWN programmes of the action plan, in its order: what to look at first. `matches` are the
    report's typed matches or the results page's stored dicts; `programme_id` reads an entry's id."""
    by_id = {programme_id(m): m for m in matches}
    return [by_id[s.programme_id] for s in plan.steps[:BEST_SHOWN] if s.programme_id in by_id]


def plan_of(document: Mapping[str, Any]) -> schema.ActionPlan:
    """The action plan stored with a result (empty for results made before plans existed)."""
    return schema.ActionPlan.model_validate(document["action_plan"]) if document.get("action_plan") else NO_PLAN


def near_misses_of(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The first NEAR_MISSES_SHOWN refusals the firm could act on, nearest first."""
    return [entry for entry in document["not_eligible"] if is_actionable(entry)][:NEAR_MISSES_SHOWN]


def is_actionable(entry: Mapping[str, Any]) -> bool:
    """A near miss the firm could act on; results made before the model said so are judged by their failed criteria."""
    return bool(entry["actionable"]) if "actionable" in entry else schema.actionable_by_criteria(entry)


def report_content(assessment: Assessment) -> Report:
    """The report for one stored assessment, in the current locale (call it inside a request or app context)."""
    document = schema.AssessmentDocument.model_validate(assessment.result)
    readiness = document.readiness
    labels = {d.id: gettext(d.label) for d in load_bank().dimensions}
    scores = readiness.dimensions
    order = [d for d in DIMENSIONS if d in scores] + [d for d in scores if d not in DIMENSIONS]
    dimensions = {d: Dimension(d, labels.get(d, d), scores[d]) for d in order}
    enterprise = (assessment.request or {}).get("enterprise", {})
    business_name = clean_name(str(enterprise.get("name") or ""))  # names stored before cleaning existed
    return Report(
        title=gettext("Tremplin match report"),
        business_name=business_name,
        firm_country=str(enterprise.get("country") or "").upper(),
        provenance=Provenance(
            generated_at=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
            created_at=assessment.created_at.replace(microsecond=0),
            catalogue_version=assessment.catalogue_version,
            model_version=assessment.model_version,
            matched_on=dt.date.fromisoformat(document.matched_on),
        ),
        readiness=Readiness(
            overall=readiness.overall,
            stage_level=readiness.stage.level,
            stage_label=gettext(readiness.stage.label),
            stage_meaning=gettext(readiness.stage.meaning),
            dimensions=tuple(dimensions.values()),
            weakest=tuple(dimensions[d] for d in readiness.weakest if d in dimensions),
        ),
        document=document,
        stored=copy.deepcopy(assessment.result),
    )

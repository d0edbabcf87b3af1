"""The content of a match report for one stored assessment; every export format (PDF, CSV, XLSX, JSON) renders
only this, never the assessment itself, so the formats cannot disagree."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from models.explanations import NOT_ACTIONABLE_RULES, rule_type
from models.names import clean_name
from models.readiness import load_bank
from programmes.vocabulary import DIMENSIONS
from webapp.db import Assessment
from webapp.presentation import CATEGORY_LABELS, STATUS_LABELS, country_name

BEST_SHOWN = 3  # "Best for you now": the first steps of the action plan, on the page and the report's cover
NEAR_MISSES_SHOWN = 5  # near misses a firm can act on, as on the results page


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


@dataclass(frozen=True)
class Factor:
    id: str
    label: str
    value: float
    contribution: float


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str
    status: str  # met, unmet or unknown
    detail: str


@dataclass(frozen=True)
class NextStep:
    """The one thing to do next about a programme: apply, or confirm a fact first (`ask` names the question that
    settles it, when one does)."""

    action: str  # apply or confirm
    text: str
    ask: str | None = None


@dataclass(frozen=True)
class Programme:
    rank: int
    programme_id: str
    name: str
    operator: str
    country: str
    reach: str  # home, expansion or anywhere
    category: str
    category_label: str
    eligibility: str  # eligible or needs_info
    score: float
    factors: tuple[Factor, ...]
    criteria: tuple[Criterion, ...]
    benefit_description: str
    benefit_terms: tuple[str, ...]  # what it costs or gives back, true for its kind (models/benefit_terms.py)
    status: str
    status_label: str
    closes: dt.date | None
    source_url: str
    source_kind: str | None  # operator or third_party; None in results made before it was recorded
    last_verified: dt.date  # the date the source was read
    unencoded_conditions: tuple[str, ...]
    why: tuple[str, ...] = ()  # why it fits this firm, in words about its answers and goals (models/explanations.py)
    next_step: NextStep | None = None  # None in results made before it was written


@dataclass(frozen=True)
class NearMiss:
    programme_id: str
    name: str
    country: str
    reach: str
    category_label: str
    failing: tuple[Criterion, ...]
    source_url: str
    source_kind: str | None
    last_verified: dt.date
    actionable: bool = True  # fails only on what the firm could change or confirm (models/explanations.py)


@dataclass(frozen=True)
class Step:
    step: int
    programme_id: str
    name: str
    phase: str
    reason: str  # why the step stands where it does; consecutive steps often share it
    basis: str = ""  # the key of that reason (models/action_plan.py REASONS); empty in results made before it


@dataclass(frozen=True)
class ActionPlan:
    summary: str
    steps: tuple[Step, ...]

    @property
    def parts(self) -> list[tuple[str, tuple[Step, ...]]]:
        """Consecutive steps that share a reason, with that reason: it is said once, above them."""
        parts: list[tuple[str, list[Step]]] = []
        for step in self.steps:
            if parts and parts[-1][0] == step.reason:
                parts[-1][1].append(step)
            else:
                parts.append((step.reason, [step]))
        return [(reason, tuple(steps)) for reason, steps in parts]


@dataclass(frozen=True, eq=False)
class Report:
    title: str
    business_name: str
    firm_country: str
    firm_size: str  # the sentence on the firm's EU size class; empty in results made before it was computed
    provenance: Provenance
    readiness: Readiness
    programmes: tuple[Programme, ...]
    near_misses: tuple[NearMiss, ...]  # the first NEAR_MISSES_SHOWN the firm could act on
    not_eligible_total: int
    action_plan: ActionPlan
    document: Mapping[str, Any]  # a copy of the stored API document, for the JSON export

    @property
    def groups(self) -> list[ReachGroup]:
        return reach_groups(list(self.programmes), self.firm_country, where=lambda p: (p.reach, p.country))

    @property
    def best(self) -> tuple[Programme, ...]:
        """The first BEST_SHOWN programmes of the action plan, in its order: what to look at first."""
        by_id = {p.programme_id: p for p in self.programmes}
        return tuple(by_id[s.programme_id] for s in self.action_plan.steps[:BEST_SHOWN] if s.programme_id in by_id)

    @property
    def others(self) -> tuple[Programme, ...]:
        """Every match not among `best`, by rank."""
        best = {p.programme_id for p in self.best}
        return tuple(p for p in self.programmes if p.programme_id not in best)


def _criteria(rows: list[dict[str, Any]]) -> tuple[Criterion, ...]:
    return tuple(Criterion(c["id"], c["label"], c["status"], c.get("detail") or "") for c in rows)


def _programme(m: dict[str, Any]) -> Programme:
    return Programme(
        rank=m["rank"],
        programme_id=m["programme_id"],
        name=m["name"],
        operator=m.get("operator") or "",
        country=m["country"],
        reach=m.get("reach", "home"),
        category=m["category"],
        category_label=str(CATEGORY_LABELS.get(m["category"], m["category"])),
        eligibility=m["eligibility"],
        score=m["score"],
        factors=tuple(Factor(f["id"], f["label"], f["value"], f["contribution"]) for f in m.get("factors", [])),
        criteria=_criteria(m.get("criteria", [])),
        benefit_description=(m.get("benefit") or {}).get("description", ""),
        benefit_terms=tuple(m.get("benefit_terms", [])),
        status=m["status"],
        status_label=str(STATUS_LABELS.get(m["status"], m["status"])),
        closes=dt.date.fromisoformat(m["closes"]) if m.get("closes") else None,
        source_url=m["source_url"],
        source_kind=m.get("source_kind"),
        last_verified=dt.date.fromisoformat(m["last_verified"]),
        unencoded_conditions=tuple(m.get("unencoded_conditions", [])),
        why=tuple(m.get("why", [])),
        next_step=NextStep(m["next_step"]["action"], m["next_step"]["text"], m["next_step"].get("ask")) if m.get("next_step") else None,
    )


def _near_miss(m: dict[str, Any]) -> NearMiss:
    return NearMiss(
        programme_id=m["programme_id"],
        name=m["name"],
        country=m["country"],
        reach=m.get("reach", "home"),
        category_label=str(CATEGORY_LABELS.get(m["category"], m["category"])),
        failing=tuple(c for c in _criteria(m.get("criteria", [])) if c.status == "unmet"),
        source_url=m["source_url"],
        source_kind=m.get("source_kind"),
        last_verified=dt.date.fromisoformat(m["last_verified"]),
        actionable=is_actionable(m),
    )


def plan_of(document: Mapping[str, Any]) -> ActionPlan:
    """The action plan stored with a result (empty for results made before plans existed)."""
    plan = document.get("action_plan") or {}
    return ActionPlan(
        summary=plan.get("summary", ""),
        steps=tuple(
            Step(s["step"], s["programme_id"], s["name"], s["phase"], s["reason"], s.get("basis", "")) for s in plan.get("steps", [])
        ),
    )


def near_misses_of(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The first NEAR_MISSES_SHOWN refusals the firm could act on, nearest first."""
    return [entry for entry in document["not_eligible"] if is_actionable(entry)][:NEAR_MISSES_SHOWN]


def is_actionable(entry: dict[str, Any]) -> bool:
    """A near miss the firm could act on. Results made before the model said so are judged by their failed
    criteria: none may be a location, sector or maximum age rule, or the programme's being closed."""
    if "actionable" in entry:
        return bool(entry["actionable"])
    failing = [rule_type(c["id"]) for c in entry.get("criteria", []) if c["status"] == "unmet"]
    return not any(rule in NOT_ACTIONABLE_RULES or rule == "open_for_applications" for rule in failing)


def report_content(assessment: Assessment) -> Report:
    """The report for one stored assessment, in the current locale (call it inside a request or app context)."""
    document = assessment.result
    readiness = document["readiness"]
    labels = {d.id: gettext(d.label) for d in load_bank().dimensions}
    scores = readiness["dimensions"]
    order = [d for d in DIMENSIONS if d in scores] + [d for d in scores if d not in DIMENSIONS]
    dimensions = {d: Dimension(d, labels.get(d, d), scores[d]) for d in order}
    enterprise = (assessment.request or {}).get("enterprise", {})
    business_name = clean_name(str(enterprise.get("name") or ""))  # names stored before cleaning existed
    return Report(
        title=gettext("Tremplin match report"),
        business_name=business_name,
        firm_country=str(enterprise.get("country") or "").upper(),
        firm_size=(document.get("firm_size") or {}).get("explanation", ""),
        provenance=Provenance(
            generated_at=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
            created_at=assessment.created_at.replace(microsecond=0),
            catalogue_version=assessment.catalogue_version,
            model_version=assessment.model_version,
            matched_on=dt.date.fromisoformat(document["matched_on"]),
        ),
        readiness=Readiness(
            overall=readiness["overall"],
            stage_level=readiness["stage"]["level"],
            stage_label=gettext(readiness["stage"]["label"]),
            stage_meaning=gettext(readiness["stage"]["meaning"]),
            dimensions=tuple(dimensions.values()),
            weakest=tuple(dimensions[d] for d in readiness.get("weakest", []) if d in dimensions),
        ),
        programmes=tuple(_programme(m) for m in document["matches"]),
        near_misses=tuple(_near_miss(m) for m in near_misses_of(document)),
        not_eligible_total=len(document["not_eligible"]),
        action_plan=plan_of(document),
        document=copy.deepcopy(document),
    )

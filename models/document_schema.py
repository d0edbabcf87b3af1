"""The one typed schema of the match document (shared/spec/assessment-api-v1.md): what an assessment stores and the
API answers. models.document builds it; the results page, the reports, the batch output and the admin preview read
it; webapp/api/schemas.py publishes it in the OpenAPI document.

Fields added after documents were first stored (reach, why, next_step, benefit_terms, source_kind, actionable, the
action plan and its basis) carry a default, so an older stored document still parses. The API answers them in
every new document, so the published schema keeps listing them as required (see `added_later`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from models.explanations import NOT_ACTIONABLE_RULES
from models.matching import rule_type
from programmes.vocabulary import CATEGORIES, DIMENSIONS, GOALS, PROGRAMME_STATUSES, REACHES

Category = Literal[CATEGORIES]  # type: ignore[valid-type]
Dimension = Literal[DIMENSIONS]  # type: ignore[valid-type]
Goal = Literal[GOALS]  # type: ignore[valid-type]
ProgrammeStatus = Literal[PROGRAMME_STATUSES]  # type: ignore[valid-type]
Reach = Literal[REACHES]  # type: ignore[valid-type]
SourceKind = Literal["operator", "third_party"]

REACH_DESCRIPTION = (
    "home: the programme serves the firm's country or region, or an area (EU, EEA) its country belongs to; expansion: "
    "a programme of one of expansion_countries open to firms from abroad; anywhere: open to any firm in any country."
)
SOURCE_KIND_DESCRIPTION = "operator: the facts come from the operator's own page; third_party: from another page (no official page found)."
_ADDED_LATER = "x-added-later"  # a marker in a field's schema, removed again by _promise_added_fields


def added_later(default: Any = None, **field: Any) -> Any:
    """A field documents stored before it existed lack: they read as `default`. Every document made now has it, so
    the published schema shows it required and without the default."""
    extra = {"default_factory": default} if callable(default) else {"default": default}
    return Field(**extra, json_schema_extra={_ADDED_LATER: True}, **field)


def _promise_added_fields(schema: dict[str, Any]) -> None:
    required = set(schema.get("required", []))
    for name, prop in schema["properties"].items():
        if prop.pop(_ADDED_LATER, False):
            prop.pop("default", None)
            if "$ref" in prop:  # a model that may be missing gets a title its plain reference would not
                prop.pop("title", None)
            required.add(name)
    if required:
        schema["required"] = [name for name in schema["properties"] if name in required]  # in field order, as pydantic lists them


def _skip_none(value: Any) -> bool:
    return value is None


class Document(BaseModel):
    # Documents are described exactly: a field the code adds without adding it here fails the schema test.
    model_config = ConfigDict(extra="forbid", json_schema_extra=_promise_added_fields)


class Stage(Document):
    level: int = Field(ge=1, le=5)
    label: str
    meaning: str


class Driver(Document):
    question: str
    answer: str | int | float | list[str] | None
    points: float
    max_points: float


class Readiness(Document):
    overall: int = Field(ge=0, le=100)
    stage: Stage
    dimensions: dict[Dimension, int]
    weakest: list[Dimension]
    method: Literal["quick_check", "full_assessment"]
    drivers: dict[Dimension, list[Driver]]


class Criterion(Document):
    id: str
    label: str
    status: Literal["met", "unmet", "unknown"]
    detail: str
    ask: str | None = Field(
        default=None, exclude_if=lambda ask: not ask, description="The question whose answer settles an unknown criterion."
    )


class Factor(Document):
    id: str
    label: str
    value: float
    contribution: float


def _optional(**field: Any) -> Any:
    return Field(default=None, exclude_if=_skip_none, **field)


class MatchBenefit(Document):
    """The programme's benefit as a match shows it: the fields a source gives (unknown ones are left out)."""

    kind: str
    description: str
    amount_min: float | None = _optional()
    amount_max: float | None = _optional()
    currency: str | None = _optional()
    funding_rate_pct: float | None = _optional()
    sme_share_pct: float | None = _optional()
    paid_when: str | None = _optional()
    notes: str | None = _optional()


class NextStep(Document):
    action: Literal["apply", "confirm"] = Field(description="apply: nothing is left to check; confirm: a fact must be confirmed first.")
    text: str
    ask: str | None = Field(
        default=None, exclude_if=lambda ask: not ask, description="The question id that settles the fact to confirm, when one does."
    )


class Match(Document):
    programme_id: str
    name: str
    category: Category
    country: str
    reach: Reach = added_later("home", description=REACH_DESCRIPTION)  # results before reach were all the firm's own
    eligibility: Literal["eligible", "needs_info"]
    score: float
    rank: int = Field(ge=1)
    criteria: list[Criterion]
    why: list[str] = added_later(
        list, description="Why it fits this firm, in words about its goals, weakest areas and stage; most telling first."
    )
    next_step: NextStep | SkipJsonSchema[None] = added_later(description="The one thing to do next about this programme.")
    factors: list[Factor] = Field(description="Their contributions add up to the score (to rounding).")
    operator: str
    benefit: MatchBenefit = Field(description="The benefit a firm of this size gets.")
    benefit_terms: list[str] = added_later(list, description="What it costs or gives back, in words true for its kind (a loan is repaid).")
    unencoded_conditions: list[str]
    status: ProgrammeStatus
    closes: str | None
    source_url: str
    source_kind: SourceKind | SkipJsonSchema[None] = added_later(description=SOURCE_KIND_DESCRIPTION)
    last_verified: str = Field(description="The date the source was read for these facts.")


def actionable_by_criteria(entry: Mapping[str, Any]) -> bool:
    """Whether a refusal is a near miss the firm could act on, judged by its failed criteria alone: none may be a
    location, sector or age rule, or the programme's being closed. For documents stored before the model said so
    (models.explanations.actionable also knows when a closed call opens again)."""
    failing = [rule_type(c["id"]) for c in entry.get("criteria", []) if c["status"] == "unmet"]
    return not any(rule in NOT_ACTIONABLE_RULES or rule == "open_for_applications" for rule in failing)


class NotEligible(Document):
    programme_id: str
    name: str
    category: Category
    country: str
    reach: Reach = added_later("home", description=REACH_DESCRIPTION)
    eligibility: Literal["ineligible"]
    criteria: list[Criterion] = Field(description="The criteria that failed.")
    actionable: bool = added_later(
        True,
        description="True when every failed criterion is one the firm could meet or confirm (a size, an age it will reach, a goal, "
        "a call that opens later); false when where it is, its sector or a closed call rules it out.",
    )
    source_url: str
    source_kind: SourceKind | SkipJsonSchema[None] = added_later(description=SOURCE_KIND_DESCRIPTION)
    last_verified: str = Field(description="The date the source was read for these facts.")

    @model_validator(mode="before")
    @classmethod
    def _judge_older_refusals(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "actionable" not in data:
            return {**data, "actionable": actionable_by_criteria(data)}
        return data


class FirmSize(Document):
    """The firm's size class under the EU definitions (Recommendation 2003/361/EC; small mid-caps: 2025/1099)."""

    model_config = ConfigDict(serialize_by_alias=True)

    class_: Literal["micro", "small", "medium", "small_midcap", "large"] | None = Field(
        alias="class", description="None when the figures given do not settle it."
    )
    is_sme: Literal["met", "unmet", "unknown"]
    explanation: str


class PlanStep(Document):
    step: int
    programme_id: str
    name: str
    phase: str
    basis: str = added_later(
        "", description="Why the step stands where it does, as a key; consecutive steps often share it and its reason."
    )
    reason: str


class ActionPlan(Document):
    summary: str
    steps: list[PlanStep]

    @property
    def parts(self) -> list[PlanPart]:
        """Consecutive steps that share a reason, with that reason: pages and reports say it once, above them, and
        say only that it was given above when an earlier part had the same one."""
        parts: list[PlanPart] = []
        for step in self.steps:
            if parts and parts[-1].reason == step.reason:
                parts[-1].steps.append(step)
            else:
                parts.append(PlanPart(step.reason, [step], any(part.reason == step.reason for part in parts)))
        return parts


class PlanPart(NamedTuple):
    reason: str
    steps: list[PlanStep]
    said_before: bool  # an earlier part of the plan already gave this reason


class AssessmentDocument(Document):
    """A stored assessment: readiness, ranked matches that explain themselves, refusals, and provenance."""

    id: str = Field(description="A random token of at least 128 bits.")
    created_at: str
    readiness: Readiness
    firm_size: FirmSize | None = Field(
        default=None, description="The firm's size class under the EU definitions; null in results made before it was computed."
    )
    expansion_countries: list[str] = Field(
        default_factory=list, description="The countries the firm said it expands to; their programmes have reach expansion."
    )
    regional_unseen: int = Field(
        default=0,
        ge=0,
        description="Regional programmes of the firm's country that naming its region (enterprise.region) would show; 0 when it gave one.",
    )
    matches: list[Match]
    not_eligible: list[NotEligible]
    matched_on: str = Field(description="The day the catalogue's dates were read on (deadlines, open or closed).")
    catalogue_version: str
    model_version: str
    action_plan: ActionPlan = added_later(lambda: ActionPlan(summary="", steps=[]))  # empty before plans existed

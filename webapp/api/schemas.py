"""The shapes of what /api/v1 answers, as pydantic models: the OpenAPI document is generated from them.

The request side is models.profile.ProfileRequest, the same model that validates every request; the documents
below describe what the routes return (models.document builds them), and a test checks real documents against
them, so the published schema cannot drift from the answers.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from programmes.vocabulary import CATEGORIES, DIMENSIONS, GOALS, PROGRAMME_STATUSES, REACHES

Category = Literal[CATEGORIES]  # type: ignore[valid-type]
Dimension = Literal[DIMENSIONS]  # type: ignore[valid-type]
Goal = Literal[GOALS]  # type: ignore[valid-type]
ProgrammeStatus = Literal[PROGRAMME_STATUSES]  # type: ignore[valid-type]
REPORT_FORMATS = ("pdf", "csv", "xlsx", "json")


class _Document(BaseModel):
    # Responses are described exactly: a field the code adds without adding it here fails the schema test.
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(_Document):
    code: str = Field(description="A stable word for the kind of error, e.g. invalid_fields, not_found, too_many_requests.")
    message: str = Field(description="A sentence for a person.")
    fields: dict[str, str] | None = Field(
        default=None, description="For 422: one message per invalid field, keyed by its dotted path (enterprise.employees)."
    )


class ErrorBody(_Document):
    """The one error body of the whole API."""

    error: ErrorDetail


# --- the assessment document (shared/spec/assessment-api-v1.md) -------------------------------------------


class Stage(_Document):
    level: int = Field(ge=1, le=5)
    label: str
    meaning: str


class Driver(_Document):
    question: str
    answer: str | int | float | list[str] | None
    points: float
    max_points: float


class Readiness(_Document):
    overall: int = Field(ge=0, le=100)
    stage: Stage
    dimensions: dict[Dimension, int]
    weakest: list[Dimension]
    method: Literal["quick_check", "full_assessment"]
    drivers: dict[Dimension, list[Driver]]


class Criterion(_Document):
    id: str
    label: str
    status: Literal["met", "unmet", "unknown"]
    detail: str
    ask: str | None = Field(default=None, description="The question whose answer settles an unknown criterion.")


class Factor(_Document):
    id: str
    label: str
    value: float
    contribution: float


class MatchBenefit(_Document):
    """The programme's benefit as a match shows it: the fields a source gives (unknown ones are left out)."""

    kind: str
    description: str
    amount_min: float | None = None
    amount_max: float | None = None
    currency: str | None = None
    funding_rate_pct: float | None = None
    sme_share_pct: float | None = None
    paid_when: str | None = None
    notes: str | None = None


Reach = Literal[REACHES]  # type: ignore[valid-type]
REACH_DESCRIPTION = (
    "home: the programme serves the firm's country or region, or an area (EU, EEA) its country belongs to; expansion: "
    "a programme of one of expansion_countries open to firms from abroad; anywhere: open to any firm in any country."
)
SOURCE_KIND_DESCRIPTION = "operator: the facts come from the operator's own page; third_party: from another page (no official page found)."


class NextStep(_Document):
    action: Literal["apply", "confirm"] = Field(description="apply: nothing is left to check; confirm: a fact must be confirmed first.")
    text: str
    ask: str | None = Field(default=None, description="The question id that settles the fact to confirm, when one does.")


class Match(_Document):
    programme_id: str
    name: str
    category: Category
    country: str
    reach: Reach = Field(description=REACH_DESCRIPTION)
    eligibility: Literal["eligible", "needs_info"]
    score: float
    rank: int = Field(ge=1)
    criteria: list[Criterion]
    why: list[str] = Field(description="Why it fits this firm, in words about its goals, weakest areas and stage; most telling first.")
    next_step: NextStep = Field(description="The one thing to do next about this programme.")
    factors: list[Factor] = Field(description="Their contributions add up to the score (to rounding).")
    operator: str
    benefit: MatchBenefit = Field(description="The benefit a firm of this size gets.")
    benefit_terms: list[str] = Field(description="What it costs or gives back, in words true for its kind (a loan is repaid).")
    unencoded_conditions: list[str]
    status: ProgrammeStatus
    closes: str | None
    source_url: str
    source_kind: Literal["operator", "third_party"] = Field(description=SOURCE_KIND_DESCRIPTION)
    last_verified: str = Field(description="The date the source was read for these facts.")


class NotEligible(_Document):
    programme_id: str
    name: str
    category: Category
    country: str
    reach: Reach = Field(description=REACH_DESCRIPTION)
    eligibility: Literal["ineligible"]
    criteria: list[Criterion] = Field(description="The criteria that failed.")
    actionable: bool = Field(
        description="True when every failed criterion is one the firm could meet or confirm (a size, an age it will reach, a goal, "
        "a call that opens later); false when where it is, its sector or a closed call rules it out."
    )
    source_url: str
    source_kind: Literal["operator", "third_party"] = Field(description=SOURCE_KIND_DESCRIPTION)
    last_verified: str = Field(description="The date the source was read for these facts.")


class FirmSize(_Document):
    """The firm's size class under the EU definitions (Recommendation 2003/361/EC; small mid-caps: 2025/1099)."""

    class_: Literal["micro", "small", "medium", "small_midcap", "large"] | None = Field(
        alias="class", description="None when the figures given do not settle it."
    )
    is_sme: Literal["met", "unmet", "unknown"]
    explanation: str


class PlanStep(_Document):
    step: int
    programme_id: str
    name: str
    phase: str
    basis: str = Field(description="Why the step stands where it does, as a key; consecutive steps often share it and its reason.")
    reason: str


class ActionPlan(_Document):
    summary: str
    steps: list[PlanStep]


class AssessmentDocument(_Document):
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
    action_plan: ActionPlan


def _no_null_defaults(schema: dict[str, Any]) -> None:
    for prop in schema["properties"].values():
        if prop.get("default", 0) is None:
            del prop["default"]


class CreateHeaders(BaseModel):
    """Request headers of POST /api/v1/assessments that the API reads."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, json_schema_extra=_no_null_defaults)

    idempotency_key: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[!-~]([ -~]*[!-~])?$")] | SkipJsonSchema[None] = Field(
        default=None,
        alias="Idempotency-Key",
        description=(
            "Optional. A retry with the same key and body returns the assessment stored the first time (200, "
            "Idempotent-Replayed: true) and stores nothing; the same key with another body is refused (422)."
        ),
    )


# --- programmes ---------------------------------------------------------------------------------------------


class ProgrammeQuery(BaseModel):
    """Filters of GET /api/v1/programmes; each narrows the list, and unknown parameters are ignored."""

    # A query string cannot say null: the filters are documented as plain values that may be left out.
    model_config = ConfigDict(extra="ignore", json_schema_extra=_no_null_defaults)

    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | SkipJsonSchema[None] = Field(
        default=None, description="ISO 3166-1 alpha-2, or EU for EU-wide programmes."
    )
    category: Category | SkipJsonSchema[None] = None
    status: ProgrammeStatus | SkipJsonSchema[None] = None
    goal: Goal | SkipJsonSchema[None] = Field(default=None, description="Programmes that serve this goal.")
    builds: Dimension | SkipJsonSchema[None] = Field(default=None, description="Programmes that build this readiness dimension.")
    page: int = Field(default=1, ge=1, le=10_000)
    per_page: int = Field(default=50, ge=1, le=200)


class ProgrammeTerritory(_Document):
    country: str | None = None
    regions: list[str] = Field(default_factory=list)
    area: str | None = None
    anywhere: bool = False
    open_to_firms_abroad: bool = False


class ProgrammeSummary(_Document):
    id: str
    name: str
    operator: str
    country: str
    regions: list[str]
    territory: ProgrammeTerritory = Field(description="Where the programme serves (not who may apply).")
    category: Category
    goals: list[Goal]
    builds: list[Dimension]
    status: ProgrammeStatus
    closes: str | None
    source_url: str
    last_verified: str
    href: str = Field(description="Where the whole programme is.")


class ProgrammeList(_Document):
    programmes: list[ProgrammeSummary]
    total: int = Field(ge=0, description="How many programmes match the filters, over all pages.")
    page: int
    per_page: int
    catalogue_version: str


# --- the questionnaire --------------------------------------------------------------------------------------


class QuestionnaireDimension(_Document):
    id: Dimension
    label: str
    description: str
    weight: float


class QuestionnaireGoal(_Document):
    id: Goal
    label: str
    hint: str | None


class QuestionnaireStage(_Document):
    level: int
    label: str
    meaning: str
    min_overall: int
    oecd_type: str


class QuickCheckQuestion(_Document):
    dimension: Dimension
    question: str
    hint: str | None
    levels: list[str] = Field(description="The wording of levels 0 to 4.")


class Option(_Document):
    id: str
    label: str
    points: float


class Question(_Document):
    id: str
    dimension: Dimension
    kind: str
    text: str
    hint: str | None
    weight: float
    max_points: float
    options: list[Option]


class ProfileOption(_Document):
    id: str
    label: str


class ProfileQuestion(_Document):
    id: str
    kind: str
    text: str
    hint: str | None
    required: bool
    options: list[ProfileOption] | None = Field(default=None, description="For a choice: the allowed values.")
    min: float | None = Field(default=None, description="For a number: the smallest accepted.")
    max: float | None = Field(default=None, description="For a number: the largest accepted.")


class Questionnaire(_Document):
    version: str
    levels: dict[str, str]
    dimensions: list[QuestionnaireDimension]
    stages: list[QuestionnaireStage]
    quick_check: list[QuickCheckQuestion]
    questions: list[Question]
    profile_questions: list[ProfileQuestion]
    goals: list[QuestionnaireGoal]

"""The shapes of what /api/v1 answers, as pydantic models: the OpenAPI document is generated from them.

The request side is models.profile.ProfileRequest, the same model that validates every request; the assessment
document is models.document_schema (models.document builds it, the pages and reports read it); the documents below
describe what the other routes return. A test checks real answers against them, so the published schema cannot
drift from the answers.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

# The assessment document is the models layer's one typed schema, published here as it is.
from models.document_schema import AssessmentDocument as AssessmentDocument
from models.document_schema import Category, Dimension, Goal, ProgrammeStatus
from models.document_schema import Document as _Document

REPORT_FORMATS = ("pdf", "csv", "xlsx", "json")


class ErrorDetail(_Document):
    code: str = Field(description="A stable word for the kind of error, e.g. invalid_fields, not_found, too_many_requests.")
    message: str = Field(description="A sentence for a person.")
    fields: dict[str, str] | None = Field(
        default=None, description="For 422: one message per invalid field, keyed by its dotted path (enterprise.employees)."
    )


class ErrorBody(_Document):
    """The one error body of the whole API."""

    error: ErrorDetail


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

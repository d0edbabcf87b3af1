"""The SME profile that everything else reads: firmographics, readiness and goals.

`ProfileRequest` validates the API's request document (the same shape is used by the CLI, the batch job and the
catalogue's test cases); `build_profile` turns a valid request into a `Profile`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from models.names import clean_name
from models.profile_schema import enterprise_schema, money_schema, request_schema
from models.readiness import QuestionBank, Readiness, score_answers, score_levels
from programmes.codes import is_country, is_region
from programmes.rates import known_currencies, to_eur
from programmes.vocabulary import DIMENSIONS, GOALS, NACE_SECTIONS

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "it", "ja")  # models.profile_schema lists the same
MAX_AMOUNT = 1e13  # larger than any SME's turnover by far; stops absurd numbers early
# The largest employer in the world has about 2.3 million staff; a headcount above this is a typing mistake.
MAX_EMPLOYEES = 10_000_000
MIN_FOUNDED_YEAR = 1800
NOT_FINITE = "Must be a finite number, not NaN or Infinity"


def _integral(value: Any) -> Any:
    # JSON has one number type: 2.0 is the whole number 2 (JSON Schema agrees), though Python reads it as a float.
    return int(value) if isinstance(value, float) and value.is_integer() else value


WholeNumber = Annotated[int, BeforeValidator(_integral)]


def within(minimum: float, maximum: float | None, below: str, above: str = "") -> BeforeValidator:
    """Bounds checked before pydantic's own ge/le, so that a reader gets a sentence instead of "Input should be
    less than or equal to 10000000000000"; the Field's ge/le stay, for the published JSON Schema."""

    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value  # a wrong type is pydantic's to report
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(NOT_FINITE)
        if value < minimum:
            raise ValueError(below)
        if maximum is not None and value > maximum:
            raise ValueError(above)
        return value

    return BeforeValidator(check)


def _clean_name(value: Any) -> Any:
    return clean_name(value) if isinstance(value, str) else value


# Each number with its limits twice: ge/le for the published JSON Schema, `within` for the sentence a reader gets.
# (Before-validators run last-listed first, so `within` sees the number as sent.)
Employees = Annotated[
    int,
    Field(ge=0, le=MAX_EMPLOYEES),
    BeforeValidator(_integral),
    within(0, MAX_EMPLOYEES, "The number of employees cannot be negative", f"Give the number of employees from 0 to {MAX_EMPLOYEES:,}"),
]
FoundedYear = Annotated[
    int,
    Field(ge=MIN_FOUNDED_YEAR),
    BeforeValidator(_integral),
    within(MIN_FOUNDED_YEAR, None, f"Give a founding year of {MIN_FOUNDED_YEAR} or later"),
]
GrowthPct = Annotated[
    float,
    Field(ge=-100, le=10_000),
    within(
        -100, 10_000, "A business cannot shrink by more than 100 per cent: give -100 or more", "Give a growth of at most 10,000 per cent"
    ),
]
CapacityPct = Annotated[float, Field(ge=0, le=100), within(0, 100, "Give a percentage from 0 to 100", "Give a percentage from 0 to 100")]
Amount = Annotated[
    float,
    Field(ge=0, le=MAX_AMOUNT),
    within(0, MAX_AMOUNT, "An amount cannot be negative", f"Give an amount of at most {MAX_AMOUNT:,.0f}"),
]


MAX_EXPANSION_COUNTRIES = 10


def _upper(value: Any) -> Any:
    # Country and region codes are read case-insensitively ("fr" is FR) and always stored upper case (contract v1.1).
    return value.strip().upper() if isinstance(value, str) else value


CountryCode = Annotated[str, BeforeValidator(_upper)]


class Money(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, json_schema_extra=money_schema)

    amount: Amount
    currency: str

    @field_validator("currency")
    @classmethod
    def _convertible(cls, value: str) -> str:
        if value not in known_currencies():
            raise ValueError(f"Tremplin has no exchange rate for {value!r}; use one of {', '.join(sorted(known_currencies()))}")
        return value


class EnterpriseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, json_schema_extra=enterprise_schema)

    # Control characters and bidirectional overrides are removed before the length is checked (models.names).
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), BeforeValidator(_clean_name)] | None = None
    country: CountryCode
    region: Annotated[str, BeforeValidator(_upper)] | None = None
    expansion_countries: list[CountryCode] = Field(default_factory=list)
    sector: str | None = None
    employees: Employees | None = None
    annual_turnover: Money | None = None
    balance_sheet_total: Money | None = None
    founded_year: FoundedYear | None = None
    annual_growth_pct: GrowthPct | None = None
    independent: bool | None = None

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if not is_country(value):
            raise ValueError("Enter the country as a two-letter ISO 3166-1 code, such as FR or DE")
        return value

    @field_validator("expansion_countries")
    @classmethod
    def _expansion(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if len(value) > MAX_EXPANSION_COUNTRIES:
            raise ValueError(f"Give at most {MAX_EXPANSION_COUNTRIES} countries you plan to expand to")
        unknown = [c for c in value if not is_country(c)]
        if unknown:
            raise ValueError(f"Unknown country code(s): {', '.join(unknown)}; use two-letter ISO 3166-1 codes, such as DE")
        if info.data.get("country") in value:
            raise ValueError("List only countries other than the one your business is established in")
        if len(set(value)) != len(value):
            raise ValueError("Each country can be given once")
        return value

    @field_validator("sector")
    @classmethod
    def _sector(cls, value: str | None) -> str | None:
        if value is not None and value not in NACE_SECTIONS:
            raise ValueError("Enter the sector as a NACE Rev. 2 section letter from A to U")
        return value

    @field_validator("founded_year")
    @classmethod
    def _not_future(cls, value: int | None) -> int | None:
        if value is not None and value > dt.date.today().year:
            raise ValueError("The founding year cannot be in the future")
        return value

    @field_validator("region")
    @classmethod
    def _region_in_country(cls, value: str | None, info: ValidationInfo) -> str | None:
        country = info.data.get("country")
        if value is not None and (not is_region(value) or not value.startswith(f"{country}-")):
            raise ValueError(f"Enter a region of {country} as an ISO 3166-2 code, such as {country}-…")
        return value


class ProfileRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, json_schema_extra=request_schema)

    enterprise: EnterpriseRequest
    levels: dict[str, WholeNumber] | None = None
    answers: dict[str, str | list[str]] | None = None
    goals: list[str] = Field(default_factory=list, max_length=len(GOALS))
    cofunding_capacity_pct: CapacityPct | None = None
    language: str = "en"

    @field_validator("levels")
    @classmethod
    def _levels(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        if value is None:
            return value
        missing = [d for d in DIMENSIONS if d not in value]
        unknown = [d for d in value if d not in DIMENSIONS]
        if missing or unknown:
            raise ValueError(f"Give a level for each of {', '.join(DIMENSIONS)}" + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
        if any(not 0 <= v <= 4 for v in value.values()):
            raise ValueError("Each level is a whole number from 0 (none) to 4 (advanced)")
        return value

    @field_validator("goals")
    @classmethod
    def _goals(cls, value: list[str]) -> list[str]:
        unknown = [g for g in value if g not in GOALS]
        if unknown:
            raise ValueError(f"Unknown goal(s): {', '.join(unknown)}")
        if len(set(value)) != len(value):
            raise ValueError("Each goal can be given once")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"Language must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @model_validator(mode="after")
    def _one_way_in(self) -> ProfileRequest:
        if (self.levels is None) == (self.answers is None):
            raise ValueError("Give exactly one of levels (the quick check) or answers (the full assessment)")
        return self


def answer_problems(bank: QuestionBank, answers: dict[str, Any]) -> dict[str, str]:
    """Field-by-field problems with full-assessment answers, keyed as `answers.<question id>`."""
    problems: dict[str, str] = {}
    for question_id, answer in answers.items():
        question = bank.question(question_id)
        key = f"answers.{question_id}"
        if question is None:
            problems[key] = "Unknown question"
            continue
        chosen = answer if isinstance(answer, list) else [answer]
        if question.kind == "single" and isinstance(answer, list):
            problems[key] = "Choose one option"
        elif any(question.option(c) is None for c in chosen):
            problems[key] = "Choose one of the listed options"
        elif len(set(chosen)) != len(chosen):
            problems[key] = "Each option can be chosen once"
        elif question.kind == "multiple" and "none_of_these" in chosen and len(chosen) > 1:
            problems[key] = "'None of these' cannot be combined with other options"
    return problems


@dataclass(frozen=True)
class Enterprise:
    country: str
    name: str | None = None
    region: str | None = None
    expansion_countries: tuple[str, ...] = ()
    sector: str | None = None
    employees: int | None = None
    turnover: Money | None = None
    balance_sheet: Money | None = None
    founded_year: int | None = None
    growth_pct: float | None = None
    independent: bool | None = None

    def turnover_eur(self, day: dt.date) -> float | None:
        return None if self.turnover is None else to_eur(self.turnover.amount, self.turnover.currency, day)

    def balance_sheet_eur(self, day: dt.date) -> float | None:
        return None if self.balance_sheet is None else to_eur(self.balance_sheet.amount, self.balance_sheet.currency, day)

    def age_years(self, day: dt.date) -> int | None:
        return None if self.founded_year is None else day.year - self.founded_year


@dataclass(frozen=True)
class Profile:
    enterprise: Enterprise
    readiness: Readiness
    goals: frozenset[str]
    cofunding_capacity_pct: float | None = None
    language: str = "en"


def build_profile(request: ProfileRequest, bank: QuestionBank) -> Profile:
    """Score the readiness and assemble the profile; `request` is already validated (see answer_problems)."""
    e = request.enterprise
    readiness = score_levels(bank, request.levels) if request.levels is not None else score_answers(bank, request.answers or {})
    return Profile(
        enterprise=Enterprise(
            country=e.country,
            name=e.name,
            region=e.region,
            expansion_countries=tuple(e.expansion_countries),
            sector=e.sector,
            employees=e.employees,
            turnover=e.annual_turnover,
            balance_sheet=e.balance_sheet_total,
            founded_year=e.founded_year,
            growth_pct=e.annual_growth_pct,
            independent=e.independent,
        ),
        readiness=readiness,
        goals=frozenset(request.goals),
        cofunding_capacity_pct=request.cofunding_capacity_pct,
        language=request.language,
    )

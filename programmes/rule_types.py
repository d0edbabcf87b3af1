"""The parameters of each eligibility rule type, validated.

A programme stores a rule as its type name, its parameters and the sentence a person reads, e.g.

    - type: max_employees
      limit: 250
      text: Fewer than 250 employees (EU SME definition).

This module only says which types exist and what their parameters are; models/rules.py evaluates them.
Both sides are keyed by the same names, and a test proves that every type here has an evaluator.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from programmes.codes import is_country, is_currency, is_region
from programmes.vocabulary import COUNTRY_GROUPS, DIMENSIONS, GOALS, NACE_SECTIONS


class _Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(min_length=3, max_length=500, description="The criterion as a person reads it.")


def _countries(value: list[str]) -> list[str]:
    bad = [c for c in value if c not in COUNTRY_GROUPS and not is_country(c)]
    if bad:
        raise ValueError(f"unknown country code(s): {', '.join(bad)} (ISO 3166-1 alpha-2, or EU / EEA)")
    return value


def _regions(value: list[str]) -> list[str]:
    bad = [r for r in value if not is_region(r)]
    if bad:
        raise ValueError(f"unknown region code(s): {', '.join(bad)} (ISO 3166-2, e.g. FR-IDF)")
    return value


def _sections(value: list[str]) -> list[str]:
    bad = [s for s in value if s not in NACE_SECTIONS]
    if bad:
        raise ValueError(f"unknown NACE section(s): {', '.join(bad)} (A to U)")
    return value


class CountryIn(_Rule):
    type: Literal["country_in"]
    countries: list[str] = Field(min_length=1)
    _check = field_validator("countries")(_countries)


class CountryNotIn(_Rule):
    type: Literal["country_not_in"]
    countries: list[str] = Field(min_length=1)
    _check = field_validator("countries")(_countries)


class OperatesIn(_Rule):
    """The firm is established in, or said it is expanding to, one of `countries`: for a programme that firms
    established abroad can use once they work in its country (the firm's `expansion_countries`)."""

    type: Literal["operates_in"]
    countries: list[str] = Field(min_length=1)
    _check = field_validator("countries")(_countries)


class RegionIn(_Rule):
    type: Literal["region_in"]
    regions: list[str] = Field(min_length=1)
    _check = field_validator("regions")(_regions)


class RegionNotIn(_Rule):
    type: Literal["region_not_in"]
    regions: list[str] = Field(min_length=1)
    _check = field_validator("regions")(_regions)


class MaxEmployees(_Rule):
    """Open to firms with fewer than `limit` employees (full-time equivalents)."""

    type: Literal["max_employees"]
    limit: int = Field(gt=0)


class MinEmployees(_Rule):
    """Open to firms with at least `limit` employees."""

    type: Literal["min_employees"]
    limit: int = Field(ge=0)


class _Money(_Rule):
    amount: float = Field(ge=0)
    currency: str

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if not is_currency(value):
            raise ValueError(f"unknown currency {value!r} (ISO 4217, e.g. EUR)")
        return value


class MaxTurnover(_Money):
    """Annual turnover at most `amount`."""

    type: Literal["max_turnover"]


class MinTurnover(_Money):
    """Annual turnover at least `amount`."""

    type: Literal["min_turnover"]


class MaxBalanceSheet(_Money):
    """Balance-sheet total (total assets) at most `amount`; often the alternative to a turnover limit."""

    type: Literal["max_balance_sheet"]


class SmeDefinition(_Rule):
    """The EU SME test (Recommendation 2003/361/EC): fewer than `max_employees` employees, and turnover at most
    `max_turnover_eur` or balance-sheet total at most `max_balance_sheet_eur`."""

    type: Literal["sme_definition"]
    max_employees: int = 250
    max_turnover_eur: float = 50_000_000
    max_balance_sheet_eur: float = 43_000_000


class SectorIn(_Rule):
    type: Literal["sector_in"]
    sections: list[str] = Field(min_length=1)
    _check = field_validator("sections")(_sections)


class SectorNotIn(_Rule):
    type: Literal["sector_not_in"]
    sections: list[str] = Field(min_length=1)
    _check = field_validator("sections")(_sections)


class MinAge(_Rule):
    """Founded at least `years` years ago."""

    type: Literal["min_age_years"]
    years: int = Field(ge=0, le=200)


class MaxAge(_Rule):
    """Founded at most `years` years ago (young firms, start-ups)."""

    type: Literal["max_age_years"]
    years: int = Field(ge=0, le=200)


class MinGrowth(_Rule):
    """Average yearly growth over the last three years of at least `pct` per cent (scale-ups)."""

    type: Literal["min_growth"]
    pct: float = Field(ge=-100, le=10_000)


class Independent(_Rule):
    """Not 25 % or more owned by a large enterprise."""

    type: Literal["independent"]


class _Readiness(_Rule):
    dimension: str
    score: int = Field(ge=0, le=100)

    @field_validator("dimension")
    @classmethod
    def _known_dimension(cls, value: str) -> str:
        if value not in DIMENSIONS:
            raise ValueError(f"unknown dimension {value!r} (one of {', '.join(DIMENSIONS)})")
        return value


class MinReadiness(_Readiness):
    type: Literal["min_readiness"]


class MaxReadiness(_Readiness):
    type: Literal["max_readiness"]


class RequiresGoal(_Rule):
    """The firm wants help with at least one of `goals`."""

    type: Literal["requires_goal"]
    goals: list[str] = Field(min_length=1)

    @field_validator("goals")
    @classmethod
    def _known_goals(cls, value: list[str]) -> list[str]:
        bad = [g for g in value if g not in GOALS]
        if bad:
            raise ValueError(f"unknown goal(s): {', '.join(bad)}")
        return value


class Unconfirmed(_Rule):
    """A condition on the firm that a source states but Tremplin cannot check from a profile (for example
    'technology readiness level 6 or above'), or that the sources leave unknown. Always `unknown`, so the
    programme is at best `needs_info`; `text` says what to confirm with the operator."""

    type: Literal["unconfirmed"]


SimpleRule = Annotated[
    CountryIn
    | CountryNotIn
    | OperatesIn
    | RegionIn
    | RegionNotIn
    | MaxEmployees
    | MinEmployees
    | MaxTurnover
    | MinTurnover
    | MaxBalanceSheet
    | SmeDefinition
    | SectorIn
    | SectorNotIn
    | MinAge
    | MaxAge
    | MinGrowth
    | Independent
    | MinReadiness
    | MaxReadiness
    | RequiresGoal
    | Unconfirmed,
    Field(discriminator="type"),
]


class AnyOf(_Rule):
    """Met when any one of `rules` is met (e.g. 'an SME, or a person about to found one')."""

    type: Literal["any_of"]
    rules: list[SimpleRule] = Field(min_length=2)


Rule = Annotated[SimpleRule | AnyOf, Field(discriminator="type")]

RULE_TYPE_NAMES: tuple[str, ...] = (
    "country_in",
    "country_not_in",
    "operates_in",
    "region_in",
    "region_not_in",
    "max_employees",
    "min_employees",
    "max_turnover",
    "min_turnover",
    "max_balance_sheet",
    "sme_definition",
    "sector_in",
    "sector_not_in",
    "min_age_years",
    "max_age_years",
    "min_growth",
    "independent",
    "min_readiness",
    "max_readiness",
    "requires_goal",
    "unconfirmed",
    "any_of",
)

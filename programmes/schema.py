"""What a programme is: a validated, immutable record.

Unknown facts stay unknown (None), never a guess: an unknown amount shows as unknown, and an unknown that
decides eligibility is encoded so that it yields `needs_info`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from programmes.codes import is_country, is_currency, is_region
from programmes.rule_types import Rule
from programmes.vocabulary import AREAS, CATEGORIES, COUNTRY_GROUPS, DIMENSIONS, FIRM_SIZES, GOALS, PROGRAMME_STATUSES, STAGES, TARGET_SIZES

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

BENEFIT_KINDS: tuple[str, ...] = (
    "grant",
    "loan",
    "guarantee",
    "equity",
    "tax_incentive",
    "voucher",
    "in_kind_compute",
    "advisory",
    "training",
    "testing_services",
    "procurement_contract",
    "regulatory_support",
    "data_access",
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Benefit(_Frozen):
    kind: Literal[BENEFIT_KINDS]  # type: ignore[valid-type]
    description: str = Field(min_length=3, max_length=500)
    amount_min: float | None = Field(default=None, ge=0)
    amount_max: float | None = Field(default=None, ge=0)
    currency: str | None = None
    # The share (0-100) the programme covers, when a source gives one: of the project's cost for a grant, voucher
    # or service; of the loan for a guarantee; of the eligible costs that come back for a tax incentive.
    funding_rate_pct: float | None = Field(default=None, ge=0, le=100)
    # The share the SME must pay itself: 0 means free of charge; None means not known. Ranks by cost; a card words
    # it as a share "you pay" only for kinds where the firm pays part of a price (see models/benefit_terms.py).
    sme_share_pct: float | None = Field(default=None, ge=0, le=100)
    # When a tax incentive's money comes back (e.g. "as a reduction of the next corporate tax bill"), as the
    # source puts it; None when no source says.
    paid_when: str | None = Field(default=None, max_length=300)
    notes: str | None = Field(default=None, max_length=1000)

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str | None) -> str | None:
        if value is not None and not is_currency(value):
            raise ValueError(f"unknown currency {value!r} (ISO 4217, e.g. EUR)")
        return value

    @model_validator(mode="after")
    def _amounts_make_sense(self) -> Benefit:
        if self.amount_min is not None and self.amount_max is not None and self.amount_min > self.amount_max:
            raise ValueError("amount_min is larger than amount_max")
        if (self.amount_min is not None or self.amount_max is not None) and self.currency is None:
            raise ValueError("an amount needs a currency")
        return self


class SizeBenefit(_Frozen):
    """The benefit firms of some sizes get instead of the programme's main one (the EIC Accelerator gives small
    mid-caps its investment component, not a grant)."""

    sizes: list[Literal[FIRM_SIZES]] = Field(min_length=1)  # type: ignore[valid-type]
    benefit: Benefit


class Territory(_Frozen):
    """Where a programme's support is delivered: exactly one of a country (with regions, when it is regional), a
    supranational area, or anywhere.

    This is not who may apply (the rules decide that) but whether the programme is relevant to a firm at all: a
    firm sees the programmes of its own country, region and areas, and those of countries it plans to expand to
    when `open_to_firms_abroad` says a firm established elsewhere can use them.
    """

    country: str | None = None
    regions: list[str] = Field(default_factory=list)
    area: Literal[AREAS] | None = None  # type: ignore[valid-type]
    anywhere: bool = False
    open_to_firms_abroad: bool = False

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is not None and not is_country(value):
            raise ValueError(f"unknown country {value!r} (ISO 3166-1 alpha-2)")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Territory:
        kinds = [self.country is not None, self.area is not None, self.anywhere]
        if sum(kinds) != 1:
            raise ValueError("a territory is exactly one of: a country, an area (EU, EEA) or anywhere")
        bad = [r for r in self.regions if not is_region(r) or r.split("-")[0] != self.country]
        if bad:
            raise ValueError(f"regions must be ISO 3166-2 codes of the territory's country: {', '.join(bad)}")
        return self

    @property
    def countries(self) -> frozenset[str]:
        """The countries it serves: its country, or the members of its area (none when it serves anywhere)."""
        if self.area:
            return COUNTRY_GROUPS[self.area]
        return frozenset({self.country}) if self.country else frozenset()

    @property
    def kind(self) -> str:
        return "anywhere" if self.anywhere else "area" if self.area else "region" if self.regions else "country"

    @classmethod
    def implied_by(cls, country: str, regions: Sequence[str]) -> Territory:
        """The territory a programme without one had before territories existed: its operator's country or area."""
        if country in AREAS:
            return cls(area=country)
        return cls(country=country, regions=list(regions))


class Application(_Frozen):
    mode: str = Field(min_length=3, max_length=500)
    # Dates are known only when a source states them; a rolling programme has no closing date.
    opens: dt.date | None = None
    closes: dt.date | None = None
    deadline_note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Application:
        if self.opens and self.closes and self.opens > self.closes:
            raise ValueError("opens is after closes")
        return self


class Programme(_Frozen):
    id: str = Field(min_length=3, max_length=80)
    name: str = Field(min_length=3, max_length=300)
    operator: str = Field(min_length=2, max_length=300)
    country: str
    regions: list[str] = Field(default_factory=list)
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    support_types: list[str] = Field(min_length=1)
    target_sizes: list[Literal[TARGET_SIZES]] = Field(min_length=1)  # type: ignore[valid-type]
    sectors: list[str] = Field(min_length=1, description="Sectors in words, as the source puts them.")
    rules: list[Rule] = Field(default_factory=list)
    unencoded_conditions: list[str] = Field(
        default_factory=list,
        description="Conditions a source states that no rule type can check; shown to the SME to verify.",
    )
    builds: list[Literal[DIMENSIONS]] = Field(min_length=1)  # type: ignore[valid-type]
    goals: list[Literal[GOALS]] = Field(min_length=1)  # type: ignore[valid-type]
    target_stages: list[Literal[STAGES]] = Field(min_length=1)  # type: ignore[valid-type]
    territory: Territory
    benefit: Benefit
    benefit_by_size: list[SizeBenefit] = Field(default_factory=list)
    application: Application
    status: Literal[PROGRAMME_STATUSES]  # type: ignore[valid-type]
    status_note: str | None = Field(default=None, max_length=500)
    source_url: HttpUrl
    # "operator": the operator's (or its ministry's or agency's) own page; "third_party": anything else (press,
    # consultancies, mirrors), shown as such to the SME.
    source_kind: Literal["operator", "third_party"]
    other_sources: list[HttpUrl] = Field(default_factory=list)
    # The date the source was last read for these facts (not a claim that the programme was checked that day).
    last_verified: dt.date
    languages: list[str] = Field(min_length=1)
    description: str = Field(min_length=20, max_length=2000)
    confidence: Literal["high", "medium", "low"]
    confidence_note: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="before")
    @classmethod
    def _territory_of_older_records(cls, data: Any) -> Any:
        # Records written before territories existed (stored versions, older exports) keep their meaning: the
        # operator's country or area. The bundled catalogue states every territory explicitly (a test checks).
        if isinstance(data, dict) and data.get("territory") is None and isinstance(data.get("country"), str):
            try:
                territory = Territory.implied_by(data["country"], data.get("regions") or [])
            except ValueError:
                return data  # the country itself is wrong: its own validator says so
            data = {**data, "territory": territory.model_dump(exclude_defaults=True)}
        if isinstance(data, dict) and "source_kind" not in data:
            data = {**data, "source_kind": "third_party"}  # unknown provenance is never presented as the operator's
        return data

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("must be a slug: lower-case letters, digits and single hyphens")
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if value not in AREAS and not is_country(value):
            raise ValueError(f"unknown country {value!r} (ISO 3166-1 alpha-2, or {' / '.join(AREAS)})")
        return value

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        bad = [r for r in value if not is_region(r)]
        if bad:
            raise ValueError(f"unknown region code(s): {', '.join(bad)}")
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        bad = [lang for lang in value if not re.fullmatch(r"[a-z]{2}", lang)]
        if bad:
            raise ValueError(f"languages are ISO 639-1 codes such as 'en': {', '.join(bad)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Programme:
        if self.status == "closed" and self.application.closes is None and not self.status_note:
            raise ValueError("a closed programme needs a closing date or a status_note saying why")
        return self

    def benefit_for(self, size: str | None) -> Benefit:
        """The benefit a firm of this size class gets (see models/firm_size.py); the main one when none is specific."""
        for variant in self.benefit_by_size:
            if size in variant.sizes:
                return variant.benefit
        return self.benefit

    def to_document(self) -> dict:
        """The programme as plain JSON-ready data (dates as ISO strings), the form stored and exported."""
        return self.model_dump(mode="json", exclude_none=True)

"""Fixed vocabularies shared by the catalogue and the model (see shared/spec/assessment-api-v1.md)."""

from __future__ import annotations

from collections.abc import Iterable

DIMENSIONS: tuple[str, ...] = ("strategy", "skills", "data", "cloud", "compute", "funding", "governance")

GOALS: tuple[str, ...] = (
    "upskill_staff",
    "hire_ai_talent",
    "find_expert_advice",
    "test_before_invest",
    "access_compute",
    "adopt_cloud",
    "fund_project",
    "research_and_development",
    "access_data",
    "regulatory_guidance",
    "sell_to_public_sector",
    "scale_up",
)

CATEGORIES: tuple[str, ...] = ("skills", "compute", "funding", "procurement", "advisory", "data_regulation")

PROGRAMME_STATUSES: tuple[str, ...] = ("open", "rolling", "closed", "unknown")

TARGET_SIZES: tuple[str, ...] = ("startup", "micro", "small", "medium", "small_midcap", "large")
# The size classes Tremplin computes for a firm (models/firm_size.py): the EU SME categories, then small mid-caps.
FIRM_SIZES: tuple[str, ...] = ("micro", "small", "medium", "small_midcap", "large")

# Where a programme serves, when it is a supranational area rather than a country (see COUNTRY_GROUPS).
AREAS: tuple[str, ...] = ("EU", "EEA")
# How a programme's territory relates to a firm (the API's `reach`).
REACHES: tuple[str, ...] = ("home", "expansion", "anywhere")

# NACE Rev. 2 sections.
NACE_SECTIONS: tuple[str, ...] = tuple("ABCDEFGHIJKLMNOPQRSTU")

STAGES: tuple[int, ...] = (1, 2, 3, 4, 5)

# Country groups a rule may name instead of listing members. EU = the 27 Member States (2020-);
# EEA adds Iceland, Liechtenstein and Norway.
EU_MEMBER_STATES: frozenset[str] = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
COUNTRY_GROUPS: dict[str, frozenset[str]] = {
    "EU": EU_MEMBER_STATES,
    "EEA": EU_MEMBER_STATES | {"IS", "LI", "NO"},
}


def expand_countries(codes: Iterable[str]) -> frozenset[str]:
    """The countries that country codes and groups (EU, EEA) name, each group replaced by its members."""
    members: set[str] = set()
    for code in codes:
        members |= COUNTRY_GROUPS.get(code, {code})
    return frozenset(members)

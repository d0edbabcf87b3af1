"""Plain factories for tests: make_* builds a valid object; keyword arguments change what the test is about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models.matching import compile_catalogue, match
from models.profile import Profile, ProfileRequest, build_profile
from models.ranking import prior
from models.readiness import load_bank
from programmes.schema import Programme

TODAY = dt.date(2026, 11, 25)


def programme_document(**overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": "test-programme",
        "name": "Test programme",
        "operator": "Test agency",
        "country": "FR",
        "category": "advisory",
        "support_types": ["advice"],
        "target_sizes": ["small", "medium"],
        "sectors": ["all"],
        "rules": [{"type": "country_in", "countries": ["FR"], "text": "Open to firms in France."}],
        "builds": ["strategy"],
        "goals": ["find_expert_advice"],
        "target_stages": [1, 2],
        "benefit": {"kind": "advisory", "description": "Free advice.", "sme_share_pct": 0},
        "application": {"mode": "Apply online."},
        "status": "rolling",
        "source_url": "https://example.org/programme",
        "last_verified": "2026-11-01",
        "languages": ["fr"],
        "description": "A test programme that gives free advice to small firms.",
        "confidence": "high",
    }
    document.update(overrides)
    return document


def make_programme(**overrides: Any) -> Programme:
    return Programme.model_validate(programme_document(**overrides))


def make_request(enterprise: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "enterprise": {"country": "FR", "employees": 42, **(enterprise or {})},
        "levels": {"strategy": 1, "skills": 0, "data": 2, "cloud": 3, "compute": 0, "funding": 1, "governance": 0},
        "goals": ["find_expert_advice"],
    }
    request.update(overrides)
    return request


def make_profile(enterprise: dict[str, Any] | None = None, **overrides: Any) -> Profile:
    return build_profile(ProfileRequest.model_validate(make_request(enterprise, **overrides)), load_bank())


def match_one(programme: Programme, profile: Profile, day: dt.date = TODAY):
    """The explained match of one programme (eligible, needs_info or ineligible)."""
    result = match(profile, compile_catalogue([programme], "test", day), prior(), "test", day)
    return (result.matches + result.not_eligible)[0]

"""docs/data-inventory.yaml lists every table and column Base.metadata defines, and nothing else, each with a purpose,
a lawful basis, a retention period and whether it can hold personal data (GDPR Art. 5(1)(c), 5(1)(e), 30)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from webapp.db import Base

INVENTORY = ROOT / "docs" / "data-inventory.yaml"
PERSONAL = {"yes", "no", "possible"}


@pytest.fixture(scope="module")
def inventory() -> dict[str, Any]:
    return yaml.safe_load(INVENTORY.read_text(encoding="utf-8"))


def schema() -> dict[str, set[str]]:
    import webapp  # noqa: F401  (every model module is imported with the app package)

    return {table.name: {column.name for column in table.columns} for table in Base.metadata.sorted_tables}


def listed(inventory: dict[str, Any]) -> dict[str, set[str]]:
    return {name: set((entry or {}).get("columns") or {}) for name, entry in inventory["tables"].items()}


def test_every_stored_column_is_in_the_inventory(inventory):
    documented = listed(inventory)
    missing = sorted(f"{t}.{c}" for t, columns in schema().items() for c in columns - documented.get(t, set()))
    assert not missing, f"add these to docs/data-inventory.yaml (purpose, legal basis, retention, personal data): {missing}"


def test_the_inventory_lists_nothing_that_does_not_exist(inventory):
    stored = schema()
    extra = sorted(f"{t}.{c}" for t, columns in listed(inventory).items() for c in columns - stored.get(t, set()))
    extra += sorted(t for t in listed(inventory) if t not in stored)
    assert not extra, f"docs/data-inventory.yaml lists what the schema does not have: {extra}"
    assert not set(inventory.get("excluded") or {}) & set(stored), "a table of Base.metadata cannot be excluded"


def test_every_entry_says_why_on_what_basis_for_how_long_and_whether_personal(inventory):
    problems = []
    for name, table in inventory["tables"].items():
        for key in ("purpose", "legal_basis", "retention"):
            if not str(table.get(key) or "").strip():
                problems.append(f"{name}: no {key}")
        for column, entry in (table.get("columns") or {}).items():
            effective = {"legal_basis": table.get("legal_basis"), "retention": table.get("retention"), **(entry or {})}
            for key in ("purpose", "legal_basis", "retention"):
                if not str(effective.get(key) or "").strip():
                    problems.append(f"{name}.{column}: no {key}")
            if effective.get("personal_data") not in PERSONAL:
                problems.append(f"{name}.{column}: personal_data must be one of {sorted(PERSONAL)}")
            if effective.get("personal_data") in {"yes", "possible"} and effective["legal_basis"] == "not personal data":
                problems.append(f"{name}.{column}: personal data needs a lawful basis")
    for name, reason in (inventory.get("excluded") or {}).items():
        if not str(reason or "").strip():
            problems.append(f"excluded {name}: no reason")
    assert not problems, problems


def test_contact_details_rest_on_consent_and_the_retention_settings_exist(app_context, inventory):
    consents = inventory["tables"]["follow_up_consents"]
    assert consents["legal_basis"].startswith("Art. 6(1)(a) consent")
    assert consents["columns"]["contact_email"]["personal_data"] == "yes"
    text = INVENTORY.read_text(encoding="utf-8")
    for setting in ("DRAFT_LIFETIME_DAYS", "ASSESSMENT_RETENTION_DAYS", "SIGN_IN_ATTEMPT_RETENTION_DAYS", "STAFF_SESSION_RETENTION_DAYS"):
        assert setting in text and isinstance(app_context.config[setting], int)

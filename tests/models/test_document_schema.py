"""The match document's one typed schema: what models.document builds validates against it and dumps back to
itself, and a document stored before later fields existed still reads, while the published schema promises them."""

from __future__ import annotations

import copy

from models.action_plan import action_plan
from models.document import action_plan_document, result_document
from models.document_schema import ActionPlan, AssessmentDocument, Match, NotEligible
from models.matching import compile_catalogue, match
from models.ranking import prior
from programmes.loader import load_catalogue
from tests.factories import TODAY, make_profile


def stored_document() -> dict:
    programmes, problems = load_catalogue()
    assert not problems
    profile = make_profile({"region": "FR-IDF", "employees": 42}, goals=["upskill_staff", "find_expert_advice"])
    result = match(profile, compile_catalogue(programmes, "test", TODAY), prior(), "test", TODAY)
    document = {"id": "x" * 24, "created_at": "2026-11-25T10:00:00Z", **result_document(result)}
    document["action_plan"] = action_plan_document(action_plan(result))
    return document


def test_a_built_document_validates_and_dumps_back_to_the_same_json():
    document = stored_document()
    assert document["matches"] and document["not_eligible"]
    parsed = AssessmentDocument.model_validate(document)
    assert parsed.model_dump(mode="json", by_alias=True) == document


def test_a_document_stored_before_later_fields_reads_with_their_defaults():
    old = copy.deepcopy(stored_document())
    del old["action_plan"]
    for entry in old["matches"]:
        for field in ("reach", "why", "next_step", "benefit_terms", "source_kind"):
            del entry[field]
    for entry in old["not_eligible"]:
        for field in ("reach", "actionable", "source_kind"):
            del entry[field]
    parsed = AssessmentDocument.model_validate(old)
    first = parsed.matches[0]
    assert (first.reach, first.why, first.next_step, first.benefit_terms, first.source_kind) == ("home", [], None, [], None)
    assert parsed.action_plan.steps == [] and parsed.action_plan.summary == ""
    # A refusal is judged by its failed criteria: where the firm is rules it out, a size it could change does not.
    far = {"criteria": [{"id": "country_in", "label": "In Japan.", "status": "unmet", "detail": "FR"}]}
    near = {"criteria": [{"id": "max_employees", "label": "Fewer than 10.", "status": "unmet", "detail": "42"}]}
    refused = old["not_eligible"][0]
    assert NotEligible.model_validate({**refused, **far}).actionable is False
    assert NotEligible.model_validate({**refused, **near}).actionable is True


def test_the_published_schema_still_requires_the_later_fields_and_shows_no_default_for_them():
    published = Match.model_json_schema()
    for field in ("reach", "why", "next_step", "benefit_terms", "source_kind"):
        assert field in published["required"]
        assert "default" not in published["properties"][field]
    next_step = {"$ref": "#/$defs/NextStep", "description": "The one thing to do next about this programme."}
    assert published["properties"]["next_step"] == next_step
    assert published["properties"]["source_kind"]["enum"] == ["operator", "third_party"]  # no null
    assert list(published["required"]) == [name for name in published["properties"] if name in published["required"]]
    assert "action_plan" in AssessmentDocument.model_json_schema()["required"]


def test_a_plan_says_a_shared_reason_once_above_its_steps_and_only_refers_back_to_it_later():
    def step(n, reason):
        return {"step": n, "programme_id": f"p{n}", "name": f"P{n}", "phase": "prepare", "basis": "b", "reason": reason}

    plan = ActionPlan.model_validate({"summary": "s", "steps": [step(1, "A"), step(2, "A"), step(3, "B"), step(4, "A"), step(5, "A")]})

    assert [(part.reason, [s.step for s in part.steps], part.said_before) for part in plan.parts] == [
        ("A", [1, 2], False),
        ("B", [3], False),
        ("A", [4, 5], True),
    ]

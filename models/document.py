"""The match document of the API contract (shared/spec/assessment-api-v1.md), built from a MatchResult as the typed
schema of models.document_schema, then stored and answered as its JSON.

`render` turns a model sentence (Text) into the reader's language; the web layer passes one built on
Flask-Babel, the CLI and batch job the plain English default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from models import document_schema as schema
from models.action_plan import ActionPlan
from models.benefit_terms import benefit_terms
from models.explanations import actionable, next_step, why_it_fits
from models.firm_size import SizeClass
from models.matching import Match, MatchResult
from models.profile import Profile
from models.readiness import Readiness
from models.text import Text

Render = Callable[[Text], str]
Translate = Callable[[str], str]


def _plain(text: Text) -> str:
    return text.render()


def readiness_entry(readiness: Readiness, translate: Translate = lambda m: m) -> schema.Readiness:
    return schema.Readiness(
        overall=readiness.overall,
        stage=schema.Stage(level=readiness.stage.level, label=translate(readiness.stage.label), meaning=translate(readiness.stage.meaning)),
        dimensions=dict(readiness.dimensions),
        weakest=list(readiness.weakest),
        method=readiness.method,
        drivers={
            dimension: [
                schema.Driver(
                    question=d.question_id,
                    answer=list(d.answer) if isinstance(d.answer, tuple) else d.answer,
                    points=d.points,
                    max_points=d.max_points,
                )
                for d in drivers
            ]
            for dimension, drivers in readiness.drivers.items()
        },
    )


def readiness_document(readiness: Readiness, translate: Translate = lambda m: m) -> dict[str, Any]:
    return _json(readiness_entry(readiness, translate))


def _json(entry: schema.Document) -> dict[str, Any]:
    return entry.model_dump(mode="json", by_alias=True)


def _head(m: Match) -> dict[str, Any]:
    """What a match and a near miss both say first: which programme, where it serves the firm, and the outcome."""
    p = m.programme
    return {
        "programme_id": p.id,
        "name": p.name,
        "category": p.category,
        "country": p.country,
        "reach": m.reach,
        "eligibility": m.eligibility,
    }


def _source(m: Match) -> dict[str, Any]:
    p = m.programme
    return {"source_url": str(p.source_url), "source_kind": p.source_kind, "last_verified": p.last_verified.isoformat()}


def _criteria(m: Match, render: Render, translate: Translate, only_failed: bool = False) -> list[schema.Criterion]:
    return [
        schema.Criterion(id=c.id, label=translate(c.label), status=c.status.word, detail=render(c.detail), ask=c.ask)
        for c in m.criteria
        if not only_failed or c.status.word == "unmet"
    ]


def _next_step(m: Match, render: Render) -> schema.NextStep:
    step = next_step(m)
    return schema.NextStep(action=step.action, text=render(step.text), ask=step.ask)


def match_entry(m: Match, profile: Profile, day: dt.date, render: Render = _plain, translate: Translate = lambda s: s) -> schema.Match:
    p = m.programme
    benefit = m.firm_benefit  # what a firm of this size gets (the EIC gives small mid-caps equity, not a grant)
    return schema.Match(
        **_head(m),
        score=m.score,
        rank=m.rank,
        criteria=_criteria(m, render, translate),
        # Why it fits, in words about the firm's answers and goals; the factors below explain the score.
        why=[render(t) for t in why_it_fits(m, profile, day)],
        next_step=_next_step(m, render),
        factors=[schema.Factor(id=f.id, label=render(f.label), value=f.value, contribution=f.contribution) for f in m.factors],
        operator=p.operator,
        benefit=schema.MatchBenefit.model_validate(benefit.model_dump(mode="json")),
        benefit_terms=[render(t) for t in benefit_terms(benefit)],
        unencoded_conditions=list(p.unencoded_conditions),
        status=p.status,
        closes=p.application.closes.isoformat() if p.application.closes else None,
        **_source(m),
    )


def match_document(m: Match, profile: Profile, day: dt.date, render: Render = _plain, translate: Translate = lambda s: s) -> dict[str, Any]:
    return _json(match_entry(m, profile, day, render, translate))


def not_eligible_entry(m: Match, day: dt.date, render: Render = _plain, translate: Translate = lambda s: s) -> schema.NotEligible:
    return schema.NotEligible(
        **_head(m),
        criteria=_criteria(m, render, translate, only_failed=True),
        actionable=actionable(m, day),  # a near miss the firm could act on (models/explanations.py)
        **_source(m),
    )


def not_eligible_document(m: Match, day: dt.date, render: Render = _plain, translate: Translate = lambda s: s) -> dict[str, Any]:
    return _json(not_eligible_entry(m, day, render, translate))


def firm_size_entry(size: SizeClass, render: Render = _plain) -> schema.FirmSize:
    """The firm's EU size class: `class` is micro, small, medium, small_midcap, large or None (not settled)."""
    return schema.FirmSize.model_validate({"class": size.size, "is_sme": size.is_sme.word, "explanation": render(size.explanation)})


def result_document(result: MatchResult, render: Render = _plain, translate: Translate = lambda s: s) -> dict[str, Any]:
    """Everything of the contract's response (schema.AssessmentDocument) except `id` and `created_at`, which belong
    to a stored assessment, and `action_plan` (action_plan_document)."""
    return {
        "readiness": readiness_document(result.profile.readiness, translate),
        "firm_size": _json(firm_size_entry(result.size, render)) if result.size else None,
        "expansion_countries": list(result.profile.enterprise.expansion_countries),
        "regional_unseen": result.regional_unseen,
        "matches": [match_document(m, result.profile, result.day, render, translate) for m in result.matches],
        "not_eligible": [not_eligible_document(m, result.day, render, translate) for m in result.not_eligible],
        "matched_on": result.day.isoformat(),
        "catalogue_version": result.catalogue_version,
        "model_version": result.model_version,
    }


def action_plan_entry(plan: ActionPlan, render: Render = _plain) -> schema.ActionPlan:
    """The recommended order of the matched programmes, with the reasoning shown for each step."""
    return schema.ActionPlan(
        summary=render(plan.summary),
        steps=[
            schema.PlanStep(
                step=s.number,
                programme_id=s.match.programme.id,
                name=s.match.programme.name,
                phase=s.phase,
                basis=s.basis,
                reason=render(s.reason),
            )
            for s in plan.steps
        ],
    )


def action_plan_document(plan: ActionPlan, render: Render = _plain) -> dict[str, Any]:
    return _json(action_plan_entry(plan, render))

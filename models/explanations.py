"""What a firm reads first about a programme: why it fits, in words about the firm's own answers and goals; the
one next step; and whether a programme it cannot use is one it could act on.

The ranker's factors and their contributions explain the order (models/ranking.py) and stay in every match
document, but "adds 0.23 to the score" tells an owner nothing. These sentences say the same things in the firm's
terms: the goals it chose that the programme serves, the weak areas it builds, the stage it is meant for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from models.matching import OPEN_CRITERION, Criterion, Match, rule_type
from models.profile import Profile
from models.rules import Status
from models.text import N_, Text
from programmes.rule_types import NOT_ACTIONABLE_RULES
from programmes.vocabulary import DIMENSIONS, GOALS

# What the firm asked for, as it would say it after "You asked for help with …".
GOAL_PHRASES: Mapping[str, str] = {
    "upskill_staff": N_("training your staff in AI"),
    "hire_ai_talent": N_("hiring people with AI or data skills"),
    "find_expert_advice": N_("expert advice on where AI can help"),
    "test_before_invest": N_("testing AI before you invest"),
    "access_compute": N_("computing power"),
    "adopt_cloud": N_("moving to cloud and digital tools"),
    "fund_project": N_("funding a project"),
    "research_and_development": N_("research and development"),
    "access_data": N_("access to data"),
    "regulatory_guidance": N_("understanding the rules on AI and data"),
    "sell_to_public_sector": N_("selling to public buyers"),
    "scale_up": N_("growing your business"),
}
# A readiness dimension as the object of "It builds …".
AREA_PHRASES: Mapping[str, str] = {
    "strategy": N_("your AI strategy"),
    "skills": N_("your staff's skills"),
    "data": N_("your data"),
    "cloud": N_("your cloud and digital tools"),
    "compute": N_("your access to AI tools and computing power"),
    "funding": N_("your funding for AI"),
    "governance": N_("responsible AI and security"),
}
WEAK_BELOW = 50  # beyond its two weakest areas, an area scoring below this still counts as one to build
SOON_DAYS = 90  # a deadline this close is said in the reasons, not only in the next step

# Rule types a firm cannot change to meet (where it is, its sector, how old or how ready it already is) are those
# whose spec says `actionable=False` (programmes/rule_types): NOT_ACTIONABLE_RULES, imported above.


@dataclass(frozen=True)
class NextStep:
    action: str  # "apply", or "confirm" a fact first
    text: Text
    ask: str | None = None  # the question that settles the fact to confirm, when one does


def _names(phrases: Mapping[str, str], keys: list[str]) -> tuple[Text, ...]:
    return tuple(Text(phrases[k]) for k in keys)


def why_it_fits(m: Match, profile: Profile, day: dt.date) -> tuple[Text, ...]:
    """Sentences on why this programme fits this firm, most telling first; never empty."""
    programme = m.programme
    readiness = profile.readiness
    sentences: list[Text] = []

    served = [g for g in GOALS if g in profile.goals and g in programme.goals]
    if served:
        sentences.append(Text(N_("You asked for help with %(goals)s."), {"goals": _names(GOAL_PHRASES, served)}))

    weakest = [d for d in DIMENSIONS if d in readiness.weakest and d in programme.builds]
    low = [d for d in DIMENSIONS if d in programme.builds and d not in readiness.weakest and readiness.dimensions[d] < WEAK_BELOW]
    if weakest and len(weakest) == len(readiness.weakest) > 1:
        sentences.append(Text(N_("It strengthens your two weakest areas: %(areas)s."), {"areas": _names(AREA_PHRASES, weakest)}))
    elif weakest:
        sentences.append(Text(N_("It strengthens %(areas)s, where your business is weakest."), {"areas": _names(AREA_PHRASES, weakest)}))
    elif low:
        sentences.append(
            Text(
                N_("It strengthens %(areas)s, where your business scores below %(score)s out of 100."),
                {"areas": _names(AREA_PHRASES, low), "score": WEAK_BELOW},
            )
        )

    if readiness.stage.level in programme.target_stages:
        sentences.append(Text(N_("It is meant for businesses at your stage of AI readiness.")))

    closes = programme.application.closes
    if closes is not None and 0 <= (closes - day).days <= SOON_DAYS:
        sentences.append(Text(N_("It closes soon, on %(date)s."), {"date": closes}))

    if not sentences:
        if m.eligibility == "eligible":
            sentences.append(Text(N_("Your business meets every condition it sets.")))
        else:
            sentences.append(Text(N_("None of its conditions rules your business out.")))
    return tuple(sentences)


def first_to_confirm(m: Match) -> Criterion | None:
    """A needs_info match's first unknown criterion: the fact to confirm before applying."""
    if m.eligibility != "needs_info":
        return None
    return next((c for c in m.criteria if c.status == Status.UNKNOWN), None)


def next_step(m: Match) -> NextStep:
    """Apply (before the deadline when there is one), or the one fact to confirm first and the question that settles it."""
    unknown = first_to_confirm(m)
    if unknown is not None:
        if unknown.id == OPEN_CRITERION:
            return NextStep("confirm", Text(N_("Check with the operator that it is open now.")))
        return NextStep("confirm", Text(N_("Confirm first: %(criterion)s"), {"criterion": unknown.label}), unknown.ask)
    closes = m.programme.application.closes
    if closes is not None:
        return NextStep("apply", Text(N_("Apply on the programme's page before %(date)s"), {"date": closes}))
    return NextStep("apply", Text(N_("Apply on the programme's page")))


def actionable(m: Match, day: dt.date) -> bool:
    """An ineligible programme the firm could act on: every failed criterion is one it could meet or confirm (a
    size, a turnover, an age it will reach, a goal, a readiness it can build), or a call that opens later. Failing
    on where the firm is, its sector, or a call closed with no new one known is not a near miss."""
    for criterion in m.criteria:
        if criterion.status != Status.UNMET:
            continue
        if criterion.id == OPEN_CRITERION:
            opens = m.programme.application.opens
            if opens is None or opens <= day:
                return False
        elif rule_type(criterion.id) in NOT_ACTIONABLE_RULES:
            return False
    return True

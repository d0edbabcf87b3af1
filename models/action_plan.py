"""An action plan: the matched programmes in a recommended order, each with the reason for its place.

The ranker says how well each programme fits; the plan says what to do first. Programme practice is to diagnose
and build skills before spending on computing power and funding when readiness is low, and to let a ready firm
invest first. `action_plan` applies that to a `MatchResult` and explains every position with a `Text`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from models.explanations import first_to_confirm
from models.matching import Criterion, Match, MatchResult
from models.readiness import Readiness
from models.text import N_, Text
from programmes.vocabulary import DIMENSIONS

DEFAULT_LIMIT = 8
DEADLINE_DAYS = 60  # a programme closing within this many days goes to the front of the plan
WEAK_SCORE = 50  # at stages 4-5, advice and training come early only when they build a dimension below this
VARIED_STEPS = 3  # the first steps that should show different kinds of support

PHASES: tuple[str, ...] = ("prepare", "build", "invest", "scale")
# What a step does, by category; the order of the steps depends on the firm's stage (see action_plan).
PHASE_OF_CATEGORY: Mapping[str, str] = {
    "advisory": "prepare",
    "skills": "prepare",
    "data_regulation": "build",
    "compute": "build",
    "funding": "invest",
    "procurement": "scale",
}
_FOUNDATION = frozenset({"advisory", "skills"})

# Why a step stands where it does, by basis. Consecutive steps with one basis share its sentence; what each step
# does for this firm and the fact to confirm first are the match's own (models/explanations.py). Literal N_()
# calls, so pybabel extracts every one.
REASONS: Mapping[str, str] = {
    "deadline": N_("Closing soon, on %(date)s: apply before then, so it comes first."),
    "foundation": N_(
        "Your AI readiness is at an early stage, so advice and training come first: they show where AI can help before you spend "
        "money on it."
    ),
    "weakest": N_("Support that builds your weakest areas comes early: they would otherwise hold back everything that follows."),
    "groundwork": N_("Then the ground an AI project needs: your data, the rules you must follow, or computing power to test on."),
    "spend_later": N_("Funding and computing power come after the groundwork, so the money goes to a project that is ready for it."),
    "sell_later": N_("Selling AI work to public buyers comes last, once your own use of AI is in place."),
    "invest_now": N_(
        "Your AI readiness is high enough to invest and grow now, so funding, computing power and public contracts come early."
    ),
    "can_wait": N_("Support that does not build your weakest areas can wait until the steps above are under way."),
    "variety": N_("A different kind of support comes early too, so your first steps do not all use one kind."),
    "expansion": N_("Programmes of a country you plan to expand to come last: they fit once your business works there."),
}

# Plan summaries by stage group, without and with programmes moved forward by their deadline.
SUMMARIES: Mapping[str, tuple[str, str]] = {
    "early": (
        N_(
            "Your AI readiness is at stage %(stage)s of 5, so the plan starts with advice and training, then your data and the rules, "
            "and only then funding and computing power. Selling to public buyers comes last."
        ),
        N_(
            "Your AI readiness is at stage %(stage)s of 5, so the plan starts with advice and training, then your data and the rules, "
            "and only then funding and computing power. Selling to public buyers comes last. Programmes that close within %(days)s "
            "days come first, so you do not miss them."
        ),
    ),
    "middle": (
        N_(
            "Your AI readiness is at stage %(stage)s of 5, so the plan starts with advice and training that build your weakest areas, "
            "then computing power and data, then funding. Selling to public buyers comes last."
        ),
        N_(
            "Your AI readiness is at stage %(stage)s of 5, so the plan starts with advice and training that build your weakest areas, "
            "then computing power and data, then funding. Selling to public buyers comes last. Programmes that close within %(days)s "
            "days come first, so you do not miss them."
        ),
    ),
    "ready": (
        N_(
            "Your AI readiness is at stage %(stage)s of 5, so funding, computing power and public contracts can come first. Advice "
            "and training come early only where they build an area scoring below %(weak)s."
        ),
        N_(
            "Your AI readiness is at stage %(stage)s of 5, so funding, computing power and public contracts can come first. Advice "
            "and training come early only where they build an area scoring below %(weak)s. Programmes that close within %(days)s "
            "days come first, so you do not miss them."
        ),
    ),
}
NOTHING_TO_PLAN = N_(
    "There is nothing to plan yet: no programme matches your answers so far. Answer the remaining questions, or come back when "
    "new programmes open."
)


@dataclass(frozen=True)
class PlanStep:
    number: int  # 1, 2, 3 … in the recommended order
    match: Match
    phase: str  # one of PHASES: what the step does (prepare, build, invest, scale)
    basis: str  # a key of REASONS: why the step stands where it does
    reason: Text
    closes_soon: bool  # closes within DEADLINE_DAYS of the match day
    to_confirm: Criterion | None  # needs_info: the first criterion still unknown
    builds_weak: tuple[str, ...]  # the dimensions it builds that the plan treats as weak for this firm, DIMENSIONS order


@dataclass(frozen=True)
class ActionPlan:
    steps: tuple[PlanStep, ...]
    summary: Text
    stage: int | None  # the firm's readiness stage (None only when there was nothing to plan)
    considered: int  # programmes the plan chose from (the result's explained matches), before the limit

    def __len__(self) -> int:
        return len(self.steps)


def _weak_dimensions(readiness: Readiness) -> tuple[str, ...]:
    """Stages 1-3: the two weakest dimensions; stages 4-5: every dimension scoring below WEAK_SCORE."""
    if readiness.stage.level >= 4:
        return tuple(d for d, score in readiness.dimensions.items() if score < WEAK_SCORE)
    return readiness.weakest


def _tier(category: str, builds_weak: bool, stage: int) -> tuple[int, str]:
    """The programme's tier (lower goes first) and the basis of its reason, from its category and the firm's stage."""
    if stage <= 2:
        if category in _FOUNDATION:
            return 0, "foundation"
        if category == "data_regulation":
            return 1, "groundwork"
        if category in ("compute", "funding"):
            return 2, "spend_later"
        return 3, "sell_later"
    if stage == 3:
        if category in _FOUNDATION:
            return (0, "weakest") if builds_weak else (2, "can_wait")
        if category in ("compute", "data_regulation"):
            return 1, "groundwork"
        if category == "funding":
            return 3, "spend_later"
        return 4, "sell_later"
    if category in ("funding", "compute", "procurement"):
        return 0, "invest_now"
    if category in _FOUNDATION and builds_weak:
        return 0, "weakest"
    if category == "data_regulation":
        return 1, "groundwork"
    return 2, "can_wait"


def _closes_soon(match: Match, day: dt.date) -> bool:
    closes = match.programme.application.closes
    return closes is not None and 0 <= (closes - day).days <= DEADLINE_DAYS


def _varied_front(ordered: Sequence[int], categories: Sequence[str], tiers: Sequence[int], taken: list[int]) -> tuple[list[int], set[int]]:
    """Fill the first VARIED_STEPS places so they hold as many categories as the plan has (at most VARIED_STEPS).

    `taken` are the places already filled (programmes closing soon). A place keeps the next programme in order
    unless the remaining places are needed to reach the target number of categories; then it takes the next
    programme of a category not yet used. Returns the order and the programmes this moved ahead of an earlier
    tier (a move within a tier keeps its tier's reason, which still explains why the step is early).
    """
    target = min(VARIED_STEPS, len({categories[i] for i in [*taken, *ordered]}))
    front, rest = list(taken), list(ordered)
    moved: set[int] = set()
    while len(front) < VARIED_STEPS and rest:
        used = {categories[i] for i in front}
        missing, places = target - len(used), VARIED_STEPS - len(front)
        choice = rest[0]
        if missing > 0 and missing >= places and categories[choice] in used:
            choice = next((i for i in rest if categories[i] not in used), choice)
            if tiers[choice] > tiers[rest[0]]:
                moved.add(choice)
        front.append(choice)
        rest.remove(choice)
    return front + rest, moved


def action_plan(result: MatchResult, limit: int = DEFAULT_LIMIT) -> ActionPlan:
    """The result's matches (eligible and needs_info) in a recommended order, at most `limit` steps.

    The ordering rule, applied to the ranked matches:

    0. Programmes of countries the firm only plans to expand to (reach "expansion") come after all the others,
       in the order below: they fit once it works there.
    1. Programmes closing within DEADLINE_DAYS (60) of the match day go to the front, the earliest closing date
       first (then the ranker's order): a missed deadline cannot be made up, so this beats every other rule.
    2. The others are grouped into tiers by category and the firm's readiness stage:
       - stages 1-2: advisory and skills; then data_regulation; then compute and funding; then procurement;
       - stage 3: advisory and skills that build one of the two weakest dimensions; then compute and
         data_regulation; then the other advisory and skills; then funding; then procurement;
       - stages 4-5: funding, compute, procurement, and advisory and skills that build a dimension scoring below
         50; then data_regulation; then the other advisory and skills.
       Within a tier the ranker's order is kept.
    3. The first three steps hold as many different categories as the plan has, up to three (no three grants
       first): a place keeps the next programme in order unless the places left are needed to reach that number,
       then it takes the next programme of an unused category (its reason says so). Programmes moved forward by
       a deadline count among the first three and are never moved back.
    4. The plan stops after `limit` steps.

    Each step's phase names what it does (advisory and skills prepare; data_regulation and compute build;
    funding invests; procurement scales), whatever its place. A needs_info step keeps its first unknown criterion,
    the fact to confirm first, in `to_confirm`. The same result always gives the same plan: every
    comparison ends on the ranker's rank, itself deterministic.
    """
    if limit < 0:
        raise ValueError("limit cannot be negative")
    matches = result.matches
    if not matches:
        return ActionPlan(steps=(), summary=Text(NOTHING_TO_PLAN), stage=None, considered=0)

    readiness = result.profile.readiness
    stage = readiness.stage.level
    weak = _weak_dimensions(readiness)
    # The ranker's order: by rank, then by position in the result (ranks are unique, so this never decides).
    position = sorted(range(len(matches)), key=lambda i: (matches[i].rank if matches[i].rank is not None else len(matches) + i, i))
    rank_of = {i: n for n, i in enumerate(position)}
    categories = [m.programme.category for m in matches]
    builds_weak = [tuple(d for d in DIMENSIONS if d in weak and d in m.programme.builds) for m in matches]
    tiers = [_tier(m.programme.category, bool(builds_weak[i]), stage) for i, m in enumerate(matches)]
    soon = [_closes_soon(m, result.day) for m in matches]

    # A programme of a country the firm only plans to expand to fits once it works there: after everything it can
    # use now, whatever its tier or deadline.
    later = [m.reach == "expansion" for m in matches]
    urgent = sorted((i for i in position if soon[i] and not later[i]), key=lambda i: (matches[i].programme.application.closes, rank_of[i]))
    now = sorted((i for i in position if not soon[i] and not later[i]), key=lambda i: (tiers[i][0], rank_of[i]))
    order, moved = _varied_front(now, categories, [tier for tier, _ in tiers], urgent)
    order += sorted((i for i in position if later[i]), key=lambda i: (tiers[i][0], rank_of[i]))

    steps = []
    for number, i in enumerate(order[:limit], start=1):
        m = matches[i]
        basis = "expansion" if later[i] else "deadline" if soon[i] else "variety" if i in moved else tiers[i][1]
        confirm = first_to_confirm(m)
        params: dict[str, object] = {"date": m.programme.application.closes} if basis == "deadline" else {}
        steps.append(
            PlanStep(
                number=number,
                match=m,
                phase=PHASE_OF_CATEGORY[m.programme.category],
                basis=basis,
                reason=Text(REASONS[basis], params),
                closes_soon=soon[i] and not later[i],
                to_confirm=confirm,
                builds_weak=builds_weak[i],
            )
        )

    group = "early" if stage <= 2 else "middle" if stage == 3 else "ready"
    any_soon = any(step.closes_soon for step in steps)
    summary_params: dict[str, object] = {"stage": stage}
    if group == "ready":
        summary_params["weak"] = WEAK_SCORE
    if any_soon:
        summary_params["days"] = DEADLINE_DAYS
    return ActionPlan(
        steps=tuple(steps),
        summary=Text(SUMMARIES[group][any_soon], summary_params),
        stage=stage,
        considered=len(matches),
    )

"""Compile a catalogue once; match a profile against it: rules, then ranking, then explanations.

`compile_catalogue` turns programmes into arrays (rule parameters grouped by type, dimension and goal matrices,
costs, dates). `match` then evaluates one profile against every programme in a few vector operations and builds
the criterion-by-criterion and factor-by-factor explanations only for the programmes it returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from models.firm_size import SizeClass, size_class
from models.profile import Profile
from models.ranking import FACTOR_LABELS, FEATURES, ProgrammeRanker
from models.reach import NOT_REACHED, REACH_WORDS, CompiledTerritories, compile_territories
from models.rules import REGISTRY, V_MET, V_UNKNOWN, V_UNMET, CompiledRules, Facts, Status, Verdict, compile_rule_set
from models.text import N_, Text
from programmes.rates import table_on
from programmes.rule_types import LOCATION_RULES
from programmes.schema import Benefit, Programme
from programmes.vocabulary import DIMENSIONS, GOALS, STAGES

OPEN_CRITERION = "open_for_applications"
WEAKEST_SHARE = 0.7  # gap_fit: the weakest dimensions' part; the rest rewards building any gap
DEADLINE_FULL_DAYS, DEADLINE_ZERO_DAYS, ROLLING_DEADLINE_VALUE = 90, 365, 0.25
UNKNOWN_COST_VALUE, OVER_CAPACITY_FACTOR = 0.5, 0.25
NO_DATE = np.iinfo(np.int64).max
SCORE_DECIMALS = 4  # scores and contributions are shown, compared and stored at this precision
LOCATION_DISTANCE, CLOSED_DISTANCE = 100, 10  # near misses: how far a failure puts a programme out of reach


@dataclass(frozen=True)
class CompiledCatalogue:
    version: str
    programmes: tuple[Programme, ...]
    rates_from: dt.date
    rules: CompiledRules
    territories: CompiledTerritories  # where each programme serves: decides which programmes a firm is shown
    builds: np.ndarray  # (n, 7) 0/1
    goals: np.ndarray  # (n, 12) 0/1
    stages: np.ndarray  # (n, 5) 0/1
    sme_share: np.ndarray  # (n,) percentage, NaN when unknown
    opens: np.ndarray  # (n,) ordinal day, NO_DATE when not stated
    closes: np.ndarray  # (n,) ordinal day, NO_DATE when not stated
    status: np.ndarray  # (n,) index into ("open", "rolling", "closed", "unknown")
    id_rank: np.ndarray  # (n,) position of each programme's id in alphabetical order, the last tie-break

    def __len__(self) -> int:
        return len(self.programmes)


_STATUSES = ("open", "rolling", "closed", "unknown")


def compile_catalogue(programmes: Sequence[Programme], version: str, day: dt.date | None = None) -> CompiledCatalogue:
    day = day or dt.date.today()
    n = len(programmes)

    def membership(values: Sequence[Sequence[object]], vocabulary: Sequence[object]) -> np.ndarray:
        matrix = np.zeros((n, len(vocabulary)), dtype=float)
        index = {v: i for i, v in enumerate(vocabulary)}
        for row, chosen in enumerate(values):
            matrix[row, [index[v] for v in chosen]] = 1.0
        return matrix

    def ordinal(value: dt.date | None) -> int:
        return NO_DATE if value is None else value.toordinal()

    return CompiledCatalogue(
        version=version,
        programmes=tuple(programmes),
        rates_from=table_on(day).valid_from,
        rules=compile_rule_set([(i, rule) for i, p in enumerate(programmes) for rule in p.rules], day),
        territories=compile_territories([p.territory for p in programmes]),
        builds=membership([p.builds for p in programmes], DIMENSIONS),
        goals=membership([p.goals for p in programmes], GOALS),
        stages=membership([p.target_stages for p in programmes], STAGES),
        sme_share=np.array([np.nan if p.benefit.sme_share_pct is None else p.benefit.sme_share_pct for p in programmes], dtype=float),
        opens=np.array([ordinal(p.application.opens) for p in programmes], dtype=np.int64),
        closes=np.array([ordinal(p.application.closes) for p in programmes], dtype=np.int64),
        status=np.array([_STATUSES.index(p.status) for p in programmes], dtype=np.int8),
        id_rank=np.argsort(np.argsort(np.array([p.id for p in programmes], dtype=object), kind="stable"), kind="stable"),
    )


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str
    status: Status
    detail: Text
    ask: str | None = None


@dataclass(frozen=True)
class Factor:
    id: str
    label: Text
    value: float
    contribution: float


@dataclass(frozen=True)
class Match:
    programme: Programme
    eligibility: str  # eligible, needs_info, ineligible
    score: float
    rank: int | None
    criteria: tuple[Criterion, ...]
    factors: tuple[Factor, ...]
    reach: str = "home"  # home, expansion or anywhere (models/reach.py)
    benefit: Benefit | None = None  # what this firm gets, for its size (Programme.benefit_for); None: the main one

    @property
    def firm_benefit(self) -> Benefit:
        return self.benefit or self.programme.benefit


@dataclass(frozen=True)
class MatchResult:
    profile: Profile
    day: dt.date
    matches: tuple[Match, ...]
    not_eligible: tuple[Match, ...]
    match_count: int  # all eligible and needs_info programmes, even when only the top ones are explained
    catalogue_version: str
    model_version: str
    size: SizeClass | None = None  # the firm's EU size class (models/firm_size.py)
    # Regional programmes of the firm's country it would see if it named its region (and not refused otherwise).
    regional_unseen: int = 0


def _open_status(catalogue: CompiledCatalogue, day: dt.date) -> np.ndarray:
    today = day.toordinal()
    closed = (
        (catalogue.status == _STATUSES.index("closed"))
        | (catalogue.closes < today)
        | ((catalogue.opens != NO_DATE) & (catalogue.opens > today))
    )
    unknown = catalogue.status == _STATUSES.index("unknown")
    return np.where(closed, V_UNMET, np.where(unknown, V_UNKNOWN, V_MET)).astype(np.int8)


def open_verdict(programme: Programme, day: dt.date) -> Verdict:
    application = programme.application
    if programme.status == "closed" or (application.closes and application.closes < day):
        if application.closes:
            return Verdict(Status.UNMET, Text(N_("Closed on %(date)s; no new call is known"), {"date": application.closes}))
        return Verdict(Status.UNMET, Text(N_("Closed; no new call is known")))
    if application.opens and application.opens > day:
        return Verdict(Status.UNMET, Text(N_("Opens on %(date)s"), {"date": application.opens}))
    if programme.status == "unknown":
        return Verdict(Status.UNKNOWN, Text(N_("Whether it is open now is not known: check with the operator")))
    if application.closes:
        return Verdict(Status.MET, Text(N_("Open until %(date)s"), {"date": application.closes}))
    return Verdict(Status.MET, Text(N_("Open: apply at any time")))


def _factor_values(catalogue: CompiledCatalogue, profile: Profile, day: dt.date, needs_info: np.ndarray) -> np.ndarray:
    """The (n, 6) matrix of factor values in FEATURES order."""
    readiness = profile.readiness
    need = np.array([(100 - readiness.dimensions[d]) / 100 for d in DIMENSIONS])
    weakest = np.array([d in readiness.weakest for d in DIMENSIONS], dtype=float)
    built_weak = catalogue.builds @ (need * weakest) / weakest.sum()
    built_any = (catalogue.builds @ need) / np.maximum(catalogue.builds.sum(axis=1), 1)
    gap_fit = WEAKEST_SHARE * built_weak + (1 - WEAKEST_SHARE) * built_any

    wanted = np.array([g in profile.goals for g in GOALS], dtype=float)
    goal_fit = catalogue.goals @ wanted / wanted.sum() if wanted.any() else np.zeros(len(catalogue))

    stage = readiness.stage.level
    at_stage = catalogue.stages[:, stage - 1]
    neighbours = np.zeros(len(catalogue))
    for level in (stage - 1, stage + 1):
        if 1 <= level <= 5:
            neighbours = np.maximum(neighbours, catalogue.stages[:, level - 1])
    stage_fit = np.maximum(at_stage, 0.5 * neighbours)

    share = catalogue.sme_share / 100
    affordable = 1 - share
    capacity = profile.cofunding_capacity_pct
    if capacity is not None:
        affordable = np.where(catalogue.sme_share > capacity, OVER_CAPACITY_FACTOR * affordable, affordable)
    cost = np.where(np.isnan(share), UNKNOWN_COST_VALUE, affordable)

    days_left = (catalogue.closes - day.toordinal()).astype(float)
    span = DEADLINE_ZERO_DAYS - DEADLINE_FULL_DAYS
    dated = np.clip(1 - (days_left - DEADLINE_FULL_DAYS) / span, 0, 1)
    rolling = catalogue.status == _STATUSES.index("rolling")
    deadline = np.where(catalogue.closes != NO_DATE, dated, np.where(rolling, ROLLING_DEADLINE_VALUE, 0.0))

    return np.column_stack([gap_fit, goal_fit, stage_fit, cost, deadline, needs_info.astype(float)])


def criterion_ids(programme: Programme) -> tuple[str, ...]:
    """The ids of a programme's criteria, in its rules' order: the rule type, with "-2", "-3" … for a second or third
    rule of one type, then OPEN_CRITERION (whether it is open on the day)."""
    seen: dict[str, int] = {}
    ids = []
    for rule in programme.rules:
        seen[rule.type] = seen.get(rule.type, 0) + 1
        ids.append(rule.type if seen[rule.type] == 1 else f"{rule.type}-{seen[rule.type]}")
    return (*ids, OPEN_CRITERION)


def rule_type(criterion_id: str) -> str:
    """The rule type of a criterion id made by criterion_ids ("max_employees-2" -> "max_employees")."""
    head, _, tail = criterion_id.rpartition("-")
    return head if head and tail.isdigit() else criterion_id


def _criteria(programme: Programme, facts: Facts, day: dt.date) -> tuple[Criterion, ...]:
    criteria = []
    for rule_id, rule in zip(criterion_ids(programme), programme.rules, strict=False):
        verdict = REGISTRY[rule.type].check(rule, facts)
        criteria.append(Criterion(rule_id, rule.text, verdict.status, verdict.detail, verdict.ask))
    verdict = open_verdict(programme, day)
    criteria.append(Criterion(OPEN_CRITERION, N_("Open for applications"), verdict.status, verdict.detail))
    return tuple(criteria)


@dataclass(frozen=True)
class FirmVerdicts:
    """One programme for one firm, as counted by the reach preview: where it reaches the firm and each criterion's
    status (V_MET, V_UNKNOWN or V_UNMET), in criterion_ids order."""

    profile: Profile
    reach: str | None  # home, expansion or anywhere; None: the programme is not offered to this firm
    statuses: np.ndarray


def verdicts_for_firms(programme: Programme, profiles: Iterable[Profile], day: dt.date) -> Iterator[FirmVerdicts]:
    """One programme judged for many firms, criterion by criterion. It is compiled once, and each firm's rules are
    evaluated as `match` evaluates them first; whether it is open on `day` does not depend on the firm, so it is
    judged once. Statuses are computed for every firm, reached or not."""
    catalogue = compile_catalogue([programme], f"verdicts-{programme.id}", day)
    positions = {group.type_name: [i for i, r in enumerate(programme.rules) if r.type == group.type_name] for group in catalogue.rules}
    open_status = int(open_verdict(programme, day).status)
    for profile in profiles:
        facts = Facts.of(profile, day)
        statuses = np.zeros(len(programme.rules) + 1, dtype=np.int8)
        for group in catalogue.rules:
            statuses[positions[group.type_name]] = group.evaluate(facts)
        statuses[-1] = open_status
        yield FirmVerdicts(profile, REACH_WORDS.get(int(catalogue.territories.reach(facts)[0])), statuses)


def _factors(values: np.ndarray, contributions: np.ndarray) -> tuple[Factor, ...]:
    factors = [
        Factor(name, Text(FACTOR_LABELS[name]), value, part)
        for name, value, part in zip(
            FEATURES, np.round(values, SCORE_DECIMALS).tolist(), np.round(contributions, SCORE_DECIMALS).tolist(), strict=True
        )
    ]
    return tuple(sorted(factors, key=lambda f: -abs(f.contribution)))


def rank_order(
    candidates: np.ndarray, scores: np.ndarray, eligible: np.ndarray, gap_fit: np.ndarray, catalogue: CompiledCatalogue, limit: int
) -> np.ndarray:
    """The first `limit` of `candidates` (programme indices) in ranking order.

    Ties are broken deterministically, in this order: higher score (compared at the 4 decimals shown, so float
    noise never reorders and the shown scores always descend), then eligible before needs_info, then higher
    gap_fit (what the firm lacks most), then the earlier closing date (a programme without a date last), then the
    programme id alphabetically.
    """
    if len(candidates) == 0:
        return candidates
    rounded = np.round(scores[candidates], SCORE_DECIMALS)
    if limit < len(candidates):
        # Only programmes scoring at least the limit-th best can be in the top: sort just those.
        threshold = np.partition(rounded, len(rounded) - limit)[len(rounded) - limit]
        keep = rounded >= threshold
        candidates, rounded = candidates[keep], rounded[keep]
    order = np.lexsort(
        (
            catalogue.id_rank[candidates],
            catalogue.closes[candidates],
            -np.round(gap_fit[candidates], 6),
            ~eligible[candidates],
            -rounded,
        )
    )
    return candidates[order][:limit]


def near_miss_order(rejected: np.ndarray, distance: np.ndarray, scores: np.ndarray, catalogue: CompiledCatalogue, limit: int) -> np.ndarray:
    """Ineligible programmes, the nearest first: smallest distance (see `match`), then higher score, then id."""
    if limit < len(rejected):
        # Scores lie in [0, 1] and distances are whole, so this key orders by distance first; sort only what can
        # reach the top.
        key = distance[rejected] * 2.0 - np.round(scores[rejected], SCORE_DECIMALS)
        threshold = np.partition(key, limit - 1)[limit - 1]
        rejected = rejected[key <= threshold]
    order = np.lexsort((catalogue.id_rank[rejected], -np.round(scores[rejected], SCORE_DECIMALS), distance[rejected]))
    return rejected[order][:limit]


@dataclass(frozen=True)
class Evaluation:
    """One profile against a whole compiled catalogue, before any explanation is written."""

    facts: Facts  # what the rules read from the profile (reused to write explanations)
    worst: np.ndarray  # per programme, the worst criterion status: the outcome
    reach: np.ndarray  # per programme, NOT_REACHED, HOME, EXPANSION or ANYWHERE (models/reach.py)
    regional_unseen: np.ndarray  # per programme: regional, of the firm's country, unseen because no region was given
    distance: np.ndarray  # how far an ineligible programme is from reach (see `match`)
    values: np.ndarray  # (n, len(FEATURES)) factor values
    contributions: np.ndarray  # (n, len(FEATURES)) each factor's part of the score
    scores: np.ndarray  # the contributions added up

    @property
    def eligible(self) -> np.ndarray:
        return self.worst == V_MET

    @property
    def needs_info(self) -> np.ndarray:
        return self.worst == V_UNKNOWN

    @property
    def candidates(self) -> np.ndarray:
        """Programmes that reach the firm and that it may use (eligible or needs_info), in catalogue order."""
        return np.flatnonzero((self.worst != V_UNMET) & (self.reach != NOT_REACHED))

    @property
    def rejected(self) -> np.ndarray:
        """Programmes that reach the firm but that it cannot use; programmes of other territories are not counted."""
        return np.flatnonzero((self.worst == V_UNMET) & (self.reach != NOT_REACHED))

    def top(self, catalogue: CompiledCatalogue, limit: int) -> np.ndarray:
        return rank_order(self.candidates, self.scores, self.eligible, self.values[:, 0], catalogue, limit)


def evaluate(profile: Profile, catalogue: CompiledCatalogue, ranker: ProgrammeRanker, day: dt.date) -> Evaluation:
    """Rules, then factors and scores, for every programme at once (a few vector operations per rule type)."""
    facts = Facts.of(profile, day)
    n = len(catalogue)
    worst = np.zeros(n, dtype=np.int8)
    distance = np.zeros(n, dtype=np.int64)
    for group in catalogue.rules:
        statuses = group.evaluate(facts)
        group.fold(worst, statuses, np.maximum)
        weight = LOCATION_DISTANCE if group.type_name in LOCATION_RULES else 1
        group.fold(distance, (statuses == V_UNMET).astype(np.int64) * weight, np.add)
    open_status = _open_status(catalogue, day)
    worst = np.maximum(worst, open_status)
    distance += (open_status == V_UNMET) * CLOSED_DISTANCE
    values = _factor_values(catalogue, profile, day, worst == V_UNKNOWN)
    contributions = ranker.contributions_unchecked(values)
    territories = catalogue.territories
    unseen = territories.unseen_for_want_of_a_region(facts) & (worst != V_UNMET)
    return Evaluation(facts, worst, territories.reach(facts), unseen, distance, values, contributions, contributions.sum(axis=1))


def match(
    profile: Profile,
    catalogue: CompiledCatalogue,
    ranker: ProgrammeRanker,
    model_version: str,
    day: dt.date | None = None,
    explain_limit: int | None = None,
) -> MatchResult:
    """Match one profile. `explain_limit` bounds the explained matches and near misses (None: explain all).

    Near misses (ineligible programmes) are ordered by their distance from eligibility, then by score, then id.
    The distance counts failed criteria, a closed programme as 10 (the firm cannot change it, but it may reopen)
    and a failed location criterion as 100 (a firm rarely moves country for a programme), so the first near misses
    are the ones a firm could act on.
    """
    day = day or dt.date.today()
    found = evaluate(profile, catalogue, ranker, day)
    facts = found.facts
    worst, values, contributions, scores = found.worst, found.values, found.contributions, found.scores
    limit = len(catalogue) if explain_limit is None else explain_limit
    candidates = found.candidates
    ordered = found.top(catalogue, limit)
    near = near_miss_order(found.rejected, found.distance, scores, catalogue, limit)
    size = size_class(facts)

    def explained(i: int, rank: int | None) -> Match:
        programme = catalogue.programmes[i]
        eligibility = "ineligible" if rank is None else "eligible" if worst[i] == Status.MET else "needs_info"
        benefit = programme.benefit_for(size.best_guess)
        return Match(
            programme=programme,
            eligibility=eligibility,
            score=float(np.round(scores[i], SCORE_DECIMALS)),
            rank=rank,
            criteria=_criteria(programme, facts, day),
            factors=_factors(values[i], contributions[i]),
            reach=REACH_WORDS[int(found.reach[i])],
            benefit=None if benefit is programme.benefit else benefit,
        )

    return MatchResult(
        profile=profile,
        day=day,
        matches=tuple(explained(int(i), rank) for rank, i in enumerate(ordered, start=1)),
        not_eligible=tuple(explained(int(i), None) for i in near),
        match_count=len(candidates),
        catalogue_version=catalogue.version,
        model_version=model_version,
        size=size,
        regional_unseen=int(np.count_nonzero(found.regional_unseen)),
    )


@dataclass(frozen=True)
class Judgement:
    """One programme for one firm, whatever its territory: what the catalogue's test cases assert."""

    eligibility: str
    criteria: tuple[Criterion, ...]
    reach: str | None  # None: the programme is not offered to this firm


def judge(programme: Programme, profile: Profile, ranker: ProgrammeRanker, day: dt.date) -> Judgement:
    catalogue = compile_catalogue([programme], "judge", day)
    found = evaluate(profile, catalogue, ranker, day)
    eligibility = {Status.MET: "eligible", Status.UNKNOWN: "needs_info", Status.UNMET: "ineligible"}[Status(int(found.worst[0]))]
    return Judgement(eligibility, _criteria(programme, found.facts, day), REACH_WORDS.get(int(found.reach[0])))


def training_rows(examples: Sequence[tuple[Profile, Programme, float]], day: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Factor rows and labels from labelled (profile, programme, outcome) triples, for ProgrammeRanker.fit.

    An outcome is a number in [0, 1] (1: the firm used the programme and it helped). Each row holds the same
    factor values `match` would rank with; ineligible pairs are kept, since the factors do not depend on rules
    beyond the needs_info flag.
    """
    catalogue = compile_catalogue([programme for _, programme, _ in examples], "training", day)
    rows = []
    for i, (profile, _, _) in enumerate(examples):
        facts = Facts.of(profile, day)
        status = max((REGISTRY[r.type].check(r, facts).status for r in catalogue.programmes[i].rules), default=Status.MET)
        status = max(status, open_verdict(catalogue.programmes[i], day).status)
        needs_info = np.zeros(len(catalogue), dtype=bool)
        needs_info[i] = status == Status.UNKNOWN
        rows.append(_factor_values(catalogue, profile, day, needs_info)[i])
    return np.array(rows).reshape(-1, len(FEATURES)), np.array([float(outcome) for _, _, outcome in examples])

"""Whom the catalogue serves, for programme administrators: a programme's reach, and insights over all assessments.

Two questions, two sources:

- `reach_preview`: "whom would this programme reach?" It re-evaluates ONE programme (a draft or a published one)
  against every stored assessment's request, with the rules as they stand on `day`.
- `insights`: "whom did the catalogue serve?" It reads the stored result documents, i.e. what each firm was
  actually shown, and never re-matches (10,000 assessments take a fraction of a second).

Aggregates only. A number computed over fewer than MIN_CELL firms is withheld: its value is None and pages show
"fewer than 10" (a zero is withheld too, so that phrase is always true). A breakdown row over fewer than MIN_CELL
firms is withheld whole; in count tables every count below MIN_CELL is withheld as well, totals included. Shares
and means are withheld on their denominator (the firms in the row), not on their numerator. Means are rounded to
one decimal, shares to four.

What this does not stop is differencing: when exactly one row of a breakdown is withheld, its firm count (and so
its mean) can be worked out from the total and the other rows. Withholding a second row would stop it, but that
row would then read "fewer than 10" untruly, so it is left to the pages (for instance: no total beside a breakdown
that withholds a single row).

Everything returned is a frozen dataclass: a `Table` has `columns` (ids), `rows` and a `total` row; a `Row` has a
`key`, a `label`, the number of `firms` it is computed over, one value per column and a `suppressed` flag. The charts of
these tables are drawn from webapp.admin.charts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pycountry
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from models.matching import criterion_ids, verdicts_for_firms
from models.profile import Profile, ProfileRequest, answer_problems, build_profile
from models.readiness import load_bank
from models.rules import Status
from programmes.codes import is_region, region_and_parents
from programmes.schema import Programme
from programmes.vocabulary import CATEGORIES, DIMENSIONS, STAGES
from webapp.db import Assessment, db

MIN_CELL = 10  # the fewest firms a published number may be computed over
TOP_PLACES = 5  # "top 5": the first places of a firm's ranked list
TOP_PROGRAMMES = 10  # how many programmes "most matched" lists
WEEKLY_SPAN = dt.timedelta(weeks=26)  # assessments spread over longer than this are counted per month, else per week

COUNT, SHARE, SCORE = "count", "share", "score"  # how a table's values read: whole numbers, 0-1, 0-100
OUTCOMES: tuple[str, ...] = ("eligible", "needs_info", "ineligible")
READINESS_COLUMNS: tuple[str, ...] = ("overall", *DIMENSIONS)
FAIRNESS_COLUMNS: tuple[str, ...] = ("eligibility_rate", "top5_eligible_share")
MATCHED_COLUMNS: tuple[str, ...] = ("matched", "top5")
SIZE_CLASSES: tuple[str, ...] = ("micro", "small", "medium", "larger", "unknown")
UNKNOWN = "unknown"
SIZE_LABELS: dict[str, Any] = {
    "micro": _l("Micro (fewer than 10 employees)"),
    "small": _l("Small (10 to 49 employees)"),
    "medium": _l("Medium (50 to 249 employees)"),
    "larger": _l("250 employees or more"),
    "unknown": _l("Number of employees not given"),
}
UNKNOWN_LABEL = _l("Not given")
CATALOGUE_COUNT = "catalogue_count"  # a count of programmes, not of firms: never withheld
MAX_LISTED_REGIONS = 5  # a programme naming more regions than this (Greater London) is one row, under its first
OPEN_LABEL = _l("Open for applications")  # the label models.matching gives the OPEN_CRITERION

Value = float | int | None


def size_class(employees: int | None) -> str:
    """micro: fewer than 10 employees, small: fewer than 50, medium: fewer than 250, larger: 250 or more."""
    if employees is None:
        return UNKNOWN
    if employees < 10:
        return "micro"
    if employees < 50:
        return "small"
    if employees < 250:
        return "medium"
    return "larger"


# ---------------------------------------------------------------------------------------------------------------
# Rows and tables


@dataclass(frozen=True)
class Row:
    """One line of a table. `values` follow the table's `columns`; a withheld value is None.

    `label` is what to show (a code such as "FR", a programme name, or a lazily translated name for size classes
    and stages); `firms` is how many firms the row is computed over (None when withheld); `suppressed` says the
    whole row is withheld because it covers fewer than MIN_CELL firms.
    """

    key: str
    label: Any
    firms: int | None
    values: tuple[Value, ...]
    suppressed: bool

    @property
    def value(self) -> Value:
        """The first column's value (the only one in one-column tables)."""
        return self.values[0] if self.values else None


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]  # column ids: outcomes, dimensions, categories, ...
    kind: str  # COUNT, SHARE (0-1) or SCORE (0-100): how the values read and are drawn
    rows: tuple[Row, ...]
    total: Row | None = None  # every firm together, withheld like any row

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)

    def value(self, key: str, column: str) -> Value:
        """The value of one cell, by row key ("total" for the total row) and column id (None when withheld or absent)."""
        row = self.total if key == "total" else self.row(key)
        return None if row is None else row.values[self.columns.index(column)]


def _row(key: str, label: Any, firms: int, values: Sequence[float | int], kind: str) -> Row:
    """A row with small cells withheld: the whole row under MIN_CELL firms, and each count under MIN_CELL."""
    if firms < MIN_CELL:
        return Row(key, label, None, (None,) * len(values), True)
    if kind == COUNT:
        shown: tuple[Value, ...] = tuple(int(v) if v >= MIN_CELL else None for v in values)
    else:
        digits = 1 if kind == SCORE else 4
        shown = tuple(round(float(v), digits) for v in values)
    return Row(key, label, firms, shown, False)


def protect_column_totals(rows: Sequence[Row]) -> tuple[Row, ...]:
    """Secondary suppression for count tables whose column totals are published (or add up to a published figure).

    A column with exactly one withheld cell would give it away by subtraction, so the smallest cell shown in that
    column is withheld too. Withheld cells then read "not shown", never "fewer than 10", since a secondary one may
    be larger.
    """
    values = [list(row.values) for row in rows]
    for column in range(len(values[0]) if values else 0):
        hidden = [i for i, cells in enumerate(values) if cells[column] is None]
        shown = [i for i, cells in enumerate(values) if cells[column] is not None]
        if len(hidden) == 1 and shown:
            smallest = min(shown, key=lambda i: (values[i][column], i))
            values[smallest][column] = None
    return tuple(Row(row.key, row.label, row.firms, tuple(cells), row.suppressed) for row, cells in zip(rows, values, strict=True))


def _groups(keys: Sequence[str]) -> dict[str, np.ndarray]:
    indices: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        indices.setdefault(key, []).append(i)
    return {key: np.array(found, dtype=np.int64) for key, found in indices.items()}


def _observed_order(keys: Iterable[str]) -> list[str]:
    """Observed keys alphabetically, 'unknown' last."""
    return sorted(set(keys), key=lambda k: (k == UNKNOWN, k))


def _breakdown(
    keys: Sequence[str],
    columns: tuple[str, ...],
    kind: str,
    compute: Callable[[np.ndarray], Sequence[float | int]],
    order: Sequence[str] | None = None,
    label: Callable[[str], Any] = lambda key: key,
) -> Table:
    """One row per group of firms (in `order`, or the observed keys), each computed by `compute(indices)`."""
    groups = _groups(keys)
    empty = np.zeros(0, dtype=np.int64)
    rows = []
    for key in order if order is not None else _observed_order(keys):
        found = groups.get(key, empty)
        rows.append(_row(key, label(key), len(found), compute(found) if len(found) else (0,) * len(columns), kind))
    everyone = np.arange(len(keys), dtype=np.int64)
    total = _row("total", "total", len(keys), compute(everyone) if len(keys) else (0,) * len(columns), kind)
    return Table(columns, kind, protect_column_totals(rows) if kind == COUNT else tuple(rows), total)


def _code_label(code: str) -> Any:
    return UNKNOWN_LABEL if code == UNKNOWN else code


def _size_label(key: str) -> Any:
    return SIZE_LABELS[key]


# ---------------------------------------------------------------------------------------------------------------
# Reach preview


@dataclass(frozen=True)
class CriterionCount:
    """The most common failing (or unknown) criterion: its id and label, and how many firms; all None if withheld."""

    criterion: str | None
    label: str | None
    firms: int | None
    suppressed: bool


@dataclass(frozen=True)
class CriterionRow:
    """One criterion of the programme: how many firms fail it (unmet) and, of the needs_info ones, lack the fact."""

    criterion: str
    label: str
    unmet: int | None
    unknown: int | None


@dataclass(frozen=True)
class Reach:
    programme_id: str
    day: dt.date
    skipped: int  # stored requests that no longer validate: a data-quality count, says nothing of a firm
    outside: int  # firms outside the programme's territory: it is never shown to them, so they are not counted below
    overall: Row  # eligible / needs_info / ineligible over every re-evaluated firm
    by_country: Table
    by_size: Table
    by_stage: Table
    criteria: tuple[CriterionRow, ...]  # the programme's order, OPEN_CRITERION last
    top_failing: CriterionCount
    top_unknown: CriterionCount

    @property
    def evaluated(self) -> int | None:
        return self.overall.firms


def _profile(data: Any) -> Profile | None:
    """The profile a stored request gives today, or None when the request no longer validates."""
    try:
        request = ProfileRequest.model_validate(data)
        if request.answers and answer_problems(load_bank(), request.answers):
            return None
        return build_profile(request, load_bank())
    except ValueError:  # pydantic's ValidationError is one
        return None


def _top(counts: np.ndarray, ids: Sequence[str], labels: Sequence[str]) -> CriterionCount:
    """The criterion counted most often (the first in the programme's order on a tie), withheld under MIN_CELL."""
    best = int(np.argmax(counts)) if len(counts) else 0
    if not len(counts) or counts[best] < MIN_CELL:
        return CriterionCount(None, None, None, True)
    return CriterionCount(ids[best], labels[best], int(counts[best]), False)


def reach_preview(programme: Programme, assessments: Iterable[Assessment], day: dt.date) -> Reach:
    """How one programme would treat every firm assessed so far: eligible, needs_info or ineligible.

    Each stored request is validated again and its profile rebuilt with today's question bank; requests that no
    longer validate are skipped and counted. models.matching.verdicts_for_firms judges the programme for every
    profile, criterion by criterion, as `match` does.

    Only firms the programme reaches (models/reach.py: its territory, or a country they expand to) are counted;
    the others never see it, and are only counted as `outside`.

    The most common failing criterion counts, for each criterion, the firms for which it is unmet (a firm failing
    two criteria counts for both). The most common unknown criterion counts only needs_info firms: the fact that
    keeps them from knowing. Both are withheld (all None) when their count is under MIN_CELL.
    """
    ids = criterion_ids(programme)
    labels = [rule.text for rule in programme.rules] + [OPEN_LABEL]
    skipped = outside = 0
    outcomes: list[int] = []  # index into OUTCOMES, per firm
    countries: list[str] = []
    sizes: list[str] = []
    stages: list[str] = []
    unmet = np.zeros(len(ids), dtype=np.int64)
    unknown = np.zeros(len(ids), dtype=np.int64)
    profiles = []
    for assessment in assessments:
        profile = _profile(assessment.request)
        if profile is None:
            skipped += 1
        else:
            profiles.append(profile)
    for verdicts in verdicts_for_firms(programme, profiles, day):
        if verdicts.reach is None:
            outside += 1
            continue
        profile, statuses = verdicts.profile, verdicts.statuses
        worst = int(statuses.max())
        unmet += statuses == Status.UNMET
        if worst == Status.UNKNOWN:
            unknown += statuses == Status.UNKNOWN
        outcomes.append(worst)  # MET, UNKNOWN, UNMET: the order of OUTCOMES
        countries.append(profile.enterprise.country)
        sizes.append(size_class(profile.enterprise.employees))
        stages.append(str(profile.readiness.stage.level))

    outcome_of = np.array(outcomes, dtype=np.int64)

    def counts(found: np.ndarray) -> list[int]:
        return np.bincount(outcome_of[found], minlength=len(OUTCOMES)).tolist()

    stage_labels = {str(s.level): _l(s.label) for s in load_bank().stages}
    by_country = _breakdown(countries, OUTCOMES, COUNT, counts, label=_code_label)
    criteria = tuple(
        CriterionRow(criterion, label, int(u) if u >= MIN_CELL else None, int(k) if k >= MIN_CELL else None)
        for criterion, label, u, k in zip(ids, labels, unmet, unknown, strict=True)
    )
    return Reach(
        programme_id=programme.id,
        day=day,
        skipped=skipped,
        outside=outside,
        overall=by_country.total,  # type: ignore[arg-type]
        by_country=by_country,
        by_size=_breakdown(sizes, OUTCOMES, COUNT, counts, order=SIZE_CLASSES, label=_size_label),
        by_stage=_breakdown(stages, OUTCOMES, COUNT, counts, order=[str(s) for s in STAGES], label=lambda k: stage_labels.get(k, k)),
        criteria=criteria,
        top_failing=_top(unmet, ids, labels),
        top_unknown=_top(unknown, ids, labels),
    )


# ---------------------------------------------------------------------------------------------------------------
# Insights


@dataclass(frozen=True)
class Insights:
    total: int | None  # assessments counted (None under MIN_CELL)
    period: str  # "week" or "month": the buckets of `over_time`
    over_time: Table  # one row per period from the first assessment's to the last's; key: the period's first day
    readiness_by_country: Table  # columns READINESS_COLUMNS: mean overall score, then the mean of each dimension
    readiness_by_size: Table
    readiness_by_sector: Table  # NACE section letter, 'unknown' when not given
    most_matched: Table  # columns MATCHED_COLUMNS; the TOP_PROGRAMMES programmes matched most often
    coverage_by_country: Table  # columns CATEGORIES: share of firms shown NO eligible programme of the category
    coverage_by_region: Table  # the same by the firm's region ('unknown' when not given)
    coverage_by_size: Table
    regional_catalogue: Table  # catalogue only, no firm data: regional programmes of each kind per region; 0 is a gap
    fairness_by_size: Table  # columns FAIRNESS_COLUMNS
    fairness_by_country: Table


def _day(value: dt.datetime | dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _period_start(day: dt.date, period: str) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


def _next_period(start: dt.date, period: str) -> dt.date:
    if period == "week":
        return start + dt.timedelta(weeks=1)
    return dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)


def _period_label(start: dt.date, period: str) -> str:
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start.year}-{start.month:02d}"


def _over_time(days: Sequence[dt.date]) -> tuple[str, Table]:
    """Assessments per ISO week, or per calendar month when they span more than WEEKLY_SPAN; empty periods included."""
    if not days:
        return "week", Table(("assessments",), COUNT, (), _row("total", "total", 0, (0,), COUNT))
    first, last = min(days), max(days)
    period = "month" if last - first > WEEKLY_SPAN else "week"
    per_start = Counter(_period_start(day, period) for day in days)
    rows = []
    start = _period_start(first, period)
    while start <= last:
        count = per_start.get(start, 0)
        rows.append(_row(start.isoformat(), _period_label(start, period), count, (count,), COUNT))
        start = _next_period(start, period)
    return period, Table(("assessments",), COUNT, protect_column_totals(rows), _row("total", "total", len(days), (len(days),), COUNT))


def insights(assessments: Iterable[Assessment], programmes: Sequence[Programme]) -> Insights:
    """Aggregates over stored assessments, read from each one's stored result (what the firm was shown).

    - readiness: the mean overall and dimension scores of the stored readiness;
    - most matched: per programme, the firms it was shown to as eligible or needs_info, and those with it in their
      top 5 (rank <= 5); a programme's current name is taken from `programmes` when it is still there;
    - coverage gaps: per category, the share of firms shown no eligible programme of that category;
    - fairness, two rates side by side per group: the eligibility rate (share of firms shown at least one eligible
      programme) and the top-5 eligible share (the mean share of a firm's first five places held by an eligible
      programme; places left empty count as not eligible): how far the top of the list is usable as it stands.

    Only `request`, `result` and `created_at` are read, so any object with those attributes will do.
    """
    names = {p.id: p.name for p in programmes}
    category_index = {c: i for i, c in enumerate(CATEGORIES)}
    countries: list[str] = []
    regions: list[str] = []
    sizes: list[str] = []
    sectors: list[str] = []
    days: list[dt.date] = []
    readiness: list[list[float]] = []
    covered: list[list[bool]] = []
    any_eligible: list[bool] = []
    top_eligible: list[int] = []
    matched: Counter[str] = Counter()
    in_top: Counter[str] = Counter()
    shown_names: dict[str, str] = {}
    for assessment in assessments:
        enterprise = (assessment.request or {}).get("enterprise") or {}
        result = assessment.result
        countries.append(enterprise.get("country") or UNKNOWN)
        regions.append(enterprise.get("region") or UNKNOWN)
        sizes.append(size_class(enterprise.get("employees")))
        sectors.append(enterprise.get("sector") or UNKNOWN)
        days.append(_day(assessment.created_at))
        scores = result["readiness"]
        readiness.append([scores["overall"], *(scores["dimensions"][d] for d in DIMENSIONS)])
        categories = [False] * len(CATEGORIES)
        eligible_places = 0
        for shown in result.get("matches", ()):
            programme_id = shown["programme_id"]
            if shown["eligibility"] not in ("eligible", "needs_info"):
                continue
            matched[programme_id] += 1
            shown_names.setdefault(programme_id, shown.get("name") or programme_id)
            top = shown.get("rank") is not None and shown["rank"] <= TOP_PLACES
            in_top[programme_id] += top
            if shown["eligibility"] == "eligible":
                categories[category_index[shown["category"]]] = True
                eligible_places += top
        covered.append(categories)
        any_eligible.append(any(categories))
        top_eligible.append(eligible_places)

    scores_of = np.array(readiness, dtype=float).reshape(-1, len(READINESS_COLUMNS))
    gaps_of = ~np.array(covered, dtype=bool).reshape(-1, len(CATEGORIES))
    fairness_of = np.column_stack([np.array(any_eligible, dtype=float), np.array(top_eligible, dtype=float) / TOP_PLACES])

    def means(found: np.ndarray) -> list[float]:
        return scores_of[found].mean(axis=0).tolist()

    def gaps(found: np.ndarray) -> list[float]:
        return gaps_of[found].mean(axis=0).tolist()

    def rates(found: np.ndarray) -> list[float]:
        return fairness_of[found].mean(axis=0).tolist()

    top = sorted(matched, key=lambda pid: (-matched[pid], -in_top[pid], pid))[:TOP_PROGRAMMES]
    most_matched = Table(
        MATCHED_COLUMNS,
        COUNT,
        tuple(_row(pid, names.get(pid) or shown_names[pid], matched[pid], (matched[pid], in_top[pid]), COUNT) for pid in top),
    )
    period, over_time = _over_time(days)
    return Insights(
        total=len(days) if len(days) >= MIN_CELL else None,
        period=period,
        over_time=over_time,
        readiness_by_country=_breakdown(countries, READINESS_COLUMNS, SCORE, means, label=_code_label),
        readiness_by_size=_breakdown(sizes, READINESS_COLUMNS, SCORE, means, order=SIZE_CLASSES, label=_size_label),
        readiness_by_sector=_breakdown(sectors, READINESS_COLUMNS, SCORE, means, label=_code_label),
        most_matched=most_matched,
        coverage_by_country=_breakdown(countries, CATEGORIES, SHARE, gaps, label=_code_label),
        coverage_by_region=_breakdown(regions, CATEGORIES, SHARE, gaps, label=_code_label),
        coverage_by_size=_breakdown(sizes, CATEGORIES, SHARE, gaps, order=SIZE_CLASSES, label=_size_label),
        regional_catalogue=regional_catalogue(programmes, [r for r in regions if r != UNKNOWN]),
        fairness_by_size=_breakdown(sizes, FAIRNESS_COLUMNS, SHARE, rates, order=SIZE_CLASSES, label=_size_label),
        fairness_by_country=_breakdown(countries, FAIRNESS_COLUMNS, SHARE, rates, label=_code_label),
    )


def regional_catalogue(programmes: Sequence[Programme], firm_regions: Iterable[str] = ()) -> Table:
    """Per region, how many regional programmes of each kind serve it: the regions the catalogue names and those
    firms gave. A region given by firms with no regional programme at all shows as a row of zeros.

    Catalogue facts, not firm data: nothing is withheld. A firm's region counts a programme of a larger region
    holding it (Paris counts the Île-de-France programmes). A programme naming many regions (Greater London's 33
    codes) is one row, under its first code, labelled with how many more it holds."""
    regional = [p for p in programmes if p.territory.regions]
    labels: dict[str, str] = {}
    for p in regional:
        codes = sorted(p.territory.regions)
        if len(codes) > MAX_LISTED_REGIONS:
            labels[codes[0]] = _l("%(region)s and %(num)d more areas", region=_region_label(codes[0]), num=len(codes) - 1)
        else:
            labels.update((code, _region_label(code)) for code in codes)
    for code in firm_regions:
        labels.setdefault(code, _region_label(code))
    rows = []
    for key in sorted(labels):
        inside = region_and_parents(key) if is_region(key) else {key}
        counts = [sum(1 for p in regional if p.category == c and not inside.isdisjoint(p.territory.regions)) for c in CATEGORIES]
        rows.append(Row(key, labels[key], None, tuple(counts), False))
    return Table(CATEGORIES, CATALOGUE_COUNT, tuple(rows))


def _region_label(code: str) -> str:
    found = pycountry.subdivisions.get(code=code) if is_region(code) else None
    return f"{found.name} ({code})" if found else code


def stored_assessments(batch: int = 500) -> Iterator[Assessment]:
    """Every stored assessment, read in batches so that memory stays flat however many there are."""
    return iter(db.session.scalars(select(Assessment).order_by(Assessment.created_at).execution_options(yield_per=batch)))

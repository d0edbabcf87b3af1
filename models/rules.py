"""The registry of eligibility rule types and their three-valued evaluation.

A programme stores each rule as a type name and parameters (programmes/rule_types.py). Here each type is one
small class, registered under that name, that answers two questions:

- `check(rule, facts)`: for one programme, met / unmet / unknown with a sentence a person understands; this is
  what explanations show;
- `evaluate(rules, facts)`: the same decision for many rules of this type at once, as a numpy array, so a
  profile is matched against a whole compiled catalogue in a handful of vector operations.

The two must agree; a property test checks that they do. When a rule is unknown, `ask` names the profile
question that would settle it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar

import numpy as np

from models.profile import Money, Profile
from models.text import N_, Text
from programmes.codes import region_and_parents
from programmes.rates import to_eur
from programmes.vocabulary import GOALS, NACE_SECTIONS, expand_countries


class Status(IntEnum):
    """Ordered so that combining criteria is a max (any unmet wins) and any_of is a min (any met wins)."""

    MET = 0
    UNKNOWN = 1
    UNMET = 2

    @property
    def word(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Facts:
    """What the rules read from a profile, computed once per match (amounts already in euros)."""

    day: dt.date
    country: str
    region: str | None
    sector: str | None
    employees: int | None
    turnover: Money | None
    turnover_eur: float | None
    balance_sheet_eur: float | None
    age_years: int | None
    growth_pct: float | None
    independent: bool | None
    scores: dict[str, int]
    goals: frozenset[str]
    expansion_countries: frozenset[str] = frozenset()

    @classmethod
    def of(cls, profile: Profile, day: dt.date) -> Facts:
        e = profile.enterprise
        return cls(
            day=day,
            country=e.country,
            region=e.region,
            sector=e.sector,
            employees=e.employees,
            turnover=e.turnover,
            turnover_eur=e.turnover_eur(day),
            balance_sheet_eur=e.balance_sheet_eur(day),
            age_years=e.age_years(day),
            growth_pct=e.growth_pct,
            independent=e.independent,
            scores=dict(profile.readiness.dimensions),
            goals=profile.goals,
            expansion_countries=frozenset(e.expansion_countries),
        )


@dataclass(frozen=True)
class Verdict:
    status: Status
    detail: Text
    ask: str | None = None


MET, UNKNOWN, UNMET = Status.MET, Status.UNKNOWN, Status.UNMET
# The same as plain int8 numbers for vector code: numpy looks up array attributes on every Python object it is given,
# and an IntEnum answers those look-ups slowly (through EnumType.__getattr__), which showed in the batch's profile.
V_MET, V_UNKNOWN, V_UNMET = np.int8(0), np.int8(1), np.int8(2)
_NAN = float("nan")


def _known(array: np.ndarray) -> np.ndarray:
    return ~np.isnan(array)


def _compare(value: float | None, limits: np.ndarray, passes: Callable[[float, np.ndarray], np.ndarray]) -> np.ndarray:
    """Vector status of `passes(value, limit)`; unknown when the value is missing."""
    if value is None:
        return np.full(limits.shape, V_UNKNOWN, dtype=np.int8)
    return np.where(passes(value, limits), V_MET, V_UNMET).astype(np.int8)


class RuleType:
    name: ClassVar[str]
    ask: ClassVar[str | None] = None  # the profile question that settles an unknown

    def check(self, rule: Any, facts: Facts) -> Verdict:
        raise NotImplementedError

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        """Parameters of many rules as arrays; `day` fixes the currency rates used."""
        return rules

    def evaluate(self, compiled: Any, facts: Facts) -> np.ndarray:
        """Default: one scalar check per rule (for types too rare to be worth vectorising)."""
        return np.array([self.check(rule, facts).status for rule in compiled], dtype=np.int8)


REGISTRY: dict[str, RuleType] = {}


def register(cls: type[RuleType]) -> type[RuleType]:
    REGISTRY[cls.name] = cls()
    return cls


def rule_type(name: str) -> RuleType:
    return REGISTRY[name]


class _CountrySet(RuleType):
    include: ClassVar[bool]

    def check(self, rule: Any, facts: Facts) -> Verdict:
        inside = facts.country in expand_countries(rule.countries)
        status = MET if inside == self.include else UNMET
        return Verdict(status, Text(N_("Your business is established in %(country)s"), {"country": facts.country}))

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        """A boolean matrix (rule x country) over the countries the rules name, so a look-up is one column."""
        members = [expand_countries(r.countries) for r in rules]
        columns = {code: i for i, code in enumerate(sorted(set().union(*members)))}
        matrix = np.zeros((len(rules), len(columns)), dtype=bool)
        for row, codes in enumerate(members):
            matrix[row, [columns[c] for c in codes]] = True
        return columns, matrix

    def evaluate(self, compiled: Any, facts: Facts) -> np.ndarray:
        columns, matrix = compiled
        column = columns.get(facts.country)
        inside = matrix[:, column] if column is not None else np.zeros(len(matrix), dtype=bool)
        return np.where(inside == self.include, V_MET, V_UNMET).astype(np.int8)


@register
class CountryIn(_CountrySet):
    name = "country_in"
    include = True


@register
class CountryNotIn(_CountrySet):
    name = "country_not_in"
    include = False


@register
class OperatesIn(_CountrySet):
    """Met when the firm is established in one of the countries or said it is expanding to one of them."""

    name = "operates_in"
    include = True

    def check(self, rule: Any, facts: Facts) -> Verdict:
        members = expand_countries(rule.countries)
        if facts.country in members:
            return Verdict(MET, Text(N_("Your business is established in %(country)s"), {"country": facts.country}))
        wanted = sorted(facts.expansion_countries & members)
        if wanted:
            return Verdict(MET, Text(N_("You plan to expand to %(countries)s"), {"countries": ", ".join(wanted)}))
        return Verdict(UNMET, Text(N_("Your business is established in %(country)s"), {"country": facts.country}))

    def evaluate(self, compiled: Any, facts: Facts) -> np.ndarray:
        columns, matrix = compiled
        hits = [columns[c] for c in {facts.country, *facts.expansion_countries} if c in columns]
        inside = matrix[:, hits].any(axis=1) if hits else np.zeros(len(matrix), dtype=bool)
        return np.where(inside, V_MET, V_UNMET).astype(np.int8)


def larger_regions(regions: Sequence[str]) -> frozenset[str]:
    """The regions that contain one of `regions` without being one (England for a London borough)."""
    found: set[str] = set()
    for region in regions:
        found |= region_and_parents(region) - {region}
    return frozenset(found) - set(regions)


class _RegionSet(RuleType):
    """A firm in one of the regions (or in a region inside one) meets region_in; a firm that gave only a larger
    region holding one of them (England, for a London programme) is unknown: it may be inside, and naming its
    smaller region settles it."""

    include: ClassVar[bool]
    ask = "region"

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        """Boolean matrices (rule x region, rule x larger region, rule x country), so a look-up is a few columns."""
        regions = sorted({r for rule in rules for r in rule.regions})
        columns = {code: i for i, code in enumerate(regions)}
        larger = sorted(set().union(*(larger_regions(rule.regions) for rule in rules)))
        larger_columns = {code: i for i, code in enumerate(larger)}
        countries = sorted({r.split("-")[0] for r in regions})
        country_columns = {code: i for i, code in enumerate(countries)}
        by_region = np.zeros((len(rules), len(regions)), dtype=bool)
        by_larger = np.zeros((len(rules), len(larger)), dtype=bool)
        by_country = np.zeros((len(rules), len(countries)), dtype=bool)
        for row, rule in enumerate(rules):
            by_region[row, [columns[r] for r in rule.regions]] = True
            by_larger[row, [larger_columns[r] for r in larger_regions(rule.regions)]] = True
            by_country[row, [country_columns[r.split("-")[0]] for r in rule.regions]] = True
        return columns, by_region, larger_columns, by_larger, country_columns, by_country

    def evaluate(self, compiled: Any, facts: Facts) -> np.ndarray:
        columns, by_region, larger_columns, by_larger, country_columns, by_country = compiled
        column = country_columns.get(facts.country)
        in_country = by_country[:, column] if column is not None else np.zeros(len(by_country), dtype=bool)
        outside = V_UNMET if self.include else V_MET
        if facts.region is None:
            return np.where(in_country, V_UNKNOWN, outside).astype(np.int8)
        hits = [columns[r] for r in region_and_parents(facts.region) if r in columns]
        inside = by_region[:, hits].any(axis=1) if hits else np.zeros(len(by_region), dtype=bool)
        larger = larger_columns.get(facts.region)
        maybe = by_larger[:, larger] & ~inside if larger is not None else np.zeros(len(by_region), dtype=bool)
        decided = np.where(maybe, V_UNKNOWN, np.where(inside == self.include, V_MET, V_UNMET))
        return np.where(in_country, decided, outside).astype(np.int8)

    def check(self, rule: Any, facts: Facts) -> Verdict:
        countries = {r.split("-")[0] for r in rule.regions}
        if facts.country not in countries:
            status = UNMET if self.include else MET
            return Verdict(status, Text(N_("Your business is established in %(country)s"), {"country": facts.country}))
        if facts.region is None:
            return Verdict(UNKNOWN, Text(N_("Your region is not known")), self.ask)
        inside = not region_and_parents(facts.region).isdisjoint(rule.regions)
        if not inside and facts.region in larger_regions(rule.regions):
            return Verdict(
                UNKNOWN,
                Text(
                    N_("You gave %(region)s, which is larger than the area this serves: name your smaller region"), {"region": facts.region}
                ),
                self.ask,
            )
        status = MET if inside == self.include else UNMET
        return Verdict(status, Text(N_("Your business is in %(region)s"), {"region": facts.region}))


@register
class RegionIn(_RegionSet):
    name = "region_in"
    include = True


@register
class RegionNotIn(_RegionSet):
    name = "region_not_in"
    include = False


class _Bound(RuleType):
    """A numeric fact compared with a limit per rule; subclasses say which fact and which comparison."""

    def fact(self, facts: Facts) -> float | None:
        raise NotImplementedError

    def passes(self, value: float, limit: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def limit(self, rule: Any, day: dt.date) -> float:
        raise NotImplementedError

    def describe(self, rule: Any, facts: Facts) -> Text:
        raise NotImplementedError

    def unknown_text(self) -> Text:
        raise NotImplementedError

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        return np.array([self.limit(r, day) for r in rules], dtype=float)

    def evaluate(self, compiled: Any, facts: Facts) -> np.ndarray:
        return _compare(self.fact(facts), compiled, self.passes)

    def check(self, rule: Any, facts: Facts) -> Verdict:
        value = self.fact(facts)
        if value is None:
            return Verdict(UNKNOWN, self.unknown_text(), self.ask)
        met = bool(self.passes(value, np.array([self.limit(rule, facts.day)]))[0])
        return Verdict(MET if met else UNMET, self.describe(rule, facts))


class _Employees(_Bound):
    ask = "employees"

    def fact(self, facts: Facts) -> float | None:
        return facts.employees

    def limit(self, rule: Any, day: dt.date) -> float:
        return float(rule.limit)

    def unknown_text(self) -> Text:
        return Text(N_("Your number of employees is not known"))

    def describe(self, rule: Any, facts: Facts) -> Text:
        return Text(N_("%(employees)s employees, limit %(limit)s"), {"employees": facts.employees, "limit": rule.limit})


@register
class MaxEmployees(_Employees):
    name = "max_employees"

    def passes(self, value: float, limit: np.ndarray) -> np.ndarray:
        return value < limit


@register
class MinEmployees(_Employees):
    name = "min_employees"

    def passes(self, value: float, limit: np.ndarray) -> np.ndarray:
        return value >= limit


class _Turnover(_Bound):
    ask = "annual_turnover"

    def fact(self, facts: Facts) -> float | None:
        return facts.turnover_eur

    def limit(self, rule: Any, day: dt.date) -> float:
        eur = to_eur(rule.amount, rule.currency, day)
        # A limit in a currency without a rate cannot be compared: NaN makes every comparison fail safe (unmet
        # for max, unmet for min), and `catalogue check` reports such currencies before they are published.
        return _NAN if eur is None else eur

    def unknown_text(self) -> Text:
        return Text(N_("Your annual turnover is not known"))

    def describe(self, rule: Any, facts: Facts) -> Text:
        assert facts.turnover is not None
        return Text(
            N_("Turnover %(currency)s %(amount)s, limit %(limit_currency)s %(limit)s"),
            {"currency": facts.turnover.currency, "amount": facts.turnover.amount, "limit_currency": rule.currency, "limit": rule.amount},
        )


@register
class MaxTurnover(_Turnover):
    name = "max_turnover"

    def passes(self, value: float, limit: np.ndarray) -> np.ndarray:
        return value <= limit


@register
class MinTurnover(_Turnover):
    name = "min_turnover"

    def passes(self, value: float, limit: np.ndarray) -> np.ndarray:
        return value >= limit


@register
class MaxBalanceSheet(_Bound):
    name = "max_balance_sheet"
    ask = "balance_sheet_total"

    def fact(self, facts: Facts) -> float | None:
        return facts.balance_sheet_eur

    def limit(self, rule: Any, day: dt.date) -> float:
        eur = to_eur(rule.amount, rule.currency, day)
        return _NAN if eur is None else eur

    def passes(self, value: float, limit: np.ndarray) -> np.ndarray:
        return value <= limit

    def unknown_text(self) -> Text:
        return Text(N_("Your balance-sheet total is not known"))

    def describe(self, rule: Any, facts: Facts) -> Text:
        return Text(
            N_("Balance-sheet total EUR %(amount)s, limit %(limit_currency)s %(limit)s"),
            {"amount": round(facts.balance_sheet_eur or 0), "limit_currency": rule.currency, "limit": rule.amount},
        )


def fits_under(facts: Facts, staff_below: float, turnover_max: float, balance_max: float) -> Status:
    """Three-valued size test of the EU definitions: fewer staff than `staff_below`, and turnover or balance-sheet
    total (either is enough) within its ceiling. Used by the sme_definition rule and by models/firm_size.py."""

    def within(value: float | None, limit: float, below: bool) -> Status:
        if value is None:
            return UNKNOWN
        return MET if (value < limit if below else value <= limit) else UNMET

    money = min(within(facts.turnover_eur, turnover_max, False), within(facts.balance_sheet_eur, balance_max, False))
    return max(within(facts.employees, staff_below, True), money)


@register
class SmeDefinition(RuleType):
    """Fewer than 250 employees, and turnover <= EUR 50M or balance-sheet total <= EUR 43M.

    The financial test passes on either figure, so it is unmet only when both are known and both too high."""

    name = "sme_definition"

    def _status(self, facts: Facts, max_employees: np.ndarray, max_turnover: np.ndarray, max_balance: np.ndarray) -> np.ndarray:
        staff = _compare(facts.employees, max_employees, lambda v, lim: v < lim)
        turnover_ok = _compare(facts.turnover_eur, max_turnover, lambda v, lim: v <= lim)
        balance_ok = _compare(facts.balance_sheet_eur, max_balance, lambda v, lim: v <= lim)
        money = np.minimum(turnover_ok, balance_ok)  # either test passing is enough
        return np.maximum(staff, money)

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        return tuple(
            np.array([getattr(r, field) for r in rules], dtype=float)
            for field in ("max_employees", "max_turnover_eur", "max_balance_sheet_eur")
        )

    def evaluate(self, compiled: Any, facts: Facts) -> np.ndarray:
        return self._status(facts, *compiled)

    def check(self, rule: Any, facts: Facts) -> Verdict:
        # The same decision as `_status`, in plain Python: explanations are written one criterion at a time.
        status = fits_under(facts, rule.max_employees, rule.max_turnover_eur, rule.max_balance_sheet_eur)
        if facts.employees is not None and facts.employees >= rule.max_employees:
            return Verdict(
                status, Text(N_("%(employees)s employees, limit %(limit)s"), {"employees": facts.employees, "limit": rule.max_employees})
            )
        if status is UNKNOWN:
            ask = "employees" if facts.employees is None else "annual_turnover" if facts.turnover_eur is None else "balance_sheet_total"
            return Verdict(status, Text(N_("Your employees, turnover or balance-sheet total are not all known")), ask)
        if status is UNMET:
            return Verdict(
                status,
                Text(
                    N_("Turnover above EUR %(turnover)s and balance-sheet total above EUR %(balance)s"),
                    {"turnover": rule.max_turnover_eur, "balance": rule.max_balance_sheet_eur},
                ),
            )
        return Verdict(status, Text(N_("%(employees)s employees, within the EU SME limits"), {"employees": facts.employees}))


class _SectorSet(RuleType):
    include: ClassVar[bool]
    ask = "sector"

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        bits = {s: 1 << i for i, s in enumerate(NACE_SECTIONS)}
        return np.array([sum(bits[s] for s in set(r.sections)) for r in rules], dtype=np.int64)

    def evaluate(self, compiled: Any, facts: Facts) -> np.ndarray:
        if facts.sector is None:
            return np.full(compiled.shape, V_UNKNOWN, dtype=np.int8)
        inside = (compiled & (1 << NACE_SECTIONS.index(facts.sector))) != 0
        return np.where(inside == self.include, V_MET, V_UNMET).astype(np.int8)

    def check(self, rule: Any, facts: Facts) -> Verdict:
        if facts.sector is None:
            return Verdict(UNKNOWN, Text(N_("Your sector is not known")), self.ask)
        inside = facts.sector in rule.sections
        return Verdict(
            MET if inside == self.include else UNMET, Text(N_("Your sector is NACE section %(sector)s"), {"sector": facts.sector})
        )


@register
class SectorIn(_SectorSet):
    name = "sector_in"
    include = True


@register
class SectorNotIn(_SectorSet):
    name = "sector_not_in"
    include = False


class _Age(_Bound):
    ask = "founded_year"

    def fact(self, facts: Facts) -> float | None:
        return facts.age_years

    def limit(self, rule: Any, day: dt.date) -> float:
        return float(rule.years)

    def unknown_text(self) -> Text:
        return Text(N_("The year your business was founded is not known"))

    def describe(self, rule: Any, facts: Facts) -> Text:
        return Text(N_("Founded %(age)s years ago, limit %(limit)s years"), {"age": facts.age_years, "limit": rule.years})


@register
class MinAge(_Age):
    name = "min_age_years"

    def passes(self, value: float, limit: np.ndarray) -> np.ndarray:
        return value >= limit


@register
class MaxAge(_Age):
    name = "max_age_years"

    def passes(self, value: float, limit: np.ndarray) -> np.ndarray:
        return value <= limit


@register
class MinGrowth(_Bound):
    name = "min_growth"
    ask = "annual_growth_pct"

    def fact(self, facts: Facts) -> float | None:
        return facts.growth_pct

    def limit(self, rule: Any, day: dt.date) -> float:
        return float(rule.pct)

    def passes(self, value: float, limit: np.ndarray) -> np.ndarray:
        return value >= limit

    def unknown_text(self) -> Text:
        return Text(N_("Your growth over the last three years is not known"))

    def describe(self, rule: Any, facts: Facts) -> Text:
        return Text(N_("Growing %(growth)s %% a year, threshold %(limit)s %%"), {"growth": facts.growth_pct, "limit": rule.pct})


@register
class Independent(RuleType):
    name = "independent"
    ask = "independent"

    def check(self, rule: Any, facts: Facts) -> Verdict:
        if facts.independent is None:
            return Verdict(UNKNOWN, Text(N_("Whether a large enterprise owns 25 % or more of your business is not known")), self.ask)
        if facts.independent:
            return Verdict(MET, Text(N_("Your business is independent")))
        return Verdict(UNMET, Text(N_("A large enterprise owns 25 % or more of your business")))

    def evaluate(self, compiled: Any, facts: Facts) -> np.ndarray:
        status = V_UNKNOWN if facts.independent is None else V_MET if facts.independent else V_UNMET
        return np.full(len(compiled), status, dtype=np.int8)


class _Readiness(RuleType):
    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        return [r.dimension for r in rules], np.array([r.score for r in rules], dtype=float)

    def evaluate(self, compiled: Any, facts: Facts) -> np.ndarray:
        dimensions, limits = compiled
        scores = np.array([facts.scores[d] for d in dimensions], dtype=float)
        return np.where(self.passes(scores, limits), V_MET, V_UNMET).astype(np.int8)

    def passes(self, scores: np.ndarray, limits: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def check(self, rule: Any, facts: Facts) -> Verdict:
        score = facts.scores[rule.dimension]
        met = bool(self.passes(np.array([score]), np.array([rule.score]))[0])
        return Verdict(
            MET if met else UNMET,
            Text(
                N_("Your %(dimension)s readiness is %(score)s, threshold %(limit)s"),
                {"dimension": rule.dimension, "score": score, "limit": rule.score},
            ),
        )


@register
class MinReadiness(_Readiness):
    name = "min_readiness"

    def passes(self, scores: np.ndarray, limits: np.ndarray) -> np.ndarray:
        return scores >= limits


@register
class MaxReadiness(_Readiness):
    name = "max_readiness"

    def passes(self, scores: np.ndarray, limits: np.ndarray) -> np.ndarray:
        return scores <= limits


@register
class RequiresGoal(RuleType):
    name = "requires_goal"
    ask = "goals"

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        return np.array([sum(1 << GOALS.index(g) for g in set(r.goals)) for r in rules], dtype=np.int64)

    def evaluate(self, compiled: Any, facts: Facts) -> np.ndarray:
        mask = sum(1 << GOALS.index(g) for g in facts.goals)
        return np.where((compiled & mask) != 0, V_MET, V_UNMET).astype(np.int8)

    def check(self, rule: Any, facts: Facts) -> Verdict:
        if set(rule.goals) & facts.goals:
            return Verdict(MET, Text(N_("You said you want help with this")))
        return Verdict(UNMET, Text(N_("You did not say you want help with this")))


@register
class Unconfirmed(RuleType):
    name = "unconfirmed"

    def check(self, rule: Any, facts: Facts) -> Verdict:
        return Verdict(UNKNOWN, Text(N_("Tremplin cannot check this: confirm it with the programme's operator")))

    def evaluate(self, compiled: Any, facts: Facts) -> np.ndarray:
        return np.full(len(compiled), V_UNKNOWN, dtype=np.int8)


@register
class AnyOf(RuleType):
    """Met if any part is met; unknown if none is met and some part is unknown; unmet if every part is unmet."""

    name = "any_of"

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        parts = [(owner, part) for owner, rule in enumerate(rules) for part in rule.rules]
        return len(rules), compile_rule_set(parts, day)

    def evaluate(self, compiled: Any, facts: Facts) -> np.ndarray:
        count, parts = compiled
        result = np.full(count, V_UNMET, dtype=np.int8)
        for group in parts:
            group.fold(result, group.evaluate(facts), np.minimum)
        return result

    def check(self, rule: Any, facts: Facts) -> Verdict:
        verdicts = [REGISTRY[part.type].check(part, facts) for part in rule.rules]
        best = min(verdicts, key=lambda v: v.status)
        return Verdict(best.status, best.detail, best.ask if best.status is UNKNOWN else None)


@dataclass(frozen=True)
class RuleGroup:
    """All rules of one type in a catalogue, compiled: who owns each, and their parameters as arrays."""

    owners: np.ndarray
    type_name: str
    params: Any
    unique_owners: bool  # no owner has two rules of this type: plain fancy indexing is then enough

    def evaluate(self, facts: Facts) -> np.ndarray:
        return REGISTRY[self.type_name].evaluate(self.params, facts)

    def fold(self, target: np.ndarray, values: np.ndarray, ufunc: np.ufunc) -> None:
        """target[owner] = ufunc(target[owner], value) for every rule; ufunc.at only when owners repeat."""
        if self.unique_owners:
            target[self.owners] = ufunc(target[self.owners], values)
        else:
            ufunc.at(target, self.owners, values)


CompiledRules = list[RuleGroup]


def compile_rule_set(owned_rules: Sequence[tuple[int, Any]], day: dt.date) -> CompiledRules:
    """Group (owner index, rule) pairs by type, each group compiled once."""
    by_type: dict[str, list[tuple[int, Any]]] = {}
    for owner, rule in owned_rules:
        by_type.setdefault(rule.type, []).append((owner, rule))
    groups = []
    for name, pairs in sorted(by_type.items()):
        owners = np.array([o for o, _ in pairs], dtype=np.int64)
        params = REGISTRY[name].compile([r for _, r in pairs], day)
        groups.append(RuleGroup(owners, name, params, len(np.unique(owners)) == len(owners)))
    return groups


def evaluate_rule_set(compiled: CompiledRules, count: int, facts: Facts) -> np.ndarray:
    """The combined status per owner: the worst of its rules (MET when it has none)."""
    result = np.zeros(count, dtype=np.int8)
    for group in compiled:
        group.fold(result, group.evaluate(facts), np.maximum)
    return result

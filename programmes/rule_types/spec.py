"""What one eligibility rule type is: a `RuleSpec`, everything about the type in one place.

A spec holds the type's parameter model (pydantic, validated when a programme is loaded), its evaluator (the
decision for one rule and for many at once), the editor's parameter fields and labels, and whether a firm that
fails it could act on that. The sentences a rule writes are message ids with %(…)s parameters, marked with `N_`
so pybabel extracts them; the web layer translates them.

This package sits at the bottom layer (programmes), so it imports neither models nor webapp: an evaluator reads
the profile's facts through the `FactsView` protocol (models.rules.Facts is one) and answers with a `Finding`
(status, message id, parameters, question), which models.rules turns into its Verdict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name (pybabel's -k N_)
    return message


# Three-valued statuses as int8, ordered so that combining criteria is a max (any unmet wins) and any_of is a min
# (any met wins); models.rules.Status has the same values. Plain int8, not an IntEnum: numpy looks up array
# attributes on every Python object it is given, and an IntEnum answers those look-ups slowly.
MET, UNKNOWN, UNMET = np.int8(0), np.int8(1), np.int8(2)
NAN = float("nan")


class FactsView(Protocol):
    """What an evaluator may read of a profile (models.rules.Facts, computed once per match; amounts in euros)."""

    day: dt.date
    country: str
    region: str | None
    sector: str | None
    employees: int | None
    turnover: Any  # models.profile.Money (amount, currency) or None
    turnover_eur: float | None
    balance_sheet_eur: float | None
    age_years: int | None
    growth_pct: float | None
    independent: bool | None
    scores: Mapping[str, int]
    goals: frozenset[str]
    expansion_countries: frozenset[str]


@dataclass(frozen=True)
class Finding:
    """One rule's decision for one firm: a status, the sentence that says why (a message id and its parameters),
    and, when the status is unknown, the profile question that settles it."""

    status: np.int8
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)
    ask: str | None = None


class BaseRule(BaseModel):
    """The fields every rule has: its type name (a Literal on each subclass) and the sentence a person reads."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(min_length=3, max_length=500, description="The criterion as a person reads it.")


class Evaluator:
    """The decision of one rule type. `check` decides one rule (for explanations); `evaluate` decides many at once,
    from what `compile` made of their parameters, as an int8 array (for matching a whole catalogue). The two must
    agree; a property test checks that they do."""

    ask: ClassVar[str | None] = None  # the profile question that settles an unknown

    def check(self, rule: Any, facts: FactsView) -> Finding:
        raise NotImplementedError

    def compile(self, rules: Sequence[Any], day: dt.date) -> Any:
        """Parameters of many rules as arrays; `day` fixes the currency rates used."""
        return rules

    def evaluate(self, compiled: Any, facts: FactsView) -> np.ndarray:
        """Default: one scalar check per rule (for types too rare to be worth vectorising)."""
        return np.array([self.check(rule, facts).status for rule in compiled], dtype=np.int8)


def compare(value: float | None, limits: np.ndarray, passes: Callable[[float, np.ndarray], np.ndarray]) -> np.ndarray:
    """Vector status of `passes(value, limit)`; unknown when the value is missing."""
    if value is None:
        return np.full(limits.shape, UNKNOWN, dtype=np.int8)
    return np.where(passes(value, limits), MET, UNMET).astype(np.int8)


ParameterKind = Literal["codes", "code", "whole", "decimal", "dimension"]


@dataclass(frozen=True)
class Parameter:
    """One parameter as the curation editor shows it. Rule types that share a parameter (max_employees and
    min_employees both take `limit`) share this object, since the editor has one field per parameter name.

    kind: "codes" (a list typed with commas; upper-cased unless `upper` is False), "code" (one upper-case code),
    "whole" or "decimal" (a number typed as text), "dimension" (a readiness area, chosen from a list).
    The strings are message ids (marked with N_): `label` and `hint` for the field; `invalid` when a number is
    typed wrong; `missing` when the schema needs it and it is blank; `called` when the label reads badly in a
    sentence ("%(label)s must be 100 or less"); `placeholder` for a list's empty choice."""

    name: str
    kind: ParameterKind
    label: str
    hint: str | None = None
    invalid: str | None = None
    missing: str | None = None
    called: str | None = None
    placeholder: str | None = None
    upper: bool = True


@dataclass(frozen=True)
class RuleSpec:
    """Everything about one rule type.

    `label` is what the editor offers; `location` marks a rule about where the firm is (a failure puts the
    programme far out of reach); `actionable` is False when a firm that fails it cannot change that (where it is,
    its sector, how old or how ready it already is), so the refusal is not shown as a near miss;
    `territory_countries`, for a rule that admits firms of some countries, names them (a programme must have
    such a rule naming a country it serves). `order` places the type in the editor's list."""

    name: str
    order: int
    model: type[BaseRule]
    evaluator: Evaluator
    label: str
    parameters: tuple[Parameter, ...] = ()
    location: bool = False
    actionable: bool = True
    territory_countries: Callable[[Any], frozenset[str]] | None = None

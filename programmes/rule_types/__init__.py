"""Eligibility rule types: one `RuleSpec` each (programmes/rule_types/spec.py), registered once.

A programme stores a rule as its type name, its parameters and the sentence a person reads, e.g.

    - type: max_employees
      limit: 250
      text: Fewer than 250 employees (EU SME definition).

Each module of this package holds whole rule types (employees.py holds max_employees and min_employees): the
parameter model, the evaluator, the editor's fields and labels and the sentences the rule writes. Everything
else is derived from `SPECS`: the `Rule` union the schema validates, `RULE_TYPE_NAMES`, models.rules' registry,
the editor's parameter fields and messages, which rule types are about location and which a firm could act on.
docs/catalogue.md ("How to add a rule type") walks through one.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from programmes.rule_types.any_of import SPEC as ANY_OF_SPEC
from programmes.rule_types.any_of import AnyOf
from programmes.rule_types.registry import PARAMETERS, SIMPLE_SPECS, SimpleRule
from programmes.rule_types.spec import Parameter, RuleSpec

SPECS: dict[str, RuleSpec] = {**SIMPLE_SPECS, ANY_OF_SPEC.name: ANY_OF_SPEC}
RULE_TYPE_NAMES: tuple[str, ...] = tuple(SPECS)
SIMPLE_RULE_TYPES: tuple[str, ...] = tuple(SIMPLE_SPECS)

Rule = Annotated[SimpleRule | AnyOf, Field(discriminator="type")]  # type: ignore[valid-type]  # a union built at import

LOCATION_RULES: frozenset[str] = frozenset(name for name, spec in SPECS.items() if spec.location)
NOT_ACTIONABLE_RULES: frozenset[str] = frozenset(name for name, spec in SPECS.items() if not spec.actionable)
# Rules that admit the firms of some countries: a programme needs one naming a country it serves.
TERRITORY_RULES: frozenset[str] = frozenset(name for name, spec in SPECS.items() if spec.territory_countries)

__all__ = [
    "LOCATION_RULES",
    "NOT_ACTIONABLE_RULES",
    "PARAMETERS",
    "RULE_TYPE_NAMES",
    "SIMPLE_RULE_TYPES",
    "SPECS",
    "TERRITORY_RULES",
    "AnyOf",
    "Parameter",
    "Rule",
    "RuleSpec",
    "SimpleRule",
]

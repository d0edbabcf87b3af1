"""Rules on the number of employees: max_employees (fewer than a limit), min_employees (at least a limit)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from programmes.rule_types.bound import AT_LEAST, BELOW, Bound
from programmes.rule_types.spec import N_, BaseRule, FactsView, Parameter, RuleSpec

LIMIT = Parameter(
    "limit",
    "whole",
    N_("Employee limit"),
    hint=N_("A whole number of employees, like 250."),
    invalid=N_("Enter the employee limit as a whole number, like 250"),
    missing=N_("Enter the employee limit for this rule"),
    called=N_("The employee limit"),
)


class MaxEmployees(BaseRule):
    """Open to firms with fewer than `limit` employees (full-time equivalents)."""

    type: Literal["max_employees"]
    limit: int = Field(gt=0)


class MinEmployees(BaseRule):
    """Open to firms with at least `limit` employees."""

    type: Literal["min_employees"]
    limit: int = Field(ge=0)


def employees(passes: Any) -> Bound:
    def describe(rule: Any, facts: FactsView) -> tuple[str, dict[str, Any]]:
        return N_("%(employees)s employees, limit %(limit)s"), {"employees": facts.employees, "limit": rule.limit}

    return Bound(
        "employees",
        lambda facts: facts.employees,
        lambda rule, day: float(rule.limit),
        passes,
        N_("Your number of employees is not known"),
        describe,
    )


SPECS = (
    RuleSpec("max_employees", 30, MaxEmployees, employees(BELOW), N_("Fewer than a number of employees"), (LIMIT,)),
    RuleSpec("min_employees", 31, MinEmployees, employees(AT_LEAST), N_("At least a number of employees"), (LIMIT,)),
)

"""A number out of its field's range gets a sentence that names the range (or says "finite"), not pydantic's
"Input should be less than or equal to 10000000000000"; and the published JSON Schema still states each limit."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from models.profile import MAX_EMPLOYEES, NOT_FINITE, ProfileRequest
from tests.factories import make_request


def problems(request: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        ProfileRequest.model_validate(request)
    return {".".join(map(str, e["loc"])): e["msg"].removeprefix("Value error, ") for e in caught.value.errors()}


@pytest.mark.parametrize(
    ("enterprise", "overrides", "field", "message"),
    [
        ({"employees": MAX_EMPLOYEES + 1}, {}, "enterprise.employees", "Give the number of employees from 0 to 10,000,000"),
        ({"employees": 10**40}, {}, "enterprise.employees", "Give the number of employees from 0 to 10,000,000"),
        ({"employees": 1e300}, {}, "enterprise.employees", "Give the number of employees from 0 to 10,000,000"),
        ({"employees": -1}, {}, "enterprise.employees", "The number of employees cannot be negative"),
        ({"employees": math.nan}, {}, "enterprise.employees", NOT_FINITE),
        ({"annual_turnover": {"amount": math.inf, "currency": "EUR"}}, {}, "enterprise.annual_turnover.amount", NOT_FINITE),
        ({"annual_turnover": {"amount": math.nan, "currency": "EUR"}}, {}, "enterprise.annual_turnover.amount", NOT_FINITE),
        (
            {"annual_turnover": {"amount": 1e14, "currency": "EUR"}},
            {},
            "enterprise.annual_turnover.amount",
            "Give an amount of at most 10,000,000,000,000",
        ),
        (
            {"balance_sheet_total": {"amount": -1, "currency": "EUR"}},
            {},
            "enterprise.balance_sheet_total.amount",
            "An amount cannot be negative",
        ),
        ({"annual_growth_pct": -math.inf}, {}, "enterprise.annual_growth_pct", NOT_FINITE),
        ({"annual_growth_pct": 10_001}, {}, "enterprise.annual_growth_pct", "Give a growth of at most 10,000 per cent"),
        ({"founded_year": 1799}, {}, "enterprise.founded_year", "Give a founding year of 1800 or later"),
        ({}, {"cofunding_capacity_pct": math.nan}, "cofunding_capacity_pct", NOT_FINITE),
        ({}, {"cofunding_capacity_pct": -0.5}, "cofunding_capacity_pct", "Give a percentage from 0 to 100"),
    ],
)
def test_out_of_range_numbers_get_a_plain_message(enterprise, overrides, field, message):
    found = problems(make_request(enterprise, **overrides))
    assert found == {field: message}


@pytest.mark.parametrize(
    ("enterprise", "field"),
    [
        ({"employees": True}, "enterprise.employees"),
        ({"employees": "42"}, "enterprise.employees"),
        ({"employees": 4.5}, "enterprise.employees"),
        ({"annual_growth_pct": "5"}, "enterprise.annual_growth_pct"),
    ],
)
def test_a_value_of_the_wrong_type_is_still_reported_as_a_type_error(enterprise, field):
    assert "Input should be a valid" in problems(make_request(enterprise))[field]


def test_the_limits_themselves_are_accepted():
    request = make_request(
        {
            "employees": MAX_EMPLOYEES,
            "annual_turnover": {"amount": 1e13, "currency": "EUR"},
            "founded_year": 1800,
            "annual_growth_pct": -100,
        },
        cofunding_capacity_pct=100,
    )
    accepted = ProfileRequest.model_validate(request)
    assert accepted.enterprise.employees == MAX_EMPLOYEES and accepted.cofunding_capacity_pct == 100


def test_the_json_schema_still_states_every_limit():
    schema = ProfileRequest.model_json_schema()
    enterprise = schema["$defs"]["EnterpriseRequest"]["properties"]

    def bounds(prop: dict) -> tuple:
        branch = next(b for b in prop.get("anyOf", [prop]) if b.get("type") != "null")
        return branch.get("minimum"), branch.get("maximum")

    assert bounds(enterprise["employees"]) == (0, MAX_EMPLOYEES)
    assert bounds(enterprise["annual_growth_pct"]) == (-100, 10_000)
    assert bounds(enterprise["founded_year"])[0] == 1800
    assert bounds(schema["properties"]["cofunding_capacity_pct"]) == (0, 100)
    assert bounds(schema["$defs"]["Money"]["properties"]["amount"]) == (0, 1e13)

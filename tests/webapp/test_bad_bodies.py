"""Hostile and broken JSON bodies to POST /api/v1/assessments: each is refused with the contract's error body and a
reason that fits it (400 malformed_json, or 422 naming the field), never a 500, and nothing is stored."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.webapp.test_api import SPEC_EXAMPLE
from webapp.db import Assessment, db
from webapp.json_body import MAX_DEPTH, MalformedBodyError, read_json

URL = "/api/v1/assessments"


def stored_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Assessment))


def example_text(**replace: str) -> str:
    """SPEC_EXAMPLE as JSON text, with the raw JSON of some values swapped in: `employees="NaN"` writes
    "employees": NaN, which no JSON library would produce, but a client or an attacker can."""
    text = json.dumps(SPEC_EXAMPLE)
    for key, raw in replace.items():
        value = json.dumps(SPEC_EXAMPLE["enterprise"].get(key, SPEC_EXAMPLE.get(key)))
        old = f'"{key}": {value}'
        assert text.count(old) == 1, old
        text = text.replace(old, f'"{key}": {raw}')
    return text


def post(client, body: str | bytes):
    return client.post(URL, data=body, content_type="application/json")


def refused_as_malformed(client, body: str | bytes) -> str:
    response = post(client, body)
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    error = response.get_json()["error"]
    assert error["code"] == "malformed_json"
    assert "fields" not in error
    assert stored_count() == 0
    return error["message"]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_a_body_nested_ten_thousand_levels_deep_is_400_not_a_recursion_error(client, with_catalogue):
    assert refused_as_malformed(client, nested(10_000)) == f"The body is nested more than {MAX_DEPTH} levels deep."
    deep_objects = '{"a": ' * 5_000 + "1" + "}" * 5_000
    assert "nested more than 32 levels" in refused_as_malformed(client, deep_objects)


def test_the_depth_limit_is_exactly_32_levels(client):
    # 32 levels parse (and the body, a list, is then refused as not an object); 33 do not.
    assert post(client, nested(MAX_DEPTH)).status_code == 422
    assert "nested more than 32" in refused_as_malformed(client, nested(MAX_DEPTH + 1))


def test_deep_nesting_inside_an_unclosed_body_is_still_refused_before_parsing(client):
    assert "nested more than 32" in refused_as_malformed(client, '{"enterprise": ' + "[" * 10_000)


def test_brackets_inside_strings_do_not_count_as_nesting(client, with_catalogue):
    body = json.loads(json.dumps(SPEC_EXAMPLE))
    body["enterprise"]["name"] = '[[[{{{"' * 20 + "\\" + "]]]" * 10
    response = client.post(URL, json=body)
    assert response.status_code == 201
    assert response.get_json()["id"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('{"language": "en", "language": "fr"}', "language"),
        (example_text(employees='42, "employees": 43'), "employees"),
        (example_text(annual_turnover='{"amount": 1, "currency": "EUR", "amount": 2}'), "amount"),
        (json.dumps(SPEC_EXAMPLE)[:-1] + ', "levels": {}}', "levels"),
    ],
)
def test_a_repeated_key_at_any_level_is_refused_naming_the_key(client, with_catalogue, text, key):
    message = refused_as_malformed(client, text)
    assert f"repeats the key '{key}'" in message


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("field", ["employees", "annual_growth_pct", "cofunding_capacity_pct"])
def test_nan_and_infinity_are_not_numbers(client, with_catalogue, token, field):
    message = refused_as_malformed(client, example_text(**{field: token}))
    assert token in message and "must be a finite number" in message
    assert "10000" not in message  # not a range it was compared with


@pytest.mark.parametrize("raw", ["1e400", "-1e400", "1E309"])
def test_a_number_that_overflows_a_float_is_refused(client, with_catalogue, raw):
    message = refused_as_malformed(client, example_text(employees=raw))
    assert "must be a finite number" in message and raw in message


@pytest.mark.parametrize("raw", ["1" * 31, "1" * 5_000, "-" + "9" * 40, "0." + "1" * 40, "1" * 31 + "e2"])
def test_a_number_with_more_than_30_digits_is_refused(client, with_catalogue, raw):
    assert "more than 30 digits" in refused_as_malformed(client, example_text(employees=raw))


def test_thirty_digits_still_read_and_the_field_says_it_is_too_large(client, with_catalogue):
    response = post(client, example_text(employees="9" * 30))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"enterprise.employees": "Give the number of employees from 0 to 10,000,000"}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"employees": "10000001"}, "enterprise.employees", "Give the number of employees from 0 to 10,000,000"),
        ({"employees": "1e30"}, "enterprise.employees", "Give the number of employees from 0 to 10,000,000"),
        ({"employees": "-1"}, "enterprise.employees", "The number of employees cannot be negative"),
        (
            {"annual_turnover": '{"amount": 1e20, "currency": "EUR"}'},
            "enterprise.annual_turnover.amount",
            "Give an amount of at most 10,000,000,000,000",
        ),
        ({"annual_growth_pct": "-150"}, "enterprise.annual_growth_pct", "A business cannot shrink by more than 100 per cent"),
        ({"annual_growth_pct": "1e6"}, "enterprise.annual_growth_pct", "Give a growth of at most 10,000 per cent"),
        ({"founded_year": "1200"}, "enterprise.founded_year", "Give a founding year of 1800 or later"),
        ({"cofunding_capacity_pct": "101"}, "cofunding_capacity_pct", "Give a percentage from 0 to 100"),
    ],
)
def test_a_number_too_large_for_its_field_is_422_with_a_plain_message(client, with_catalogue, change, field, message):
    response = post(client, example_text(**change))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_fields"
    assert error["fields"][field].startswith(message), error["fields"]
    assert "Input should be" not in error["fields"][field]
    assert stored_count() == 0


@pytest.mark.parametrize(
    "raw",
    [
        b'{"enterprise": {"name": "Caf\xe9", "country": "FR"}, "levels": {}}',  # Latin-1, not UTF-8
        b"\xff\xfe{\x00}\x00",  # UTF-16 with its byte order mark
        b"\x80\x81\x82",
    ],
)
def test_a_body_that_is_not_utf8_is_400(client, raw):
    assert "not UTF-8" in refused_as_malformed(client, raw)


def test_an_escaped_lone_surrogate_is_400_and_an_escaped_pair_is_a_character(client, with_catalogue):
    assert "lone surrogate" in refused_as_malformed(client, example_text(name='"Atelier \\ud800"'))
    response = post(client, example_text(name='"Atelier \\ud83d\\ude00"'))
    assert response.status_code == 201


def test_a_byte_order_mark_is_ignored(client, with_catalogue):
    assert post(client, b"\xef\xbb\xbf" + json.dumps(SPEC_EXAMPLE).encode()).status_code == 201


def test_malformed_json_still_says_where(client):
    assert refused_as_malformed(client, '{"enterprise": ').startswith("The body is not valid JSON")


def test_the_64_kb_limit_and_the_content_type_are_checked_before_the_body_is_read(client):
    assert post(client, nested(40_000)).status_code == 413  # 80 KB: too large, whatever its depth
    response = client.post(URL, data=nested(10_000), content_type="text/plain")
    assert response.status_code == 415


def test_the_idempotency_key_is_checked_after_the_body_and_replays_as_before(client, with_catalogue):
    headers = {"Idempotency-Key": "retry-1"}
    first = client.post(URL, data=json.dumps(SPEC_EXAMPLE), content_type="application/json", headers=headers)
    again = client.post(URL, data=json.dumps(SPEC_EXAMPLE, indent=2), content_type="application/json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    repeated = client.post(URL, data=example_text(language='"en", "language": "en"'), content_type="application/json", headers=headers)
    assert repeated.status_code == 400 and repeated.get_json()["error"]["code"] == "malformed_json"
    assert stored_count() == 1


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("[" * 33 + "]" * 33, "nested more than 32 levels deep"),
        ('{"a": {"b": 1, "b": 2}}', "repeats the key 'b'"),
        ("[NaN]", "must be a finite number"),
        ("[-Infinity]", "must be a finite number"),
        ("[1e400]", "must be a finite number"),
        ("[" + "7" * 31 + "]", "more than 30 digits"),
        ('["\\udfff"]', "lone surrogate"),
    ],
)
def test_read_json_names_the_reason(raw, reason):
    with pytest.raises(MalformedBodyError, match=reason):
        read_json(raw.encode())


def test_read_json_reads_what_json_allows():
    assert read_json(b'{"a": [1, 2.5, -0.0, 1e-400, true, null, "\\u00e9\\ud83d\\ude00"]}') == {"a": [1, 2.5, -0.0, 0.0, True, None, "é😀"]}

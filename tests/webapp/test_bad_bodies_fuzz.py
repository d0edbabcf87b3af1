"""Fuzzing POST /api/v1/assessments with hypothesis: hostile and broken bodies (deep nesting, repeated keys, NaN and
Infinity, huge numbers, random bytes, invalid UTF-8, values of the wrong type anywhere) never get a 5xx, and every
refusal has the contract's error body."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.webapp.test_api import SPEC_EXAMPLE

URL = "/api/v1/assessments"
SENTINEL = "\x00sentinel\x00"
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in SPEC_EXAMPLE that holds a value: ('enterprise', 'annual_turnover', 'amount'), ..."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    return found


PATHS = _paths(SPEC_EXAMPLE)


def _with(path: tuple, value: Any) -> dict:
    body = copy.deepcopy(SPEC_EXAMPLE)
    place = body
    for key in path[:-1]:
        place = place[key]
    place[path[-1]] = value
    return body


def _raw_at(path: tuple, raw: str) -> str:
    """SPEC_EXAMPLE as text with `raw` (any JSON text, valid or not) written as the value at `path`."""
    return json.dumps(_with(path, SENTINEL)).replace(json.dumps(SENTINEL), raw)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
big_numbers = st.one_of(
    st.integers(min_value=10**15, max_value=10**60).map(str),
    st.integers(min_value=1, max_value=5_000).map(lambda n: "9" * n),
    st.integers(min_value=300, max_value=100_000).map(lambda e: f"1e{e}"),
    st.integers(min_value=1, max_value=400).map(lambda n: "0." + "3" * n),
)
hostile_tokens = st.sampled_from(["NaN", "Infinity", "-Infinity", "nan", "inf", "1e", "--1", "0x10", "01", "undefined"])


def _nest(depth: int, opener: str, inner: str) -> str:
    closer = {"[": "]", '{"a": ': "}"}[opener]
    return opener * depth + inner + closer * depth


@st.composite
def hostile_texts(draw: st.DrawFn) -> tuple[str, set[int] | None]:
    """A hostile body, and the statuses it may get (None: any but a 5xx, as when a long number is still valid)."""
    path = draw(st.sampled_from(PATHS))
    kind = draw(st.sampled_from(["deep", "repeat", "token", "big", "wrong_type"]))
    if kind == "deep":
        depth = draw(st.integers(min_value=20, max_value=20_000))
        text = _raw_at(path, _nest(depth, draw(st.sampled_from(["[", '{"a": '])), draw(st.sampled_from(["1", "[]", '"x"']))))
        return text, ({400, 413} if depth + len(path) > 32 else None)
    if kind == "repeat":
        return _raw_at(path, f'{json.dumps(draw(json_values))}, "{path[-1]}": {json.dumps(draw(json_values))}'), {400}
    if kind == "token":
        return _raw_at(path, draw(hostile_tokens)), {400}
    if kind == "big":
        return _raw_at(path, ("-" if draw(st.booleans()) else "") + draw(big_numbers)), None
    return json.dumps(_with(path, draw(json_values))), None


@st.composite
def not_utf8(draw: st.DrawFn) -> bytes:
    """A valid body with bytes that cannot be UTF-8 put somewhere inside it."""
    text = json.dumps(SPEC_EXAMPLE).encode()
    at = draw(st.integers(min_value=0, max_value=len(text)))
    bad = draw(st.sampled_from([b"\xff", b"\xc3", b"\xe9", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"]))
    return text[:at] + bad + text[at:]


def assert_contract(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    body = response.get_json()
    if response.status_code in (200, 201):
        assert body["id"]
        return
    assert response.status_code in (400, 413, 422), response.status_code
    error = body["error"]
    assert set(error) <= {"code", "message", "fields"}
    assert isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"]
    assert error["code"] == {400: "malformed_json", 413: "payload_too_large", 422: "invalid_fields"}[response.status_code]
    if "fields" in error:
        assert error["fields"] and all(isinstance(k, str) and isinstance(v, str) and v for k, v in error["fields"].items())


@FUZZ
@given(case=hostile_texts())
def test_hostile_json_texts_never_get_a_5xx(client, with_catalogue, case):
    text, expected = case
    response = client.post(URL, data=text, content_type="application/json")
    assert_contract(response)
    if expected is not None:  # too deep, a repeated key, NaN and the like: refused before any field is read
        assert response.status_code in expected, (response.status_code, text[:200])


@FUZZ
@given(raw=st.binary(max_size=300) | not_utf8())
def test_random_bytes_and_invalid_utf8_never_get_a_5xx(client, raw):
    assert_contract(client.post(URL, data=raw, content_type="application/json"))


@FUZZ
@given(value=json_values)
def test_any_json_value_as_the_body_never_gets_a_5xx(client, with_catalogue, value):
    assert_contract(client.post(URL, data=json.dumps(value), content_type="application/json"))

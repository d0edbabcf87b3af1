"""Reading a JSON request body strictly, so that a hostile or broken body is refused with a reason, never a crash.

`json.loads` alone reads things the contract does not allow and that no client means: it recurses once per level of
nesting (10,000 levels end in a RecursionError, a 500), lets the last of two repeated keys win silently, reads the
non-JSON tokens NaN and Infinity, and turns a 5,000-digit integer or 1e400 into numbers that no field can hold. Each
is refused here as `MalformedBodyError`, whose message says what was wrong; the route answers 400 malformed_json
with it. Limits on what a field may hold (employees up to 10,000,000, say) are the model's: those answer 422.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 32  # the deepest valid request is 4 levels (body, enterprise, annual_turnover, amount)
MAX_DIGITS = 30  # more digits than any field's limit (10**13) needs, and than a float can carry (17)
_QUOTED_KEY_LENGTH = 40

# One token of the scan that measures depth: a string (to be skipped whole, escapes included, even if it is never
# closed) or a bracket. Unrolled so that a long string is one match, not one per character.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


class MalformedBodyError(ValueError):
    """The body is not JSON that the API reads; str() is the message for the client."""


def _quoted(text: str) -> str:
    shown = text if len(text) <= _QUOTED_KEY_LENGTH else text[:_QUOTED_KEY_LENGTH] + "…"
    return repr(shown)  # repr escapes control characters, so the message stays one printable line


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Refuse nesting deeper than `limit` before any recursive parser sees the text (brackets inside strings do
    not count). Unbalanced brackets are left for the parser to report."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        piece = match.group()
        if piece in "[{":
            depth += 1
            if depth > limit:
                raise MalformedBodyError(f"The body is nested more than {limit} levels deep.")
        elif piece in "]}":
            depth = max(0, depth - 1)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise MalformedBodyError(f"The body repeats the key {_quoted(key)}; give each key once.")
        data[key] = value
    return data


def _no_constant(token: str) -> Any:
    raise MalformedBodyError(f"The body has {token}, which is not a number: every number must be a finite number.")


def _digits(token: str) -> int:
    mantissa = re.split("[eE]", token, maxsplit=1)[0]
    return sum(ch.isdigit() for ch in mantissa)


def _too_long(token: str) -> MalformedBodyError:
    shown = token if len(token) <= 20 else token[:20] + "…"
    return MalformedBodyError(f"The body has a number with more than {MAX_DIGITS} digits ({shown}); no field takes such a number.")


def _integer(token: str) -> int:
    if _digits(token) > MAX_DIGITS:
        raise _too_long(token)
    return int(token)


def _decimal(token: str) -> float:
    if _digits(token) > MAX_DIGITS:
        raise _too_long(token)
    value = float(token)
    if not math.isfinite(value):  # 1e400 overflows to inf
        raise MalformedBodyError(f"The body has a number too large to read ({token}): every number must be a finite number.")
    return value


def read_json(raw: bytes) -> Any:
    """The body as Python data, or MalformedBodyError with the reason. UTF-8 only (RFC 8259 §8.1; a byte order
    mark is ignored); then as `read_json_text`."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MalformedBodyError(f"The body is not UTF-8 text (byte {error.start + 1} cannot be read).") from None
    return read_json_text(text)


def read_json_text(text: str) -> Any:
    """JSON text as Python data, or MalformedBodyError with the reason (also for JSON typed into a form field or
    read from a file line by line, which meet the same hostile input).

    Nesting is measured before parsing, so the parser's recursion is bounded; keys are unique at every level;
    numbers are finite and of sane length; and every string is a sequence of real characters (an escaped lone
    surrogate such as \\ud800 is not one, and could be neither stored nor sent back)."""
    check_depth(text)
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant, parse_int=_integer, parse_float=_decimal)
    except json.JSONDecodeError as error:
        raise MalformedBodyError(f"The body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}).") from None
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedBodyError("The body has a \\u escape that is half a character (a lone surrogate).") from None
    return data

"""Names keep their text, minus control characters and bidirectional overrides (models/names.py), wherever they
come in: the one function, and the profile request that the API, the CLI and the journey's submit all validate."""

from __future__ import annotations

import unicodedata

import pytest
from pydantic import ValidationError

from models.names import clean_name
from models.profile import ProfileRequest
from tests.factories import make_request


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Atelier Dupont", "Atelier Dupont"),
        ("Café Müller & Söhne GmbH", "Café Müller & Söhne GmbH"),
        ("株式会社トレンプラン", "株式会社トレンプラン"),
        ("  Atelier Dupont  ", "Atelier Dupont"),
        ("Atelier\x00 Dupont\x07\x1b[31m", "Atelier Dupont[31m"),  # NUL, bell, and the escape of a terminal colour
        ("Atelier\r\nDupont\tS.A.", "Atelier Dupont S.A."),  # line breaks and tabs are spaces, not nothing
        ("Atelier\u2028Dupont", "Atelier Dupont"),
        ("Atelier\x85\x9fDupont", "Atelier Dupont"),  # C1 controls: NEL is a line break, the rest go
        ("\u202eelif.exe\u202c", "elif.exe"),  # right-to-left override, then pop
        ("A\u202aB\u202bC\u202dD", "ABCD"),  # the embeddings and the left-to-right override
        ("\u2066Tremplin\u2069 \u2067\u05e9\u05dc\u05d5\u05dd\u2069 \u2068x\u2069", "Tremplin \u05e9\u05dc\u05d5\u05dd x"),  # isolates
        ("Shalom \u05e9\u05dc\u05d5\u05dd\u200f Ltd", "Shalom \u05e9\u05dc\u05d5\u05dd\u200f Ltd"),  # marks are kept
        ("\u0634\u0631\u0643\u0629\u061c 2024", "\u0634\u0631\u0643\u0629\u061c 2024"),
        ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"),  # ZWNJ in Persian
        ("A\ud800B", "AB"),  # a lone surrogate is not a character
        ("\u202e\x00", ""),
    ],
)
def test_clean_name(typed, kept):
    assert clean_name(typed) == kept


def test_no_control_or_override_survives_in_any_position():
    harmful = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cc"]
    harmful += [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
    cleaned = clean_name("x".join(harmful) + "x")
    assert set(cleaned) <= {"x", " "}


def test_the_profile_request_cleans_the_name_before_checking_its_length():
    request = ProfileRequest.model_validate(make_request({"name": "\u202eAtelier\u0000 Dupont" + "\u2066" * 500}))
    assert request.enterprise.name == "Atelier Dupont"
    assert request.model_dump(mode="json")["enterprise"]["name"] == "Atelier Dupont"


def test_a_name_too_long_after_cleaning_is_still_refused():
    with pytest.raises(ValidationError, match="at most 200 characters"):
        ProfileRequest.model_validate(make_request({"name": "x" * 201 + "\u202e"}))


def test_a_name_of_another_type_is_still_a_type_error():
    with pytest.raises(ValidationError, match="valid string"):
        ProfileRequest.model_validate(make_request({"name": 42}))

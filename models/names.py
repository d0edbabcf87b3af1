"""Names people type (a business, a contact): kept as typed, minus the characters that only do harm.

A name is shown on pages, in reports, in CSV and PDF exports and in e-mails. Control characters (Unicode category
Cc: NUL, escape sequences, line breaks) break those formats or hide text, and the bidirectional embeddings,
overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder what follows them on screen, so that a name can
display as something other than what it is ("Trojan Source", CVE-2021-42574). Both are removed; a line break or a
tab becomes a space, so that "Atelier\\nDupont" stays two words. Lone surrogates (category Cs) are not characters and
cannot be stored; they go too.

Kept on purpose: the left-to-right and right-to-left marks (U+200E, U+200F) and the Arabic letter mark (U+061C).
They change the direction of neutral characters next to them only, cannot reorder the rest of a page, and are
what a person writing a name that mixes Arabic or Hebrew with Latin letters uses to make it read correctly.
Likewise the zero-width joiner and non-joiner, which some scripts and emoji need.
"""

from __future__ import annotations

import re
import unicodedata

_BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _harmful(character: str) -> bool:
    return character in _BIDI_CONTROLS or unicodedata.category(character) in ("Cc", "Cs")


def clean_name(text: str) -> str:
    """The name without control characters and bidirectional overrides, line breaks as spaces, trimmed."""
    spaced = _BREAKS.sub(" ", text)
    return "".join(ch for ch in spaced if not _harmful(ch)).strip()

"""Sentences the model writes for people, kept translatable without importing Flask-Babel.

The model builds a `Text` (an English message id plus its parameters); the web layer translates the message id
with gettext and formats the parameters for the reader's locale. `N_` marks message ids for extraction
(pybabel's `-k N_`) and returns them unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    return message


@dataclass(frozen=True)
class Text:
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(
        self,
        translate: Callable[[str], str] = lambda m: m,
        format_value: Callable[[Any], str] = lambda v: f"{v:,}" if isinstance(v, int | float) and not isinstance(v, bool) else str(v),
        format_list: Callable[[list[str]], str] = lambda items: english_list(items),
    ) -> str:
        """The sentence in the reader's language: translate the message, then fill in formatted parameters.

        A parameter may itself be a Text (a phrase translated on its own) or a tuple of them, which becomes a list
        in the reader's language ("a, b and c")."""

        def value(v: Any) -> str:
            if isinstance(v, Text):
                return v.render(translate, format_value, format_list)
            if isinstance(v, tuple):
                return format_list([value(item) for item in v])
            return format_value(v)

        values = {key: value(v) for key, v in self.params.items()}
        return translate(self.message) % values if values else translate(self.message)


def english_list(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c": the CLI and batch default; the web layer uses Babel's list patterns."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}" if items else ""

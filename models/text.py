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
    ) -> str:
        """The sentence in the reader's language: translate the message, then fill in formatted parameters."""
        values = {key: format_value(value) for key, value in self.params.items()}
        return translate(self.message) % values if values else translate(self.message)

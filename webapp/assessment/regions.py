"""The region question: a country's subdivisions grouped as people look for them (Île-de-France, then its
départements), and a typed name resolved to one of them, for lists too long to scroll.

pycountry gives the subdivisions and their parents; nothing here depends on the rest of the form.
"""

from __future__ import annotations

import functools
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import pycountry
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectChoice
from wtforms.validators import ValidationError

from webapp.presentation import country_name

LONG_REGION_LIST = 30  # above this many entries, the region question also takes a typed name (a <datalist>)


@dataclass(frozen=True)
class Subdivision:
    """One entry of a country's region list. `name` is unique in the country: the ISO name, with its type (then its
    code) added when another subdivision of the country has the same name, like Spain's Cantabria and its province."""

    code: str
    iso_name: str
    name: str
    type: str
    depth: int  # 0 for a top-level subdivision, 1 for its children, 2 for theirs
    group: str | None  # the name of the top-level subdivision it is listed under, if that has any children
    parent: str | None  # the ISO name of its parent, for a subdivision two levels down
    has_children: bool


def sort_key(name: str) -> str:
    """Names sorted as a reader expects, not by code point: 'Île-de-France' among the I, not after 'Yvelines'."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()


def match_key(text: str) -> str:
    """What a typed name is compared by: no case, accents, spaces or punctuation ('ile de france' = 'Île-de-France')."""
    return "".join(c for c in sort_key(text) if c.isalnum())


@functools.cache
def _subdivisions(country: str) -> tuple[Subdivision, ...]:
    """The country's subdivisions in list order: each top-level one followed by its descendants, depth first, sorted
    by name at every level (pycountry's parent_code gives the hierarchy)."""
    found = list(pycountry.subdivisions.get(country_code=country) or [])
    codes = {s.code for s in found}
    children: dict[str | None, list[Any]] = defaultdict(list)
    for s in found:
        children[s.parent_code if s.parent_code in codes else None].append(s)
    names = Counter(s.name for s in found)
    typed_names = Counter(f"{s.name} ({s.type})" for s in found)

    def unique_name(s: Any) -> str:
        if names[s.name] == 1:
            return s.name
        with_type = f"{s.name} ({s.type})"
        return with_type if typed_names[with_type] == 1 else f"{s.name} ({s.type}, {s.code})"

    listed: list[Subdivision] = []

    def walk(parent: Any, depth: int, group: str | None) -> None:
        for s in sorted(children[parent.code if parent else None], key=lambda s: sort_key(s.name)):
            has_children = bool(children[s.code])
            own_group = s.name if depth == 0 and has_children else group
            within = parent.name if depth >= 2 else None
            listed.append(Subdivision(s.code, s.name, unique_name(s), s.type, depth, own_group, within, has_children))
            walk(s, depth + 1, own_group)

    walk(None, 0, None)
    return tuple(listed)


@functools.cache
def _region_index(country: str) -> dict[str, tuple[str, ...]]:
    """Every way of typing a region that the fallback accepts, as its match_key, with the codes it names: the ISO name
    (whole, without its bracketed alternative, or that alternative alone: 'Catalunya [Cataluña]'), the name with its
    type, the code, and the code without the country ('75C', as French départements are usually written)."""
    index: dict[str, list[str]] = defaultdict(list)
    for s in _subdivisions(country):
        bare, _bracket, alternative = s.iso_name.partition("[")
        ways = {s.iso_name, s.name, bare, alternative.rstrip("]"), f"{s.iso_name} ({s.type})", s.code, s.code.partition("-")[2]}
        for key in {match_key(way) for way in ways} - {""}:
            index[key].append(s.code)
    return {key: tuple(codes) for key, codes in index.items()}


def find_regions(country: str | None, typed: str) -> list[str]:
    """The codes of the country's subdivisions that `typed` names exactly (see _region_index): none, one, or several."""
    return list(_region_index(country).get(match_key(typed), ())) if country else []


def region_choices(country: str | None) -> list[SelectChoice]:
    """The region list, grouped: a top-level subdivision with children is an optgroup that starts with the whole
    subdivision, then its children; the others stay plain options. A type is shown only where it tells entries apart:
    when it is not the usual one at its level (Paris, 'Metropolitan collectivity with special status', among French
    départements) or when two entries share a name. Labels are translated when shown, so this also runs outside a request."""
    if not country:
        return []
    listed = _subdivisions(country)
    usual = {
        level: Counter(s.type for s in listed if (s.depth > 0) == level).most_common(1)[0][0]
        for level in (False, True)
        if any((s.depth > 0) == level for s in listed)
    }
    choices = []
    for s in listed:
        if s.name != s.iso_name:
            label = s.name  # made unique with its type
        elif s.type != usual[s.depth > 0]:
            label = f"{s.iso_name} ({s.type})"
        else:
            label = s.iso_name
        if s.depth == 0 and s.has_children:
            whole_country = s.type == "Country"  # England, Scotland and Wales in the United Kingdom
            label = _l("%(name)s (whole country)", name=s.iso_name) if whole_country else _l("%(name)s (whole region)", name=s.iso_name)
        elif s.parent:
            label = _l("%(name)s, in %(parent)s", name=label, parent=s.parent)
        choices.append(SelectChoice(s.code, label, optgroup=s.group))
    return choices


def regions_of(country: str | None) -> list[tuple[str, str]]:
    """The region list as (code, label) pairs, in list order."""
    return [(choice.value, choice.label) for choice in region_choices(country)]


def region_names(country: str | None) -> list[str]:
    """The names offered under a long region list for typing (each resolves to exactly one region), sorted."""
    return sorted((s.name for s in _subdivisions(country)), key=sort_key) if country else []


def region_examples(country: str) -> tuple[str, str]:
    """Two names to show how a region can be typed: a region and one of its parts where the list has levels."""
    listed = _subdivisions(country)
    grouped = next((i for i, s in enumerate(listed) if s.has_children), None)
    first, second = (listed[grouped], listed[grouped + 1]) if grouped is not None else (listed[0], listed[1])
    return first.name, second.name


def subdivision_name(code: str) -> str:
    found = pycountry.subdivisions.get(code=code)
    return found.name if found else code


class TypedRegion:
    """A region typed under the list must name exactly one region of the firm's country, and the same one as the list
    when both are given. Each error repeats what was typed, which the page also keeps in the box."""

    def __init__(self, country: str | None) -> None:
        self.country = country

    def __call__(self, form: FlaskForm, field: Field) -> None:
        typed = (field.data or "").strip()
        if not typed:
            return
        found = find_regions(self.country, typed)
        place = country_name(self.country) if self.country else ""
        if not found:
            raise ValidationError(
                _(
                    "We cannot find a region called ‘%(typed)s’ in %(country)s: check the spelling, or choose it from the list",
                    typed=typed,
                    country=place,
                )
            )
        if len(found) > 1:
            names = {s.code: s.name for s in _subdivisions(self.country)}
            raise ValidationError(
                _(
                    "‘%(typed)s’ could be %(regions)s: type the name of the one you mean, or choose it from the list",
                    typed=typed,
                    regions=_(" or ").join(names[code] for code in found),
                )
            )
        chosen = form.region.data
        if chosen and chosen != found[0] and chosen in {s.code for s in _subdivisions(self.country)}:
            raise ValidationError(
                _(
                    "You chose %(chosen)s in the list but typed ‘%(typed)s’: keep the one you mean and clear the other",
                    chosen=subdivision_name(chosen),
                    typed=typed,
                )
            )


def answered_region(form: FlaskForm) -> str | None:
    """The region of a validated business form: the one chosen in the list, else the one typed (TypedRegion made sure
    that it names one region, and the same as the list's if both were given)."""
    if form.region.data:
        return form.region.data
    typed = (form.region_name.data or "").strip()
    return find_regions(form.home_country, typed)[0] if typed else None

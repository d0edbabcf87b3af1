"""The simple rule types, found once: every module of this package that defines `SPECS` (a tuple of RuleSpec)
adds its types. From them come the union of their parameter models and the editor's list of parameters.

any_of, whose parts are simple rules, is added on top in programmes/rule_types/__init__.py."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Annotated, Any, Union, get_args

from pydantic import Field

from programmes.rule_types.spec import Evaluator, Parameter, RuleSpec

_NOT_RULE_TYPES = frozenset({"spec", "registry", "groups", "bound", "any_of"})


def _discover() -> dict[str, RuleSpec]:
    package = importlib.import_module("programmes.rule_types")
    found: list[RuleSpec] = []
    for module in pkgutil.iter_modules(package.__path__):
        if module.name not in _NOT_RULE_TYPES:
            found.extend(getattr(importlib.import_module(f"{package.__name__}.{module.name}"), "SPECS", ()))
    specs = {}
    for spec in sorted(found, key=lambda s: s.order):
        if spec.name in specs:
            raise ValueError(f"rule type {spec.name!r} is defined twice")
        _check(spec)
        specs[spec.name] = spec
    return specs


def _check(spec: RuleSpec) -> None:
    """A spec's parts must agree: its model's type tag is its name, and the editor fields are its model's parameters."""
    (tag,) = get_args(spec.model.model_fields["type"].annotation)
    if tag != spec.name:
        raise ValueError(f"rule type {spec.name!r}: its model's type is {tag!r}")
    fields = tuple(f for f in spec.model.model_fields if f not in ("type", "text"))
    if fields != tuple(p.name for p in spec.parameters):
        raise ValueError(f"rule type {spec.name!r}: parameters {fields} but editor fields {[p.name for p in spec.parameters]}")


SIMPLE_SPECS: dict[str, RuleSpec] = _discover()
SIMPLE_EVALUATORS: dict[str, Evaluator] = {name: spec.evaluator for name, spec in SIMPLE_SPECS.items()}

_models: Any = tuple(spec.model for spec in SIMPLE_SPECS.values())
SimpleRule = Annotated[Union[_models], Field(discriminator="type")]  # noqa: UP007 - a union built from a tuple


def _parameters() -> tuple[Parameter, ...]:
    """Every parameter of every simple type, once, in the order the editor shows them: lists of codes first, then
    the values a type needs, then those with a default (the SME definition's limits). Types that share a parameter
    name share one Parameter, since the editor has one field per name."""
    by_name: dict[str, Parameter] = {}
    defaults: set[str] = set()
    for spec in SIMPLE_SPECS.values():
        for parameter in spec.parameters:
            if by_name.setdefault(parameter.name, parameter) != parameter:
                raise ValueError(f"parameter {parameter.name!r} is defined twice, differently")
            if not spec.model.model_fields[parameter.name].is_required():
                defaults.add(parameter.name)
    ordered = sorted(by_name.values(), key=lambda p: (p.kind != "codes", p.name in defaults))  # (a stable sort)
    return tuple(ordered)


PARAMETERS: tuple[Parameter, ...] = _parameters()

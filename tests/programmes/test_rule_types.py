"""The rule-type registry: each type is one spec, and what is derived from the specs is what the model relied on."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import Literal, get_type_hints

import pytest

from models.rules import REGISTRY, Facts
from programmes.rule_types import (
    LOCATION_RULES,
    NOT_ACTIONABLE_RULES,
    PARAMETERS,
    RULE_TYPE_NAMES,
    SPECS,
    TERRITORY_RULES,
    RuleSpec,
)
from programmes.rule_types.registry import _check
from programmes.rule_types.spec import BaseRule, FactsView
from programmes.rule_types.unconfirmed import AlwaysUnknown


def test_the_registry_holds_every_type_once_and_in_the_editors_order():
    assert RULE_TYPE_NAMES[0] == "country_in" and RULE_TYPE_NAMES[-1] == "any_of"
    assert len(set(RULE_TYPE_NAMES)) == len(RULE_TYPE_NAMES) == 22
    assert [SPECS[name].order for name in RULE_TYPE_NAMES] == sorted(SPECS[name].order for name in RULE_TYPE_NAMES)
    assert set(REGISTRY) == set(SPECS)


def test_the_flags_give_the_sets_the_model_used_to_keep_by_hand():
    assert {"country_in", "country_not_in", "operates_in", "region_in", "region_not_in"} == LOCATION_RULES
    assert LOCATION_RULES | {"sector_in", "sector_not_in", "max_age_years", "max_readiness"} == NOT_ACTIONABLE_RULES
    assert {"country_in", "operates_in", "region_in"} == TERRITORY_RULES


def test_a_type_names_the_countries_it_admits():
    rule = SPECS["region_in"].model.model_validate({"type": "region_in", "regions": ["FR-IDF", "BE-BRU"], "text": "In Paris or Brussels"})
    assert SPECS["region_in"].territory_countries(rule) == {"FR", "BE"}
    eu = SPECS["country_in"].model.model_validate({"type": "country_in", "countries": ["EU"], "text": "In the EU"})
    assert {"FR", "DE", "IE"} <= SPECS["country_in"].territory_countries(eu)


def test_editor_parameters_are_each_defined_once_lists_of_codes_first():
    names = [p.name for p in PARAMETERS]
    assert len(names) == len(set(names))
    kinds = [p.kind for p in PARAMETERS]
    assert kinds[: kinds.count("codes")] == ["codes"] * kinds.count("codes")
    taken = {p.name for spec in SPECS.values() for p in spec.parameters}
    assert taken == set(names)
    numbers = [p for p in PARAMETERS if p.kind in ("whole", "decimal")]
    assert all(p.invalid for p in numbers), "a number typed wrong needs a sentence saying how to type it"


class _Tremble(BaseRule):
    type: Literal["tremble"]
    amplitude: int


def test_a_spec_whose_parts_disagree_is_refused():
    with pytest.raises(ValueError, match="its model's type"):
        _check(RuleSpec("shake", 1, _Tremble, AlwaysUnknown(), "Shakes"))
    with pytest.raises(ValueError, match="editor fields"):
        _check(RuleSpec("tremble", 1, _Tremble, AlwaysUnknown(), "Trembles"))


def test_the_models_facts_offer_everything_an_evaluator_may_read():
    wanted = set(get_type_hints(FactsView)) - {"__protocol_attrs__"}
    assert wanted <= {f.name for f in dataclasses.fields(Facts)}


def test_the_rule_types_import_neither_the_model_nor_the_web_layer():
    code = "import sys, programmes.schema; print(sorted(m for m in sys.modules if m.split('.')[0] in ('models', 'webapp', 'flask')))"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert found == "[]"

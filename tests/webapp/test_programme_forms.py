"""The programme curation form: every programme survives a round trip through it, each schema error lands on its
field, rules are added and removed without JavaScript, and the page renders with its SME-facing preview."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import render_template
from werkzeug.datastructures import MultiDict

from models.document import match_document
from programmes.schema import Programme
from programmes.vocabulary import AREAS
from tests.factories import TODAY, match_one, programme_document
from tests.webapp.test_pages import PageFacts, check_page
from webapp.admin.programme_documents import (
    document_to_form_data,
    form_to_document,
    preview_firm,
    preview_match,
    serves_line,
    try_preview,
    validate_programme,
)
from webapp.admin.programme_forms import AREA_LABELS, PARAMETER_FIELDS, RULE_PARAMETERS, ProgrammeForm, RuleForm, add_empty_rule
from webapp.i18n import render_text

RULES = [
    {"type": "country_in", "countries": ["FR"], "text": "Open to firms in France."},
    {"type": "max_employees", "limit": 250, "text": "Fewer than 250 employees."},
    {"type": "max_turnover", "amount": 50_000_000, "currency": "EUR", "text": "Turnover up to EUR 50M."},
    {
        "type": "any_of",
        "text": "An SME, or about to found one.",
        "rules": [
            {"type": "sme_definition", "text": "An SME."},
            {"type": "unconfirmed", "text": "About to found a firm: confirm with the operator."},
        ],
    },
]


def sample() -> dict[str, Any]:
    return programme_document(
        rules=RULES,
        regions=["FR-IDF"],
        unencoded_conditions=["A project in AI."],
        other_sources=["https://example.org/a", "https://example.org/b"],
        benefit={"kind": "grant", "description": "A grant.", "amount_min": 10_000, "amount_max": 50_000, "currency": "EUR"},
        application={"mode": "Apply online.", "opens": "2026-01-01", "closes": "2026-12-31"},
        goals=["fund_project", "find_expert_advice"],  # not in the vocabulary's order
    )


def formdata(data: dict[str, Any]) -> MultiDict:
    """What a browser posts for this form data (textareas with CRLF line ends, unticked boxes absent)."""
    posted = MultiDict()

    def put(key: str, value: Any) -> None:
        posted.add(key, str(value).replace("\n", "\r\n"))

    for key, value in data.items():
        if key == "rules":
            for index, rule in enumerate(value):
                for name, item in rule.items():
                    if name != "remove":
                        put(f"rules-{index}-{name}", item)
                    elif item:
                        put(f"rules-{index}-remove", "y")
        elif key in ("benefit", "application", "territory"):
            for name, item in value.items():
                if item is True:
                    put(f"{key}-{name}", "y")
                elif item is not False:
                    put(f"{key}-{name}", item)
        elif isinstance(value, list):
            for item in value:
                put(key, item)
        else:
            put(key, value)
    return posted


@contextmanager
def posted(app, data: dict[str, Any]) -> Iterator[ProgrammeForm]:
    with app.test_request_context("/admin/programmes/new", method="POST", data=formdata(data)):
        yield ProgrammeForm()


def render(form: ProgrammeForm, preview: dict[str, Any] | None = None) -> str:
    return render_template(
        "admin/programme_form.html",
        form=form,
        title="Edit a programme",
        action="/admin/programmes/test-programme/edit",
        preview=preview,
        cancel_url="/admin/programmes",
    )


def errors_of(app, data: dict[str, Any]) -> tuple[ProgrammeForm, str]:
    """Validate posted data that must fail; the form and its page (whose error summary must link to real ids)."""
    with posted(app, data) as form:
        assert validate_programme(form) is None
        html = render(form)
    facts = check_page(html)
    for href in (part.split('"', 1)[0] for part in html.split('href="#')[1:]):
        if href != "main-content":
            assert href in facts.ids, f"the error summary links to #{href}, which is not on the page"
    return form, html


# ------------------------------------------------------------------------------------------------ round trip


def test_every_bundled_programme_survives_a_round_trip_through_the_form(app_context, bundled):
    assert any(r.type == "any_of" for p in bundled for r in p.rules)
    for programme in bundled:
        data = document_to_form_data(programme.to_document())
        with posted(app_context, data) as form:
            again = validate_programme(form)
            assert form.errors == {}, (programme.id, form.errors)
        assert again == programme, programme.id
        assert again.to_document() == programme.to_document(), programme.id  # the same lists in the same order
        with app_context.test_request_context():
            assert Programme.model_validate(form_to_document(ProgrammeForm(data=data))) == programme


def test_the_sample_round_trips_and_keeps_the_stored_order_of_ticked_boxes(app_context):
    programme = Programme.model_validate(sample())
    with posted(app_context, document_to_form_data(programme.to_document())) as form:
        assert validate_programme(form) == programme
    assert programme.goals == ["fund_project", "find_expert_advice"]
    data = {**document_to_form_data(programme.to_document()), "list_order": ""}
    with posted(app_context, data) as form:
        assert validate_programme(form).goals == ["find_expert_advice", "fund_project"]  # a new programme: the page's order


def test_every_rule_parameter_has_a_field():
    for params in RULE_PARAMETERS.values():
        assert set(params) <= set(PARAMETER_FIELDS)
    assert set(PARAMETER_FIELDS) <= set(RuleForm()._fields)


# ------------------------------------------------------------------------------------- errors on their fields


def test_a_bad_slug_is_explained_on_the_id_field_and_what_was_typed_is_kept(app_context):
    data = {**document_to_form_data(sample()), "id": "Bad Slug!"}
    form, html = errors_of(app_context, data)
    assert form.id.errors == ["The identifier must be lower-case letters, digits and single hyphens, like fr-osez-ia-diagnostic"]
    assert 'href="#id"' in html and 'value="Bad Slug!"' in html
    assert "<title>Error: Edit a programme" in html


def test_amount_min_above_amount_max_is_shown_on_amount_max(app_context):
    data = document_to_form_data(sample())
    data["benefit"] = {**data["benefit"], "amount_min": "90000", "amount_max": "50 000"}
    form, html = errors_of(app_context, data)
    assert form.benefit.amount_max.errors == ["The largest amount must be at least the smallest amount"]
    assert form.errors == {"benefit": {"amount_max": ["The largest amount must be at least the smallest amount"]}}
    assert 'href="#benefit-amount_max"' in html and 'value="50 000"' in html


def test_a_rule_without_its_limit_gets_a_clear_message_on_that_rules_limit(app_context):
    data = document_to_form_data(sample())
    data["rules"][1]["limit"] = ""
    form, html = errors_of(app_context, data)
    assert form.rules[1].limit.errors == ["Enter the employee limit for this rule"]
    assert list(form.errors) == ["rules"]
    assert 'href="#rules-1-limit"' in html


def test_an_unknown_country_in_a_rule_is_shown_on_its_countries_field(app_context):
    data = document_to_form_data(sample())
    data["rules"][0]["countries"] = "fr, XX"
    form, html = errors_of(app_context, data)
    assert form.rules[0].countries.errors == ["Unknown country code(s): XX (ISO 3166-1 alpha-2, or EU / EEA)"]
    assert 'href="#rules-0-countries"' in html and 'value="fr, XX"' in html


def test_bad_dates_are_explained_once_each(app_context):
    data = {**document_to_form_data(sample()), "last_verified": "2026-13-01"}
    data["application"] = {**data["application"], "closes": "31/12/2026"}
    form, html = errors_of(app_context, data)
    assert form.last_verified.errors == ["Enter the date as YYYY-MM-DD, like 2026-11-01"]
    assert form.application.closes.errors == ["Enter the closing date as YYYY-MM-DD, like 2026-03-31"]
    assert 'href="#last_verified"' in html and 'href="#application-closes"' in html and 'value="31/12/2026"' in html


def test_a_number_typed_wrong_keeps_its_own_message_only(app_context):
    data = document_to_form_data(sample())
    data["rules"][1]["limit"] = "lots"
    data["benefit"] = {**data["benefit"], "funding_rate_pct": "150"}
    form, _ = errors_of(app_context, data)
    assert form.rules[1].limit.errors == ["Enter the employee limit as a whole number, like 250"]
    assert form.benefit.funding_rate_pct.errors == ["The share the programme pays must be 100 or less"]


def test_record_level_errors_land_on_the_field_to_fix(app_context):
    data = document_to_form_data(sample())
    data["benefit"] = {**data["benefit"], "currency": ""}
    data["application"] = {**data["application"], "opens": "2027-01-01"}
    form, _ = errors_of(app_context, data)
    assert form.benefit.currency.errors == ["Enter the currency of the amount, like EUR"]
    assert form.application.closes.errors == ["The closing date must be on or after the opening date"]
    closed = {**document_to_form_data(programme_document()), "status": "closed", "status_note": ""}
    form, _ = errors_of(app_context, closed)
    assert form.status_note.errors == ["A closed programme needs a closing date, or a status note saying why it is closed"]


def test_missing_and_malformed_values_get_messages_on_their_fields(app_context):
    data = {
        **document_to_form_data(sample()),
        "name": "",
        "description": "Too short.",
        "target_sizes": [],
        "other_sources": "https://example.org/a\nnot a web address",
        "status": "",
    }
    data["rules"][0]["type"] = ""
    form, _ = errors_of(app_context, data)
    assert form.name.errors == ["Enter the name of the programme"]
    assert form.description.errors == ["The description must be at least 20 characters"]
    assert form.target_sizes.errors == ["Select at least one size of firm"]
    assert form.other_sources.errors[0].startswith("Line 2: Enter a full web address")
    assert form.status.errors == ["Select the status of the programme"]
    assert form.rules[0].form.type.errors == ["Select a rule type"]


def test_parameters_a_rule_type_does_not_take_are_dropped(app_context):
    data = document_to_form_data(sample())
    data["rules"][1] = {**data["rules"][1], "countries": "XX", "years": "nonsense", "dimension": "data"}
    with posted(app_context, data) as form:
        programme = validate_programme(form)
        assert form.errors == {}
        assert form_to_document(form)["rules"][1] == {"type": "max_employees", "text": "Fewer than 250 employees.", "limit": 250}
        assert form.rules[1].form.unused_filled() == ["countries", "years", "dimension"]
        html = render(form)
    assert programme is not None and programme.rules[1].limit == 250
    assert html.count("Not used by this rule type, so it will not be saved.") == 3


def test_any_of_rules_are_edited_as_json_and_checked_by_the_schema(app_context):
    data = document_to_form_data(sample())
    assert '"type": "sme_definition"' in data["rules"][3]["any_of_json"]
    data["rules"][3]["any_of_json"] = '[{"type": "sme_definition", "text": "An SME."}, {"type": "country_in", "text": "Abroad."}]'
    form, _ = errors_of(app_context, data)
    assert form.rules[3].any_of_json.errors == ["Sub-rule 2, countries: missing"]
    data["rules"][3]["any_of_json"] = "[{"
    form, html = errors_of(app_context, data)
    assert form.rules[3].any_of_json.errors[0].startswith("Enter the sub-rules as a JSON list:")
    assert 'name="rules-3-type" value="any_of"' in html and "[{</textarea>" in html


def test_a_new_any_of_rule_needs_only_its_json(app_context):
    data = document_to_form_data(programme_document())
    sub_rules = json.dumps([{"type": "country_in", "countries": [c], "text": f"Based in {c}."} for c in ("FR", "BE")])
    data["rules"].append({"type": "", "text": "In France or Belgium.", "any_of_json": sub_rules})
    with posted(app_context, data) as form:
        programme = validate_programme(form)
    assert programme is not None and programme.rules[-1].type == "any_of" and len(programme.rules[-1].rules) == 2


# ----------------------------------------------------------------------------------------- add, remove, copy


def test_a_rule_with_remove_ticked_is_dropped_on_save_and_not_checked(app_context):
    data = document_to_form_data(sample())
    data["rules"][1] = {**data["rules"][1], "remove": True, "limit": "not a number"}
    with posted(app_context, data) as form:
        programme = validate_programme(form)
        assert form.errors == {}
    assert [r.type for r in programme.rules] == ["country_in", "max_turnover", "any_of"]


def test_add_a_rule_appends_an_empty_rule_and_a_blank_rule_is_ignored_on_save(app_context):
    data = document_to_form_data(sample())
    with posted(app_context, {**data, "add_rule": "1"}) as form:
        add_empty_rule(form)
        assert len(form.rules) == len(RULES) + 1
        new = form.rules[-1]
        assert new.form.type.id == f"rules-{len(RULES)}-type" and new.form.is_blank()
        html = render(form)
        assert form.errors == {}
    check_page(html)
    assert 'id="rules-4-type"' in html and 'id="rules-4-limit"' in html and "Rule 5</h3>" in html
    data["rules"].append({"type": "", "text": "", "limit": ""})  # the empty rule, posted back untouched
    with posted(app_context, data) as form:
        programme = validate_programme(form)
    assert programme == Programme.model_validate(sample())


def test_duplicate_gives_a_new_id_and_name_and_keeps_everything_else(app_context):
    original = Programme.model_validate(sample())
    data = document_to_form_data(original.to_document(), duplicate=True)
    assert data["id"] == "test-programme-copy" and data["name"] == "Test programme (copy)"
    with posted(app_context, data) as form:
        copy = validate_programme(form)
    assert copy == original.model_copy(update={"id": "test-programme-copy", "name": "Test programme (copy)"})


# ------------------------------------------------------------------------------------------ page and preview


@pytest.fixture
def pinned_day(app_context):
    app_context.config["MATCH_DAY"] = TODAY.isoformat()
    yield app_context
    app_context.config["MATCH_DAY"] = None


def test_preview_match_is_the_real_match_of_a_firm_of_its_territory_that_said_nothing_else(pinned_day):
    programme = Programme.model_validate(sample())
    with pinned_day.test_request_context():
        preview = preview_match(programme)
        firm = preview_firm(programme)
        real = match_document(match_one(programme, firm), firm, TODAY, render=render_text)
    assert preview == {**real, "territory": preview["territory"]}  # the editor says the territory above the card
    assert (firm.enterprise.country, firm.enterprise.region, firm.enterprise.employees) == ("FR", "FR-IDF", None)
    assert preview["reach"] == "home" and preview["source_kind"] == "third_party" and preview["rank"] == 1
    assert preview["territory"] == {"country": "FR", "regions": ["FR-IDF"], "anywhere": False, "open_to_firms_abroad": False}
    assert preview["eligibility"] == "needs_info"
    criterion = preview["criteria"][1]
    assert (criterion["id"], criterion["status"], criterion["ask"]) == ("max_employees", "unknown", "employees")
    assert preview["benefit"] == {
        "kind": "grant",
        "description": "A grant.",
        "amount_min": 10000.0,
        "amount_max": 50000.0,
        "currency": "EUR",
    }


def test_a_programme_even_an_unknown_firm_cannot_use_previews_as_a_near_miss(pinned_day):
    closed = Programme.model_validate({**sample(), "status": "closed", "application": {"mode": "Apply online.", "closes": "2026-01-31"}})
    with pinned_day.test_request_context():
        preview = preview_match(closed)
        form = ProgrammeForm(data=document_to_form_data(closed.to_document()))
        html = render(form, preview)
    assert preview["eligibility"] == "ineligible"
    assert [c["id"] for c in preview["criteria"]] == ["open_for_applications"]
    check_page(html)
    assert "What would change it:" in html


def test_the_page_renders_every_section_with_one_h1_unique_ids_and_the_preview(pinned_day, app_context):
    programme = Programme.model_validate(sample())
    with app_context.test_request_context():
        form = ProgrammeForm(data=document_to_form_data(programme.to_document()))
        html = render(form, preview_match(programme))
    facts: PageFacts = check_page(html)
    for legend in (
        "Identity",
        "Territory",
        "Where and who",
        "Eligibility rules",
        "What it builds and serves",
        "Benefit",
        "Application and status",
        "Sources",
    ):
        assert f'<h2 class="govuk-fieldset__heading">{legend}</h2>' in html
    assert html.count('class="govuk-fieldset tremplin-rule') == len(RULES)
    assert 'name="add_rule"' in html and 'name="save"' in html and 'name="preview"' in html and 'href="/admin/programmes"' in html
    assert 'action="/admin/programmes/test-programme/edit"' in html
    assert "Preview: as SMEs will see it" in html and 'id="programme-test-programme"' in html
    assert "Fewer than 250 employees." in html and "Your number of employees is not known" in html and "Facts to confirm" in html
    assert "programme-preview-heading" in facts.ids
    assert "Serves: Île-de-France (FR-IDF)." in html
    for field in ("territory-kind", "territory-country", "territory-regions", "territory-area", "territory-open_to_firms_abroad"):
        assert field in facts.ids
    assert {"benefit-paid_when", "benefit_by_size", "source_kind", "last_verified"} <= set(facts.ids)
    assert "Sources read on" in html and "Firms established abroad can use it (shown to firms expanding to this country)" in html
    with app_context.test_request_context():
        assert "Preview: as SMEs will see it" not in render(ProgrammeForm())


def test_try_preview_shows_a_form_that_is_already_valid_and_marks_nothing(app_context):
    data = document_to_form_data(sample())
    with posted(app_context, data) as form:
        assert try_preview(form)["criteria"][0]["label"] == "Open to firms in France."
    with posted(app_context, {**data, "name": ""}) as form:
        assert try_preview(form) is None
        assert form.errors == {}


@pytest.mark.parametrize(
    "field",
    [
        "id",
        "benefit-kind",
        "application-mode",
        "rules-0-countries",
        "target_sizes",
        "status",
        "confidence",
        "territory-kind",
        "source_kind",
    ],
)
def test_an_empty_form_reports_each_missing_field_with_a_link(app_context, field):
    _, html = errors_of(app_context, {"rules": [{"type": "country_in", "text": "", "countries": ""}]})
    assert f'href="#{field}"' in html


# ------------------------------------------------------------------------- territory, source kind, per-size benefits

TERRITORIES = [
    ({"country": "FR"}, "country", "Serves: France"),
    ({"country": "US", "regions": ["US-UT"]}, "region", "Serves: Utah (US-UT)"),
    ({"area": "EEA"}, "area", "Serves: the European Economic Area"),
    ({"anywhere": True}, "anywhere", "Serves: anywhere"),
    ({"country": "DE", "open_to_firms_abroad": True}, "country", "Serves: Germany; open to firms from abroad"),
]


@pytest.mark.parametrize(("territory", "kind", "words"), TERRITORIES)
def test_every_kind_of_territory_round_trips_and_is_said_in_words(app_context, territory, kind, words):
    programme = Programme.model_validate({**sample(), "territory": territory})
    data = document_to_form_data(programme)
    assert data["territory"]["kind"] == kind
    with posted(app_context, data) as form:
        assert validate_programme(form) == programme
        assert serves_line(programme.to_document()) == words


def test_a_record_without_a_territory_or_source_kind_gets_what_the_schema_reads_into_it(app_context):
    older = programme_document()  # as stored before territories: a country, no territory, no source kind
    assert "territory" not in older and "source_kind" not in older
    data = document_to_form_data(older)
    assert data["territory"] == {"kind": "country", "country": "FR", "regions": "", "area": "", "open_to_firms_abroad": False}
    assert data["source_kind"] == "third_party"
    assert document_to_form_data(sample())["territory"] == {**data["territory"], "kind": "region", "regions": "FR-IDF"}
    assert document_to_form_data(programme_document(country="EU"))["territory"]["kind"] == "area"
    with posted(app_context, data) as form:
        assert validate_programme(form) == Programme.model_validate(older)
        assert serves_line(older) == "Serves: France"


def with_territory(**territory: Any) -> dict[str, Any]:
    """The sample, serving the whole of France, with these territory fields posted instead."""
    data = document_to_form_data({**sample(), "territory": {"country": "FR"}})
    data["territory"] = {**data["territory"], **territory}
    return data


def test_a_country_and_an_area_both_are_refused_on_the_one_the_kind_does_not_use(app_context):
    form, html = errors_of(app_context, with_territory(area="EU"))
    message = "Leave the area blank: a programme serves a country or an area (EU or EEA), not both"
    assert form.errors == {"territory": {"area": [message]}}
    assert 'href="#territory-area"' in html and 'value="EU" selected' in html
    form, _ = errors_of(app_context, with_territory(kind="area", area="EU"))
    assert form.errors == {
        "territory": {"country": ["Leave the country blank: a programme serves a country or an area (EU or EEA), not both"]}
    }
    form, _ = errors_of(app_context, with_territory(kind="anywhere"))
    assert form.errors == {"territory": {"country": ["Leave the country blank for a programme that serves anywhere"]}}


def test_a_region_of_another_country_is_refused_on_the_regions_field(app_context):
    form, html = errors_of(app_context, with_territory(kind="region", regions="fr-idf, US-UT"))
    assert form.errors == {
        "territory": {"regions": ["Enter only regions of FR, the country it serves, as ISO 3166-2 codes. Not regions of FR: US-UT"]}
    }
    assert 'href="#territory-regions"' in html and 'value="fr-idf, US-UT"' in html
    form, _ = errors_of(app_context, with_territory(kind="area", country="", area="EU", regions="FR-IDF"))
    assert form.errors == {
        "territory": {"regions": ["Leave the regions blank: only a programme that serves some regions of a country has regions"]}
    }


def test_the_kind_of_territory_must_be_chosen_and_its_fields_filled_in(app_context):
    form, _ = errors_of(app_context, with_territory(kind=""))
    assert form.errors == {
        "territory": {"kind": ["Select where the programme serves: a country, some regions of a country, an area or anywhere"]}
    }
    form, _ = errors_of(app_context, with_territory(kind="region"))
    assert form.errors == {"territory": {"regions": ["Enter the regions it serves, as ISO 3166-2 codes separated by commas, like FR-IDF"]}}
    form, _ = errors_of(app_context, with_territory(regions="FR-IDF"))  # a whole country has no regions
    assert list(form.errors["territory"]) == ["regions"]
    form, _ = errors_of(app_context, with_territory(kind="area"))
    assert form.errors == {"territory": {"area": ["Select the area it serves: the EU or the EEA"]}}
    form, _ = errors_of(app_context, with_territory(country=""))
    assert form.errors == {"territory": {"country": ["Select the country it serves"]}}


def test_the_source_kind_must_be_chosen_though_the_schema_would_assume_third_party(app_context):
    form, html = errors_of(app_context, {**document_to_form_data(sample()), "source_kind": ""})
    assert form.errors == {"source_kind": ["Select whose page the programme page is: the operator's own, or a third party's"]}
    assert 'href="#source_kind"' in html
    data = {**document_to_form_data(sample()), "source_kind": "operator"}
    with posted(app_context, data) as form:
        assert validate_programme(form).source_kind == "operator"


def test_when_a_tax_incentive_pays_round_trips_and_is_at_most_300_characters(app_context):
    benefit = {"kind": "tax_incentive", "description": "A tax credit.", "funding_rate_pct": 30, "paid_when": "With the next tax return."}
    programme = Programme.model_validate({**sample(), "benefit": benefit})
    data = document_to_form_data(programme)
    assert data["benefit"]["paid_when"] == "With the next tax return."
    with posted(app_context, data) as form:
        assert validate_programme(form) == programme
    data["benefit"] = {**data["benefit"], "paid_when": "x" * 301}
    form, _ = errors_of(app_context, data)
    assert form.errors == {"benefit": {"paid_when": ["When the money comes back must be 300 characters or fewer"]}}


SIZE_BENEFITS = [
    {
        "sizes": ["small_midcap"],
        "benefit": {"kind": "equity", "description": "An equity investment.", "amount_max": 15e6, "currency": "EUR"},
    },
    {"sizes": ["micro", "small"], "benefit": {"kind": "grant", "description": "A bigger grant.", "funding_rate_pct": 70}},
]


def test_benefits_by_size_are_edited_as_json_and_round_trip(app_context):
    programme = Programme.model_validate({**sample(), "benefit_by_size": SIZE_BENEFITS})
    data = document_to_form_data(programme)
    assert json.loads(data["benefit_by_size"]) == programme.to_document()["benefit_by_size"]
    with posted(app_context, data) as form:
        assert validate_programme(form) == programme
    assert document_to_form_data(sample())["benefit_by_size"] == ""


def test_benefits_by_size_that_are_not_json_or_not_valid_get_an_error_on_their_field(app_context):
    data = {**document_to_form_data(sample()), "benefit_by_size": '[{"sizes": ["small"],'}
    form, html = errors_of(app_context, data)
    assert list(form.errors) == ["benefit_by_size"]
    assert form.benefit_by_size.errors[0].startswith("Enter the benefits by size as a JSON list:")
    assert 'href="#benefit_by_size"' in html and "[{&#34;sizes&#34;: [&#34;small&#34;],</textarea>" in html
    data["benefit_by_size"] = '{"sizes": ["small"]}'
    form, _ = errors_of(app_context, data)
    assert form.benefit_by_size.errors == ['Enter the benefits by size as a JSON list, like [{"sizes": [...], "benefit": {...}}]']
    data["benefit_by_size"] = json.dumps([{"sizes": ["huge"], "benefit": {"kind": "grant", "description": "A grant.", "amount_max": 5}}])
    form, _ = errors_of(app_context, data)
    assert form.benefit_by_size.errors[0].startswith("Benefit by size 1, sizes.0: Input should be 'micro'")
    assert form.benefit_by_size.errors[1] == "Benefit by size 1, benefit: an amount needs a currency"


def test_every_area_has_a_label():
    assert set(AREA_LABELS) == set(AREAS)

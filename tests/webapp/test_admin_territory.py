"""Where a programme serves, in the admin pages: the programme page says it (and whose page the source is), the
editor refuses a bad territory without saving anything, and a record stored before territories existed is read as
the schema reads it."""

from __future__ import annotations

from typing import Any

from tests.factories import make_programme, make_request
from tests.webapp.admin_helpers import make_staff, sign_in
from tests.webapp.test_pages import check_page
from tests.webapp.test_programme_forms import formdata
from webapp.admin import curation
from webapp.admin.programme_documents import document_to_form_data
from webapp.db import ProgrammeRecord, db, write_transaction

UTAH = make_programme(
    id="us-test-utah",
    name="Test sandbox in Utah",
    country="US",
    regions=["US-UT"],
    territory={"country": "US", "regions": ["US-UT"], "open_to_firms_abroad": True},
    rules=[{"type": "operates_in", "countries": ["US"], "text": "Based in, or expanding to, the United States."}],
    source_kind="operator",
    languages=["en"],
)


def saved(programme=UTAH, **document: Any) -> ProgrammeRecord:
    """The programme saved as a draft; `document` replaces parts of what is stored (to write an older record)."""
    with write_transaction():
        record = curation.save(programme, creating=True)
        if document:
            record.document = {**record.document, **document}
    return record


def stored(programme_id: str) -> ProgrammeRecord:
    db.session.expire_all()
    return db.session.get(ProgrammeRecord, programme_id)


def test_the_programme_page_says_where_it_serves_and_whose_page_the_source_is(client, app_context):
    saved()
    sign_in(client, make_staff("viewer"))
    html = client.get("/admin/programmes/us-test-utah").get_data(as_text=True)
    check_page(html)
    assert "Serves: Utah (US-UT); open to firms from abroad." in html
    assert 'Source: <a class="govuk-link" href="https://example.org/programme">the operator\'s page</a>' in html
    assert "Sources read on November 1, 2026" in html


def test_a_record_stored_before_territories_reads_as_its_country_and_a_third_party_source(client, app_context):
    older = make_programme(id="fr-test-older")
    record = saved(older)
    with write_transaction():
        record.document = {k: v for k, v in record.document.items() if k not in ("territory", "source_kind")}
    sign_in(client, make_staff("curator"))
    page = client.get("/admin/programmes/fr-test-older").get_data(as_text=True)
    assert "Serves: France." in page and "a third-party page (no official page found)</a>" in page
    form = client.get("/admin/programmes/fr-test-older/edit").get_data(as_text=True)
    check_page(form)
    assert 'name="territory-kind" type="radio" value="country" checked' in form
    assert 'name="source_kind" type="radio" value="third_party" checked' in form
    data = document_to_form_data(stored("fr-test-older").document)
    assert client.post("/admin/programmes/fr-test-older/edit", data=formdata(data)).status_code == 302
    assert stored("fr-test-older").document["territory"] == {
        "country": "FR",
        "regions": [],
        "anywhere": False,
        "open_to_firms_abroad": False,
    }


def test_a_bad_territory_is_explained_on_its_field_and_changes_nothing(client, app_context):
    saved()
    before = dict(stored("us-test-utah").document)
    sign_in(client, make_staff("curator"))
    data = document_to_form_data(before)
    for territory, field in (({"area": "EU"}, "territory-area"), ({"regions": "US-UT, CA-ON"}, "territory-regions")):
        response = client.post(
            "/admin/programmes/us-test-utah/edit", data=formdata({**data, "territory": {**data["territory"], **territory}})
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and f'href="#{field}"' in html
        check_page(html)
    assert "Not regions of US: CA-ON" in html and 'value="US-UT, CA-ON"' in html
    assert stored("us-test-utah").document == before
    assert len(curation.versions("us-test-utah")) == 1


def test_an_editor_changes_where_a_programme_serves(client, app_context):
    saved()
    sign_in(client, make_staff("curator"))
    data = document_to_form_data(stored("us-test-utah").document)
    data["territory"] = {"kind": "country", "country": "US", "regions": "", "area": "", "open_to_firms_abroad": False}
    assert client.post("/admin/programmes/us-test-utah/edit", data=formdata(data)).status_code == 302
    assert list(curation.versions("us-test-utah")[0].diff) == ["territory"]
    assert "Serves: United States." in client.get("/admin/programmes/us-test-utah").get_data(as_text=True)


def test_the_reach_preview_says_where_it_serves_and_withholds_a_small_count_of_firms_outside(client, app_context):
    for _ in range(2):
        assert client.post("/api/v1/assessments", json=make_request({"country": "DE"})).status_code == 201
    saved(make_programme(id="fr-test-reach"))
    sign_in(client, make_staff("viewer"))
    html = client.get("/admin/programmes/fr-test-reach/reach").get_data(as_text=True)
    check_page(html)
    assert "Serves: France." in html
    assert "Fewer than 10 firms outside where it serves never see it, so they are not counted." in html

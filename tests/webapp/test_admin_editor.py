"""The programme editor pages: create, edit (a version with its diff), add a rule, preview, duplicate, errors."""

from __future__ import annotations

from tests.factories import programme_document
from tests.webapp.admin_helpers import make_staff, sign_in
from tests.webapp.test_pages import check_page
from tests.webapp.test_programme_forms import formdata
from webapp.admin import curation
from webapp.admin.programme_documents import document_to_form_data
from webapp.db import ProgrammeRecord, db


def test_create_a_programme_as_a_draft_through_the_form(client, app_context):
    sign_in(client, make_staff("curator"))
    page = client.get("/admin/programmes/new")
    assert page.status_code == 200
    check_page(page.get_data(as_text=True))
    data = document_to_form_data(programme_document(id="fr-editor-new", name="Made in the editor"))
    response = client.post("/admin/programmes/new", data=formdata(data))
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/programmes/fr-editor-new")
    record = db.session.get(ProgrammeRecord, "fr-editor-new")
    assert record.lifecycle == "draft" and record.document["name"] == "Made in the editor"


def test_edit_records_a_version_with_the_field_diff(client, app_context):
    sign_in(client, make_staff("curator"))
    client.post("/admin/programmes/new", data=formdata(document_to_form_data(programme_document(id="fr-editor-edit"))))
    form = client.get("/admin/programmes/fr-editor-edit/edit").get_data(as_text=True)
    assert 'value="fr-editor-edit"' in form
    changed = programme_document(id="fr-editor-edit", rules=[{"type": "max_employees", "limit": 50, "text": "Fewer than 50 employees."}])
    response = client.post("/admin/programmes/fr-editor-edit/edit", data=formdata(document_to_form_data(changed)))
    assert response.status_code == 302
    newest = curation.versions("fr-editor-edit")[0]
    assert list(newest.diff) == ["rules"] and newest.diff["rules"]["to"][0]["limit"] == 50


def test_the_id_of_an_existing_programme_cannot_change_by_editing(client, app_context):
    sign_in(client, make_staff("curator"))
    client.post("/admin/programmes/new", data=formdata(document_to_form_data(programme_document(id="fr-editor-fixed"))))
    renamed = document_to_form_data(programme_document(id="fr-editor-other"))
    response = client.post("/admin/programmes/fr-editor-fixed/edit", data=formdata(renamed))
    assert response.status_code == 400 and "duplicate it instead" in response.get_data(as_text=True)
    assert db.session.get(ProgrammeRecord, "fr-editor-other") is None


def test_add_a_rule_and_preview_without_saving(client, app_context):
    sign_in(client, make_staff("curator"))
    data = document_to_form_data(programme_document(id="fr-editor-preview", name="Preview me"))
    added = client.post("/admin/programmes/new", data=formdata({**data, "add_rule": "1"}))
    assert added.status_code == 200 and "rules-1-type" in added.get_data(as_text=True)
    preview = client.post("/admin/programmes/new", data=formdata({**data, "preview": "1"}))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Preview me" in html and "govuk-summary-card" in html
    assert db.session.get(ProgrammeRecord, "fr-editor-preview") is None


def test_errors_re_render_with_what_was_typed_and_save_nothing(client, app_context):
    sign_in(client, make_staff("curator"))
    data = document_to_form_data(programme_document(id="Not A Slug", name="Kept as typed"))
    response = client.post("/admin/programmes/new", data=formdata(data))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in html and "Kept as typed" in html
    assert db.session.scalar(db.select(ProgrammeRecord)) is None


def test_duplicate_prefills_a_new_id(client, app_context, with_catalogue):
    sign_in(client, make_staff("curator"))
    html = client.get("/admin/programmes/fr-osez-ia-diagnostic-data-ia/duplicate").get_data(as_text=True)
    assert 'value="fr-osez-ia-diagnostic-data-ia-copy"' in html and "(copy)" in html
    check_page(html)


def test_viewers_cannot_open_the_editor(client, app_context):
    sign_in(client, make_staff("viewer"))
    assert client.get("/admin/programmes/new").status_code == 403

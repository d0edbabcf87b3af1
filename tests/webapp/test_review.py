"""Published programmes change through review: an edit becomes a revision beside the published text, which SMEs
keep seeing until another person publishes the revision (or an administrator publishes it now, said as such)."""

from __future__ import annotations

import io

from sqlalchemy import select

from programmes.loader import dump
from tests.factories import make_programme, make_request, programme_document
from tests.webapp.admin_helpers import make_staff, sign_in
from tests.webapp.test_pages import check_page
from tests.webapp.test_programme_forms import formdata
from webapp.admin import curation, revisions
from webapp.admin.programme_documents import document_to_form_data
from webapp.catalogue import compiled_catalogue, current_version, document_digest, published_programmes
from webapp.db import AuditEntry, ProgrammeRecord, db, write_transaction

PROGRAMME_ID = "fr-test-reviewed"
LIVE_NAME, REVISED_NAME = "Advice as published", "Advice as revised"


def publish(**overrides) -> None:
    """The programme, created and published the ordinary way (draft, review, published)."""
    with write_transaction():
        curation.save(make_programme(id=PROGRAMME_ID, name=LIVE_NAME, **overrides), creating=True)
        curation.transition(PROGRAMME_ID, "in_review")
        curation.transition(PROGRAMME_ID, "published")


def stored() -> ProgrammeRecord:
    db.session.expire_all()
    return db.session.get(ProgrammeRecord, PROGRAMME_ID)


def edit(client, **changes):
    """Save the editor's form for the programme, as a browser posts it."""
    document = programme_document(**{"id": PROGRAMME_ID, "name": LIVE_NAME, **changes})
    return client.post(f"/admin/programmes/{PROGRAMME_ID}/edit", data=formdata(document_to_form_data(document)))


def step(client, name: str, **form):
    """Press one of the revision's buttons on the programme page (carrying the digest of the text shown there)."""
    return client.post(f"/admin/programmes/{PROGRAMME_ID}/revision/{name}", data={"seen": revisions.revision_digest(stored()), **form})


def names_smes_see(client) -> set[str]:
    document = client.post("/api/v1/assessments", json=make_request()).get_json()
    return {m["name"] for m in document["matches"] if m["programme_id"] == PROGRAMME_ID}


def audit_entries(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def flashed(client) -> str:
    return client.get(f"/admin/programmes/{PROGRAMME_ID}").get_data(as_text=True)


def test_smes_see_the_published_text_until_another_curator_publishes_the_revision(app, app_context):
    publish()
    version = current_version()
    author, reviewer = make_staff("curator", "author@agency.example"), make_staff("curator", "reviewer@agency.example")
    writing, reviewing = app.test_client(), app.test_client()
    sign_in(writing, author)
    sign_in(reviewing, reviewer)

    response = edit(writing, name=REVISED_NAME)
    assert response.status_code == 302
    record = stored()
    assert record.document["name"] == LIVE_NAME and record.revision_document["name"] == REVISED_NAME
    assert (record.revision_lifecycle, record.revision_origin, record.revision_author) == ("draft", "editor", author.email)
    assert current_version() == version
    assert names_smes_see(writing) == {LIVE_NAME}
    assert [p.name for p in published_programmes() if p.id == PROGRAMME_ID] == [LIVE_NAME]
    assert "SMEs keep seeing the published text" in flashed(writing)

    step(writing, "move", to="in_review")
    assert stored().revision_lifecycle == "in_review" and names_smes_see(writing) == {LIVE_NAME}

    # The author is not their own reviewer: the page offers no publish button, and a forged post is refused.
    page = flashed(writing)
    assert "another curator reviews and publishes it" in page and "publish the revision</button>" not in page
    step(writing, "publish")
    assert "someone else must review and publish it" in flashed(writing)
    assert stored().revision_lifecycle == "in_review" and names_smes_see(writing) == {LIVE_NAME}

    assert "I have reviewed it: publish the revision" in flashed(reviewing)
    step(reviewing, "publish")
    record = stored()
    assert record.document["name"] == REVISED_NAME and record.revision_document is None and record.revision_lifecycle is None
    assert (record.origin, record.origin_digest) == ("editor", document_digest(record.document))
    assert current_version() != version
    assert names_smes_see(reviewing) == {REVISED_NAME}
    assert [p.name for p in compiled_catalogue().programmes if p.id == PROGRAMME_ID] == [REVISED_NAME]
    newest = curation.versions(PROGRAMME_ID)[0]
    assert newest.note == "reviewed and published by reviewer@agency.example" and newest.lifecycle == "published"
    assert newest.actor_email == reviewer.email and newest.diff["name"] == {"from": LIVE_NAME, "to": REVISED_NAME}
    [published] = audit_entries("publish_revision")
    assert published.actor_email == reviewer.email
    assert published.diff["reviewer"] == reviewer.email and published.diff["author"] == author.email
    assert published.diff["note"] == "reviewed and published by reviewer@agency.example"
    assert audit_entries("publish_now") == []


def test_publish_now_is_for_administrators_and_the_audit_log_names_it(app, app_context):
    publish()
    admin, curator = make_staff("admin"), make_staff("curator")
    as_admin, as_curator = app.test_client(), app.test_client()
    sign_in(as_admin, admin)
    sign_in(as_curator, curator)
    edit(as_admin, name=REVISED_NAME)
    assert stored().revision_author == admin.email

    assert "Publish now, without review" not in flashed(as_curator)
    assert step(as_curator, "publish-now").status_code == 403
    assert stored().revision_document is not None

    # An administrator's own revision, still in draft: the only way to publish it without another reviewer.
    assert "Publish now, without review" in flashed(as_admin)
    step(as_admin, "publish-now")
    record = stored()
    assert record.document["name"] == REVISED_NAME and record.revision_document is None
    assert names_smes_see(as_admin) == {REVISED_NAME}
    [entry] = audit_entries("publish_now")
    assert entry.actor_email == admin.email and entry.diff["reviewer"] is None and entry.diff["skipped_review_from"] == "draft"
    assert entry.diff["note"] == "published now by admin@agency.example, without review"
    assert audit_entries("publish_revision") == []
    assert curation.versions(PROGRAMME_ID)[0].note == "published now by admin@agency.example, without review"


def test_an_administrator_cannot_publish_their_own_revision_as_if_reviewed(app, app_context):
    publish()
    admin = make_staff("admin")
    client = app.test_client()
    sign_in(client, admin)
    edit(client, name=REVISED_NAME)
    step(client, "move", to="in_review")
    step(client, "publish")
    assert "someone else must review and publish it" in flashed(client)
    assert stored().document["name"] == LIVE_NAME


def test_a_revision_changed_after_the_page_was_read_is_not_published_unseen(app, app_context):
    publish()
    author, reviewer = make_staff("curator", "author@agency.example"), make_staff("curator", "reviewer@agency.example")
    writing, reviewing = app.test_client(), app.test_client()
    sign_in(writing, author)
    sign_in(reviewing, reviewer)
    edit(writing, name=REVISED_NAME)
    step(writing, "move", to="in_review")
    seen = revisions.revision_digest(stored())  # the reviewer opens the page ...
    edit(writing, name="Changed while under review")  # ... the author changes the text ...
    assert stored().revision_lifecycle == "draft"  # ... which sends it back to draft, to be reviewed again
    reviewing.post(f"/admin/programmes/{PROGRAMME_ID}/revision/publish", data={"seen": seen})
    assert "changed since you opened the page" in flashed(reviewing)
    assert stored().document["name"] == LIVE_NAME
    assert "back to draft: the text under review changed" in curation.versions(PROGRAMME_ID)[0].note


def test_the_revision_goes_back_to_draft_and_can_be_discarded_keeping_its_text_in_the_history(client, app_context):
    publish()
    sign_in(client, make_staff("curator"))
    version = current_version()
    edit(client, name=REVISED_NAME)
    step(client, "move", to="in_review")
    step(client, "move", to="draft")
    assert stored().revision_lifecycle == "draft"
    step(client, "discard")
    record = stored()
    assert record.revision_document is None and record.revision_lifecycle is None and record.revision_author is None
    assert record.document["name"] == LIVE_NAME and current_version() == version
    discarded = curation.versions(PROGRAMME_ID)[0]
    assert discarded.lifecycle == "revision_discarded" and discarded.document["name"] == REVISED_NAME
    assert [e.diff["version"] for e in audit_entries("discard_revision")] == [discarded.number]
    assert {"edit_revision", "submit_revision_for_review", "revision_back_to_draft"} <= {
        e.action for e in db.session.scalars(select(AuditEntry))
    }
    # Nothing is lost: the discarded text can come back, as a revision again.
    client.post(f"/admin/programmes/{PROGRAMME_ID}/restore/{discarded.number}")
    record = stored()
    assert record.revision_document["name"] == REVISED_NAME and record.document["name"] == LIVE_NAME


def test_the_history_labels_the_published_text_and_the_revisions_and_the_page_shows_the_pending_one(client, app_context):
    publish()
    sign_in(client, make_staff("curator"))
    edit(client, name=REVISED_NAME, rules=[{"type": "max_employees", "limit": 50, "text": "Fewer than 50 employees."}])
    step(client, "move", to="in_review")
    html = flashed(client)
    check_page(html)
    history = html.split("Every saved version", 1)[1]
    rows = history.split("<tbody", 1)[1].split("</tbody>", 1)[0].split("</tr>")
    assert "Revision, in review" in rows[0] and "Revision, draft" in rows[1] and "Published text" in rows[2]
    pending = html.split('id="revision-summary"', 1)[1].split("</div>", 1)[0]
    assert "in review" in pending and "curator@agency.example" in pending
    changes = html.split('id="revision-changes"', 1)[1].split("</table>", 1)[0]
    assert LIVE_NAME in changes and REVISED_NAME in changes
    assert "Only in the published text:" in changes and "Open to firms in France." in changes
    assert "Only in the revision:" in changes and "Fewer than 50 employees." in changes
    # While a revision waits, the programme cannot leave the catalogue.
    assert ">Archive<" not in html
    try:
        with write_transaction():
            curation.transition(PROGRAMME_ID, "archived")
        raise AssertionError("a programme with a waiting revision was archived")
    except curation.CurationError as problem:
        assert "Publish or discard the revision" in str(problem)
    assert stored().lifecycle == "published"


def test_reach_and_card_previews_work_on_the_revision_before_it_goes_live(client, app_context, with_catalogue):
    publish()
    for employees in [20] * 12 + [120] * 11:
        assert client.post("/api/v1/assessments", json=make_request({"employees": employees})).status_code == 201
    sign_in(client, make_staff("curator"))
    small_only = [
        {"type": "country_in", "countries": ["FR"], "text": "Open to firms in France."},
        {"type": "max_employees", "limit": 50, "text": "Open to firms with fewer than 50 employees."},
    ]
    edit(client, name=REVISED_NAME, rules=small_only)

    def overall(html: str) -> list[str]:
        cells = html.split("All firms", 1)[1].split("</table>", 1)[0]
        return [c.split(">")[-1] for c in cells.split("</td>")[:3]]

    live = client.get(f"/admin/programmes/{PROGRAMME_ID}/reach").get_data(as_text=True)
    revised = client.get(f"/admin/programmes/{PROGRAMME_ID}/reach?text=revision").get_data(as_text=True)
    check_page(revised)
    assert overall(live)[0] == "23"
    assert overall(revised) == ["12", "not shown", "11"]
    assert "Whom the revision would reach" in revised and "This is the revision" in revised and REVISED_NAME in revised

    card = client.get(f"/admin/programmes/{PROGRAMME_ID}/card?text=revision").get_data(as_text=True)
    check_page(card)
    assert "This is the revision" in card and REVISED_NAME in card
    assert "Open to firms with fewer than 50 employees." in card
    published_card = client.get(f"/admin/programmes/{PROGRAMME_ID}/card").get_data(as_text=True)
    assert LIVE_NAME in published_card and REVISED_NAME not in published_card

    # The editor starts from the revision, says what saving does, and its card preview is the revision's.
    editor = client.get(f"/admin/programmes/{PROGRAMME_ID}/edit").get_data(as_text=True)
    assert f'value="{REVISED_NAME}"' in editor and "What you save here is its revision" in editor
    document = programme_document(id=PROGRAMME_ID, name="Previewed only")
    preview = client.post(f"/admin/programmes/{PROGRAMME_ID}/edit", data=formdata({**document_to_form_data(document), "preview": "1"}))
    assert "Preview of the revision" in preview.get_data(as_text=True)
    assert stored().revision_document["name"] == REVISED_NAME


def test_saving_the_published_text_unchanged_makes_no_revision(client, app_context):
    publish()
    sign_in(client, make_staff("curator"))
    edit(client)
    assert stored().revision_document is None
    assert "Nothing was saved" in flashed(client)


def test_an_unpublished_programme_is_edited_in_place_as_the_editors_text(client, app_context):
    with write_transaction():
        curation.save(make_programme(id=PROGRAMME_ID, name=LIVE_NAME), creating=True)
    sign_in(client, make_staff("curator"))
    edit(client, name=REVISED_NAME)
    record = stored()
    assert record.lifecycle == "draft" and record.document["name"] == REVISED_NAME and record.revision_document is None
    assert (record.origin, record.origin_version, record.origin_digest) == ("editor", None, document_digest(record.document))


def test_marking_the_sources_read_dates_the_waiting_revision_too(client, app_context):
    publish(last_verified="2025-01-15")
    sign_in(client, make_staff("curator"))
    edit(client, name=REVISED_NAME, last_verified="2025-01-15")
    client.post(f"/admin/programmes/{PROGRAMME_ID}/verify")
    record = stored()
    assert record.document["last_verified"] == record.revision_document["last_verified"] != "2025-01-15"


def test_the_dashboard_and_the_list_show_revisions_waiting(client, app_context):
    publish()
    sign_in(client, make_staff("curator"))
    edit(client, name=REVISED_NAME)
    dashboard = client.get("/admin/").get_data(as_text=True)
    waiting = dashboard.split('id="revisions-waiting"', 1)[1].split("</ul>", 1)[0]
    assert LIVE_NAME in waiting and "revision in draft" in waiting and "curator@agency.example" in waiting
    assert "revision in draft" in client.get("/admin/programmes").get_data(as_text=True)


def upload(client, programmes, apply: bool):
    text = dump(programmes, "json")
    data = {"file": (io.BytesIO(text.encode()), "batch.json"), "apply": "1" if apply else "0"}
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def test_an_import_offers_changes_to_published_programmes_as_revisions_and_new_ones_as_drafts(client, app_context):
    publish()
    version = current_version()
    sign_in(client, make_staff("curator"))
    batch = [make_programme(id=PROGRAMME_ID, name=REVISED_NAME), make_programme(id="fr-test-imported-new")]

    dry = upload(client, batch, apply=False).get_data(as_text=True)
    assert "1 would be created as drafts, 1 would get a revision for review" in dry
    assert stored().revision_document is None and db.session.get(ProgrammeRecord, "fr-test-imported-new") is None

    applied = upload(client, batch, apply=True).get_data(as_text=True)
    assert "Imported: 1 created as drafts, 1 revisions for review" in applied
    record = stored()
    assert record.document["name"] == LIVE_NAME and record.revision_document["name"] == REVISED_NAME
    assert (record.revision_lifecycle, record.revision_origin, record.revision_author) == ("draft", "file", "curator@agency.example")
    new = db.session.get(ProgrammeRecord, "fr-test-imported-new")
    assert new.lifecycle == "draft" and (new.origin, new.origin_digest) == ("file", document_digest(new.document))
    assert current_version() == version and names_smes_see(client) == {LIVE_NAME}
    [entry] = audit_entries("import")
    assert entry.diff["revised"] == [PROGRAMME_ID] and entry.diff["created"] == ["fr-test-imported-new"]

    # A revision already waiting is a person's work in progress: a second file does not replace it.
    again = upload(client, [make_programme(id=PROGRAMME_ID, name="Yet another name")], apply=True).get_data(as_text=True)
    assert "1 kept" in again and stored().revision_document["name"] == REVISED_NAME


def test_a_revision_offered_by_the_command_line_import_is_reviewed_and_published_the_same_way(client, app_context):
    from webapp.catalogue import BUNDLED, apply_plan, plan_import, upsert_programmes

    with write_transaction():
        upsert_programmes([make_programme(id=PROGRAMME_ID, name=LIVE_NAME)], origin=BUNDLED)
    with write_transaction():
        apply_plan(plan_import([make_programme(id=PROGRAMME_ID, name=REVISED_NAME)], BUNDLED), "bundled", lambda *_: None)
    assert stored().revision_document["name"] == REVISED_NAME and names_smes_see(client) == {LIVE_NAME}
    sign_in(client, make_staff("curator"))
    assert "Revision, draft" in flashed(client)
    step(client, "move", to="in_review")
    step(client, "publish")  # the text came from the release, not from this curator: their review publishes it
    record = stored()
    assert record.document["name"] == REVISED_NAME and names_smes_see(client) == {REVISED_NAME}
    assert (record.origin, record.origin_digest) == (BUNDLED, document_digest(record.document))

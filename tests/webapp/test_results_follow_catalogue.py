"""Results follow the catalogue: the same answers are matched again once the catalogue changed, a result made with
an older catalogue says so and can be refreshed, and every refresh is a new entry in the history."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.webapp.journey_helpers import ABOUT, BUSINESS, complete, start
from tests.webapp.test_csrf import _complete, count, csrf_app, form_token, token_on  # noqa: F401  (csrf_app: a fixture)
from tests.webapp.test_csrf import start as start_guarded
from webapp.catalogue import refresh_version
from webapp.db import Assessment, Draft, ProgrammeRecord, db, write_transaction

CHANGED = "fr-osez-ia-diagnostic-data-ia"  # a programme the journey's French manufacturer is offered


def results_in_history() -> list[Assessment]:
    db.session.rollback()  # what is committed now
    return list(db.session.scalars(select(Assessment).order_by(Assessment.sequence)))


def change_the_catalogue(programme_id: str = CHANGED) -> None:
    """What publishing a curated edit does to the published catalogue: another document, a new catalogue version."""
    with write_transaction():
        record = db.session.get(ProgrammeRecord, programme_id)
        benefit = {**record.document["benefit"], "description": "A ten-day expert diagnostic, now half paid by the State."}
        record.document = {**record.document, "benefit": benefit}
        refresh_version()


def test_the_same_answers_after_a_catalogue_change_make_a_second_result(client, with_catalogue):
    token = complete(client)
    client.post(f"/p/{token}/submit")
    change_the_catalogue()
    client.post(f"/p/{token}/submit")
    first, second = results_in_history()
    assert (first.sequence, second.sequence) == (1, 2)
    assert first.draft_revision == second.draft_revision  # the same answers
    assert first.catalogue_version != second.catalogue_version
    page = client.get(f"/results/{token}").get_data(as_text=True)
    assert "The catalogue changed since your last results: 1 programme changed for your business." in page
    assert "You have already submitted" not in page
    # A third submit, with nothing changed since, shows the second result again.
    client.post(f"/p/{token}/submit")
    assert len(results_in_history()) == 2


def test_a_result_made_with_an_older_catalogue_says_so_and_a_refresh_is_a_new_entry(client, with_catalogue):
    token = complete(client)
    client.post(f"/p/{token}/submit")
    assert 'id="outdated"' not in client.get(f"/results/{token}").get_data(as_text=True)
    change_the_catalogue()
    page = client.get(f"/results/{token}").get_data(as_text=True)
    assert 'id="outdated"' in page and "earlier version of the programme catalogue" in page
    old = results_in_history()[0]
    old_result = old.result

    response = client.post(f"/results/{token}/1/refresh")
    assert response.status_code == 302 and response.headers["Location"] == f"/results/{token}"
    first, second = results_in_history()
    assert first.result == old_result  # never an edit of the old one
    assert second.sequence == 2 and second.request == first.request
    latest = client.get(f"/results/{token}").get_data(as_text=True)
    assert 'id="outdated"' not in latest and "1 programme changed for your business" in latest
    earlier = client.get(f"/results/{token}/1").get_data(as_text=True)
    assert 'id="outdated"' in earlier  # the old entry still says what it was made with

    client.post(f"/results/{token}/1/refresh")  # again: those answers already have today's result
    assert len(results_in_history()) == 2


def test_a_refresh_needs_the_forms_token_of_this_session(csrf_app):  # noqa: F811 (the fixture imported above)
    client = csrf_app.test_client()
    token = start_guarded(client)
    _complete(client, token)
    client.post(f"/p/{token}/submit", data={"csrf_token": token_on(client, f"/p/{token}/check")})
    with csrf_app.app_context():
        change_the_catalogue()
    before = count(csrf_app, Assessment)
    assert client.post(f"/results/{token}/1/refresh").status_code == 400
    assert count(csrf_app, Assessment) == before
    page = client.get(f"/results/{token}").get_data(as_text=True)
    assert 'id="outdated"' in page
    response = client.post(f"/results/{token}/1/refresh", data={"csrf_token": form_token(page.split('id="outdated"', 1)[1])})
    assert response.status_code == 302 and count(csrf_app, Assessment) == before + 1


def test_an_unknown_result_cannot_be_refreshed(client, with_catalogue):
    token = complete(client)
    client.post(f"/p/{token}/submit")
    assert client.post(f"/results/{token}/7/refresh").status_code == 404
    assert client.post("/results/not-a-token/1/refresh").status_code == 404


# ----------------------------------------------------------------------------------------------- come back later


def test_save_and_come_back_later_keeps_the_answer_on_screen(client, with_catalogue):
    token = start(client)
    response = client.post(f"/p/{token}/about", data={**ABOUT, "later": "1"})
    assert response.status_code == 302 and response.headers["Location"] == f"/p/{token}/save"
    db.session.rollback()
    draft = db.session.scalar(select(Draft))
    assert draft.data["enterprise"]["employees"] == 42 and draft.data["enterprise"]["country"] == "FR"
    assert "about" in draft.data["done"]


def test_come_back_later_on_a_page_with_a_mistake_says_it_was_not_saved_and_keeps_what_was_typed(client, with_catalogue):
    token = start(client)
    client.post(f"/p/{token}/about", data=ABOUT)
    response = client.post(f"/p/{token}/business", data={**BUSINESS, "founded_year": "twenty", "later": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "could not be saved as it is" in html and f'href="/p/{token}/save"' in html
    assert 'value="twenty"' in html
    db.session.rollback()
    assert "business" not in db.session.scalar(select(Draft)).data.get("done", [])


def test_the_button_is_a_button_not_a_link(client, with_catalogue):
    token = start(client)
    html = client.get(f"/p/{token}/about").get_data(as_text=True)
    button = re.search(r'<button[^>]*name="later"[^>]*>', html)
    assert button and 'value="1"' in button.group(0)
    assert f'<a class="govuk-link" href="/p/{token}/save">Come back later</a>' not in html


def test_history_counts_stay_exact(client, with_catalogue):
    token = complete(client)
    client.post(f"/p/{token}/submit")
    client.post(f"/p/{token}/submit")
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 1

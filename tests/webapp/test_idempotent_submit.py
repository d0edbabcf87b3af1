"""Nothing lost, nothing doubled: a submit stores one assessment per revision of the answers.

The suite runs on SQLite and on PostgreSQL (TEST_DATABASE_URL); the concurrent test uses two real connections,
so it checks the database's locking, not a simulation of it.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.webapp.journey_helpers import complete
from tests.webapp.test_api import SPEC_EXAMPLE
from webapp.db import Assessment, Draft, db


def assessment_count() -> int:
    db.session.rollback()  # read what is committed now, not an older snapshot
    return db.session.scalar(select(func.count()).select_from(Assessment))


def test_submitting_twice_stores_one_assessment_and_shows_the_same_results(client, with_catalogue):
    token = complete(client)
    first = client.post(f"/p/{token}/submit")
    second = client.post(f"/p/{token}/submit")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] == f"/results/{token}"
    assert assessment_count() == 1
    page = client.get(f"/results/{token}").get_data(as_text=True)
    assert "You have already submitted these answers" in page
    assert "These are earlier results" not in page


def test_first_submit_says_nothing_about_an_earlier_one(client, with_catalogue):
    token = complete(client)
    client.post(f"/p/{token}/submit")
    assert "You have already submitted" not in client.get(f"/results/{token}").get_data(as_text=True)


def test_back_then_submit_again_shows_the_stored_results(client, with_catalogue):
    token = complete(client)
    client.post(f"/p/{token}/submit")
    stored = db.session.scalar(select(Assessment))
    assert client.get(f"/p/{token}/check").status_code == 200  # the browser's Back button
    response = client.post(f"/p/{token}/submit")
    assert response.headers["Location"] == f"/results/{token}"
    assert assessment_count() == 1
    assert stored.id in client.get(f"/results/{token}/report.json").get_data(as_text=True)


def test_changing_an_answer_then_submitting_stores_a_second_assessment(client, with_catalogue):
    token = complete(client)
    client.post(f"/p/{token}/submit")
    client.post(f"/p/{token}/strategy?return=check", data={"level": "4"})
    client.post(f"/p/{token}/submit")
    assert assessment_count() == 2
    rows = db.session.execute(select(Assessment.sequence, Assessment.draft_revision).order_by(Assessment.sequence)).all()
    assert [r.sequence for r in rows] == [1, 2]
    assert rows[0].draft_revision < rows[1].draft_revision
    assert "You have already submitted" not in client.get(f"/results/{token}").get_data(as_text=True)


def test_every_save_that_changes_the_answers_counts_a_revision_and_a_submit_counts_none(client, with_catalogue):
    token = complete(client)  # 10 sections saved, each changing the answers
    revision = db.session.scalar(select(Draft.revision))
    assert revision == 10
    client.post(f"/p/{token}/submit")
    assert assessment_count() == 1
    assert db.session.scalar(select(Draft.revision)) == revision
    assert db.session.scalar(select(Assessment.draft_revision)) == revision


def test_saving_a_page_again_unchanged_is_no_new_revision(client, with_catalogue):
    token = complete(client)
    client.post(f"/p/{token}/submit")
    client.post(f"/p/{token}/strategy?return=check", data={"level": "1"})  # the answer complete() gave
    db.session.rollback()
    assert db.session.scalar(select(Draft.revision)) == 10
    client.post(f"/p/{token}/submit")
    assert assessment_count() == 1


def test_two_submits_at_once_store_one_assessment_and_both_show_the_results(app_context, with_catalogue):
    app = app_context
    token = complete(app.test_client())
    db.session.rollback()  # end this thread's read, so only the two submits hold the database
    ready = threading.Barrier(2)
    responses: list = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            with app.app_context():
                client = app.test_client()
                ready.wait()
                responses.append(client.post(f"/p/{token}/submit"))
                db.session.remove()
        except BaseException as error:  # reported by the assertion below, with its traceback
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert [r.status_code for r in responses] == [302, 302]
    assert {r.headers["Location"] for r in responses} == {f"/results/{token}"}
    assert assessment_count() == 1


# The API: an Idempotency-Key makes a retried POST return the first result.

API = "/api/v1/assessments"


def test_api_retry_with_the_same_key_returns_the_stored_assessment(client, with_catalogue):
    headers = {"Idempotency-Key": "9b2f6d1e-3c4a-4f6b-8a7e-2d1c0b9a8f7e"}
    first = client.post(API, json=SPEC_EXAMPLE, headers=headers)
    again = client.post(API, json=dict(reversed(list(SPEC_EXAMPLE.items()))), headers=headers)  # same body, keys reordered
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert assessment_count() == 1


def test_api_same_key_with_another_body_is_refused_and_stores_nothing(client, with_catalogue):
    headers = {"Idempotency-Key": "order-42"}
    assert client.post(API, json=SPEC_EXAMPLE, headers=headers).status_code == 201
    other = {**SPEC_EXAMPLE, "goals": ["fund_project"]}
    response = client.post(API, json=other, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "idempotency_key_reused"
    assert assessment_count() == 1


def test_api_without_a_key_or_with_different_keys_stores_each_post(client, with_catalogue):
    client.post(API, json=SPEC_EXAMPLE)
    client.post(API, json=SPEC_EXAMPLE)
    client.post(API, json=SPEC_EXAMPLE, headers={"Idempotency-Key": "a"})
    client.post(API, json=SPEC_EXAMPLE, headers={"Idempotency-Key": "b"})
    assert assessment_count() == 4


@pytest.mark.parametrize("key", ["", "x" * 201, "clé", " padded "])
def test_api_invalid_key_is_400_and_stores_nothing(client, with_catalogue, key):
    response = client.post(API, json=SPEC_EXAMPLE, headers={"Idempotency-Key": key})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_idempotency_key"
    assert assessment_count() == 0


def test_api_key_is_stored_as_a_digest(client, with_catalogue):
    client.post(API, json=SPEC_EXAMPLE, headers={"Idempotency-Key": "my-secret-retry-key"})
    stored = db.session.scalar(select(Assessment.idempotency_key))
    assert stored is not None and "my-secret-retry-key" not in stored and len(stored) == 64


def test_api_two_posts_with_one_key_at_once_store_one_assessment(app_context, with_catalogue):
    app = app_context
    db.session.rollback()
    ready = threading.Barrier(2)
    responses: list = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            with app.app_context():
                client = app.test_client()
                ready.wait()
                responses.append(client.post(API, json=SPEC_EXAMPLE, headers={"Idempotency-Key": "same-time"}))
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(r.status_code for r in responses) == [200, 201]
    assert responses[0].get_json() == responses[1].get_json()
    assert assessment_count() == 1

"""The SME journey through the Flask client: every page and transition, and the bad inputs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from tests.webapp.journey_helpers import ABOUT, BUSINESS, complete, start
from tests.webapp.test_pages import check_page
from webapp.db import Assessment, Draft, db, write_transaction
from webapp.drafts import digest


def draft_data(token: str) -> dict:
    db.session.rollback()
    return db.session.get(Draft, digest(token)).data


def test_start_creates_a_draft_behind_a_private_link(client):
    token = start(client)
    assert len(token) >= 22  # 144 random bits
    assert db.session.get(Draft, digest(token)) is not None
    assert db.session.scalar(select(func.count()).select_from(Draft).where(Draft.id == token)) == 0  # only the digest is kept


@pytest.mark.parametrize("path", ["quick", "full"])
def test_every_section_page_renders_with_progress_and_a_back_link(client, path):
    token = start(client, path)
    slugs = ["about", "business", "strategy", "skills", "data", "cloud", "compute", "funding", "governance", "goals"]
    for number, slug in enumerate(slugs, start=1):
        response = client.get(f"/p/{token}/{slug}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        check_page(html)
        assert f"Section {number} of 10" in html
        assert "govuk-back-link" in html


def test_quick_check_end_to_end_gives_results(client, with_catalogue):
    token = complete(client, "quick")
    check = client.get(f"/p/{token}/check")
    assert check.status_code == 200
    html = check.get_data(as_text=True)
    check_page(html)
    assert "Atelier Dupont" in html and "EUR 4,500,000" in html
    response = client.post(f"/p/{token}/submit")
    assert response.status_code == 302 and response.headers["Location"] == f"/results/{token}"
    results = client.get(f"/results/{token}")
    assert results.status_code == 200
    page = results.get_data(as_text=True)
    check_page(page)
    assert "AI readiness is 26 out of 100" in page
    assert "Exploring" in page
    assert "Osez l&#39;IA" in page or "Osez l'IA" in page
    assert "Programmes you could use with a change" in page


def test_full_assessment_end_to_end(client, with_catalogue):
    token = complete(client, "full")
    client.post(f"/p/{token}/submit")
    page = client.get(f"/results/{token}").get_data(as_text=True)
    assert "AI readiness is 100 out of 100" in page


def test_answers_are_kept_on_every_step_and_resume_goes_to_the_next_one(client):
    token = start(client)
    client.post(f"/p/{token}/about", data=ABOUT)
    assert draft_data(token)["enterprise"] == {"name": "Atelier Dupont", "country": "FR", "sector": "C", "employees": 42}
    response = client.get(f"/p/{token}")
    assert response.headers["Location"].endswith(f"/p/{token}/business")
    page = client.get(f"/p/{token}/about").get_data(as_text=True)
    assert 'value="Atelier Dupont"' in page and 'value="42"' in page


def test_change_from_check_your_answers_returns_there(client):
    token = complete(client)
    response = client.post(f"/p/{token}/about?return=check", data={**ABOUT, "employees": "300"})
    assert response.headers["Location"].endswith(f"/p/{token}/check")
    assert draft_data(token)["enterprise"]["employees"] == 300
    check = client.get(f"/p/{token}/check").get_data(as_text=True)
    assert "?return=check#employees" in check


def test_changing_country_forgets_the_old_region(client):
    token = start(client)
    client.post(f"/p/{token}/about", data=ABOUT)
    client.post(f"/p/{token}/business", data=BUSINESS)
    client.post(f"/p/{token}/about", data={**ABOUT, "country": "DE"})
    assert "region" not in draft_data(token)["enterprise"]


TAMPERED = [
    ({**ABOUT, "country": "XX"}, "about", "Not a valid choice"),
    ({**ABOUT, "employees": "-4"}, "about", "cannot be negative"),
    ({**ABOUT, "employees": "1e400"}, "about", "from 0 to 10,000,000"),
    ({**ABOUT, "employees": "99999999999"}, "about", "from 0 to 10,000,000"),
    ({**ABOUT, "employees": "4.5"}, "about", "whole number"),
    ({**ABOUT, "name": "x" * 10_000}, "about", "200 characters or fewer"),
    ({**ABOUT, "is_admin": "1"}, "about", "fields it should not have"),
    ({**ABOUT, "country": ""}, "about", "Select an option"),
    ({"level": "7"}, "strategy", "Not a valid choice"),
    ({"level": ""}, "strategy", "Select the answer"),
    ({"goals": ["world_domination"]}, "goals", "not a valid choice"),
    ({"goals": []}, "goals", "Select at least one"),
    ({"goals": ["scale_up"], "cofunding_capacity_pct": "150"}, "goals", "between 0 and 100"),
]


@pytest.mark.parametrize(("data", "slug", "message"), TAMPERED)
def test_tampered_or_bad_posts_re_render_with_errors_and_store_nothing(client, data, slug, message):
    token = start(client)
    before = draft_data(token)
    response = client.post(f"/p/{token}/{slug}", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert "<title>Error:" in html
    check_page(html)
    assert draft_data(token) == before


def test_what_was_typed_is_shown_again_after_an_error(client):
    token = start(client)
    html = client.post(f"/p/{token}/about", data={**ABOUT, "employees": "forty-two"}).get_data(as_text=True)
    assert 'value="forty-two"' in html and 'value="Atelier Dupont"' in html
    assert 'href="#employees"' in html  # the error summary links to the field


def test_business_numbers_in_other_formats_and_currencies(client):
    token = start(client)
    client.post(f"/p/{token}/about", data={**ABOUT, "country": "GB"})
    page = client.get(f"/p/{token}/business").get_data(as_text=True)
    assert '<option value="GBP" selected>' in page  # the country's currency is the default
    data = {
        **BUSINESS,
        "region": "GB-MAN",
        "annual_turnover_amount": "1 200 000.50",
        "annual_turnover_currency": "GBP",
        "independent": "unknown",
    }
    assert client.post(f"/p/{token}/business", data=data).status_code == 302
    enterprise = draft_data(token)["enterprise"]
    assert enterprise["annual_turnover"] == {"amount": 1200000.5, "currency": "GBP"}
    assert "independent" not in enterprise and enterprise["region"] == "GB-MAN"


def test_a_region_of_another_country_is_refused(client):
    token = start(client)
    client.post(f"/p/{token}/about", data=ABOUT)
    response = client.post(f"/p/{token}/business", data={**BUSINESS, "region": "DE-BY"})
    assert response.status_code == 400


@pytest.mark.parametrize("url", ["/p/{token}/about", "/p/{token}/check", "/p/{token}", "/p/{token}/save", "/results/{token}"])
def test_unknown_tokens_get_a_friendly_404(client, url):
    response = client.get(url.format(token="not-a-real-token-aaaaaaaaaaaa"))
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    check_page(html)
    assert "Page not found" in html and "Traceback" not in html


def test_an_expired_draft_is_gone(client):
    token = start(client)
    with write_transaction():
        db.session.get(Draft, digest(token)).expires_at = dt.datetime(2020, 1, 1)
    assert client.get(f"/p/{token}/about").status_code == 404


def test_submit_before_finishing_goes_to_the_first_missing_section(client, with_catalogue):
    token = start(client)
    client.post(f"/p/{token}/about", data=ABOUT)
    response = client.post(f"/p/{token}/submit")
    assert response.headers["Location"].endswith(f"/p/{token}/business")
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_results_are_recomputed_after_a_change_and_history_is_kept(client, with_catalogue):
    token = complete(client)
    client.post(f"/p/{token}/submit")
    client.post(f"/p/{token}/strategy?return=check", data={"level": "4"})
    client.post(f"/p/{token}/submit")
    latest = client.get(f"/results/{token}").get_data(as_text=True)
    earlier = client.get(f"/results/{token}/1").get_data(as_text=True)
    assert "AI readiness is 38 out of 100" in latest  # strategy 25 -> 100, weight 1.2 of 7.2
    assert "AI readiness is 26 out of 100" in earlier and "These are earlier results" in earlier
    assert f"/results/{token}/1" in latest
    assert client.get(f"/results/{token}/3").status_code == 404


def test_results_filters_work_without_javascript(client, with_catalogue):
    token = complete(client)
    client.post(f"/p/{token}/submit")
    everything = client.get(f"/results/{token}").get_data(as_text=True)
    skills_only = client.get(f"/results/{token}?category=skills&outcome=eligible&outcome=needs_info").get_data(as_text=True)

    def has_card_of(kind: str, page: str) -> bool:  # the card's "Kind of help" row
        return re.search(rf"Kind of help\s*</dt>\s*<dd[^>]*>\s*{kind}\s*</dd>", page) is not None

    assert has_card_of("Computing power and cloud", everything)
    assert not has_card_of("Computing power and cloud", skills_only) and has_card_of("Skills and training", skills_only)
    ignored = client.get(f"/results/{token}?category=<script>x</script>").get_data(as_text=True)
    assert "<script>x" not in ignored and "&lt;script&gt;x" not in ignored  # an unknown filter is dropped, not echoed
    assert has_card_of("Computing power and cloud", ignored)


def test_needs_info_cards_link_to_the_question_that_settles_it(client, with_catalogue):
    token = start(client)
    client.post(f"/p/{token}/about", data={**ABOUT, "employees": ""})
    client.post(f"/p/{token}/business", data=BUSINESS)
    for dimension in ("strategy", "skills", "data", "cloud", "compute", "funding", "governance"):
        client.post(f"/p/{token}/{dimension}", data={"level": "1"})
    client.post(f"/p/{token}/goals", data={"goals": ["fund_project"]})
    client.post(f"/p/{token}/submit")
    page = client.get(f"/results/{token}").get_data(as_text=True)
    assert f"/p/{token}/about?return=check" in page


@pytest.mark.parametrize(
    ("slug", "data", "field", "message"),
    [
        ("about", {**ABOUT, "employees": "-1"}, "employees", "The number of people cannot be negative: enter 0 or more"),
        ("about", {**ABOUT, "employees": "10,000,001"}, "employees", "Enter a number of people from 0 to 10,000,000"),
        ("about", {**ABOUT, "employees": "2.5"}, "employees", "Enter the number of people as a whole number, like 12"),
        ("about", {**ABOUT, "employees": "lots"}, "employees", "Enter the number of people as a whole number, like 12"),
        ("business", {**BUSINESS, "annual_turnover_amount": "-5"}, "annual_turnover_amount", "An amount of money cannot be negative"),
        (
            "business",
            {**BUSINESS, "annual_turnover_amount": "1e20"},
            "annual_turnover_amount",
            "Enter an amount of at most 10,000,000,000,000",
        ),
        ("business", {**BUSINESS, "founded_year": "3000"}, "founded_year", "The year your business was founded cannot be in the future"),
        ("business", {**BUSINESS, "founded_year": "1700"}, "founded_year", "Enter a year between 1800 and"),
        ("business", {**BUSINESS, "annual_growth_pct": "-101"}, "annual_growth_pct", "cannot shrink by more than 100 per cent"),
    ],
)
def test_a_number_out_of_range_gets_a_message_that_says_so(client, slug, data, field, message):
    token = start(client)
    client.post(f"/p/{token}/about", data=ABOUT)
    before = draft_data(token)
    response = client.post(f"/p/{token}/{slug}", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(rf'<p id="{field}-error" class="govuk-error-message">(.*?)</p>', html, re.S)
    assert error and message in error.group(1), html[:3000]
    assert draft_data(token) == before


def test_the_largest_headcount_allowed_is_saved(client):
    token = start(client)
    assert client.post(f"/p/{token}/about", data={**ABOUT, "employees": "10 000 000"}).status_code == 302
    assert draft_data(token)["enterprise"]["employees"] == 10_000_000


def test_a_name_keeps_its_text_without_control_or_bidi_characters(client):
    token = start(client)
    typed = "\u202eAtelier\u0000 Dupont\u2066 & fils\u2069\r\nS.A.\u200f"
    assert client.post(f"/p/{token}/about", data={**ABOUT, "name": typed}).status_code == 302
    assert draft_data(token)["enterprise"]["name"] == "Atelier Dupont & fils S.A.\u200f"
    page = client.get(f"/p/{token}/about").get_data(as_text=True)
    assert 'value="Atelier Dupont &amp; fils S.A.\u200f"' in page


def test_a_name_that_is_only_control_characters_is_no_name(client):
    token = start(client)
    assert client.post(f"/p/{token}/about", data={**ABOUT, "name": "\u202e\u0007"}).status_code == 302
    assert "name" not in draft_data(token)["enterprise"]

"""The SME journey in a real browser: both paths end to end, resume from the private link in a fresh browser,
change an answer from check your answers, and the results. axe-core checks every page on the way."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from models.readiness import load_bank
from tests.browser.axe import assert_no_axe_violations

BANK = load_bank()
QUICK_LEVELS = {"strategy": 1, "skills": 0, "data": 2, "cloud": 3, "compute": 0, "funding": 1, "governance": 0}


def continue_(page: Page) -> None:
    page.get_by_role("button", name=re.compile("^Save and (continue|return)")).click()


def check_and_continue(page: Page) -> None:
    assert_no_axe_violations(page)
    continue_(page)


def fill_about(page: Page, employees: str = "42") -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("About your business")
    expect(page.get_by_text("Section 1 of 10")).to_be_visible()
    page.get_by_label("Name of your business (optional)").fill("Atelier Dupont")
    page.get_by_label("In which country is your business established?").select_option("FR")
    page.get_by_label("What is your main line of business?").select_option("C")
    page.get_by_label("How many people work in your business?").fill(employees)
    check_and_continue(page)


def fill_business(page: Page) -> None:
    expect(page.get_by_text("Section 2 of 10")).to_be_visible()
    page.get_by_label("In which region is your business based?").select_option("FR-IDF")
    turnover = page.get_by_role("group", name=re.compile("turnover"))
    turnover.get_by_label("Amount").fill("4,500,000")
    page.get_by_label("In which year was your business founded?").fill("2016")
    page.get_by_label(re.compile("By how much has your business grown")).fill("25")
    page.get_by_role("group", name=re.compile("Is your business independent")).get_by_label("Yes").check()
    check_and_continue(page)


def fill_goals(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("What you want help with")
    page.get_by_label("Train our staff in AI").check()
    page.get_by_label("Get expert advice on where AI can help us").check()
    page.get_by_label(re.compile("how much could you pay")).fill("30")
    check_and_continue(page)


def start(page: Page, live_server: str, button: str) -> str:
    page.goto(live_server)
    assert_no_axe_violations(page)
    page.get_by_role("button", name=button).click()
    expect(page).to_have_url(re.compile(r"/p/[\w-]{22,}/about$"))
    return page.url.split("/p/")[1].split("/")[0]


def test_quick_check_end_to_end(page: Page, live_server: str, requested_hosts: list[str]) -> None:
    start(page, live_server, "Start the quick check")
    fill_about(page)
    fill_business(page)
    for dimension, level in QUICK_LEVELS.items():
        item = next(q for q in BANK.quick_check if q.dimension == dimension)
        expect(page.get_by_role("group", name=item.question)).to_be_visible()
        page.get_by_label(item.levels[level], exact=True).check()
        check_and_continue(page)
    fill_goals(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(page.get_by_text("EUR 4,500,000")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="See my results").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your results")
    expect(page.get_by_text(re.compile("stage 2 of 5, Exploring: its AI readiness is 26 out of 100"))).to_be_visible()
    # The readiness numbers are in a table beside the chart, behind a details element (it opens without JavaScript).
    page.get_by_text("Scores as a table").click()
    table = page.get_by_role("table", name="Your score in each area, out of 100")
    expect(table.get_by_role("row")).to_have_count(8)
    expect(page.locator("svg[role=img]")).to_have_count(1)
    # A programme this French firm must be offered opens to its whole card, with why it fits in words.
    row = page.locator("#programme-fr-osez-ia-diagnostic-data-ia")
    expect(row).to_be_visible()
    row.locator("summary").first.click()
    card = page.locator("#card-fr-osez-ia-diagnostic-data-ia")
    expect(card.get_by_text(re.compile("You asked for help with expert advice on where AI can help"))).to_be_visible()
    card.get_by_text("How the ranking works").click()
    expect(card.get_by_text(re.compile("42 employees, limit 5,000"))).to_be_visible()
    # Near misses are only those the firm could act on: none fails on where the firm is or on a closed call.
    expect(page.get_by_role("heading", name="Programmes you could use with a change")).to_be_visible()
    expect(page.get_by_text(re.compile(r"your business: Your business is established in FR"))).to_have_count(0)
    expect(page.get_by_text(re.compile(r"no new call is known"))).to_have_count(0)
    expect(page.get_by_role("heading", name="Your action plan")).to_be_visible()
    assert_no_axe_violations(page)
    assert requested_hosts == []


def test_full_assessment_end_to_end(page: Page, live_server: str) -> None:
    start(page, live_server, "Start the full assessment")
    fill_about(page)
    fill_business(page)
    for dimension in QUICK_LEVELS:
        for question in BANK.questions_for(dimension):
            group = page.get_by_role("group", name=question.text)
            best = max(question.options, key=lambda o: o.points)
            if question.kind == "multiple":
                for option in question.options:
                    if option.points > 0:
                        group.get_by_label(option.label, exact=True).check()
            else:
                group.get_by_label(best.label, exact=True).check()
        check_and_continue(page)
    fill_goals(page)
    page.get_by_role("button", name="See my results").click()
    expect(page.get_by_text(re.compile("its AI readiness is 100 out of 100"))).to_be_visible()
    expect(page.get_by_text(re.compile("Stage 5 of 5"))).to_be_visible()
    assert_no_axe_violations(page)


def test_errors_are_summarised_and_linked_to_their_fields(page: Page, live_server: str) -> None:
    start(page, live_server, "Start the quick check")
    page.get_by_label("How many people work in your business?").fill("forty-two")
    continue_(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile("^Error:"))
    assert_no_axe_violations(page)
    summary.get_by_role("link", name="Enter the number of people as a whole number, like 12").click()
    expect(page.get_by_label("How many people work in your business?")).to_be_focused()
    expect(page.get_by_label("How many people work in your business?")).to_have_value("forty-two")


def test_resume_from_the_private_link_in_a_fresh_browser(browser: Browser, page: Page, live_server: str) -> None:
    token = start(page, live_server, "Start the quick check")
    fill_about(page)
    # The answer picked just before leaving is saved: "Save and come back later" is a button that saves the page.
    page.get_by_label("In which region is your business based?").select_option("FR-IDF")
    page.get_by_role("button", name="Save and come back later").click()
    link = page.locator("#private-link").inner_text()
    assert link.endswith(f"/p/{token}")
    assert_no_axe_violations(page)

    fresh = browser.new_context()
    try:
        other = fresh.new_page()
        other.goto(link)
        expect(other).to_have_url(re.compile(rf"/p/{token}/strategy$"))  # the first section not yet answered
        other.goto(f"{live_server}/p/{token}/business")
        expect(other.get_by_label("In which region is your business based?")).to_have_value("FR-IDF")
        other.get_by_role("link", name="Back", exact=True).click()
        expect(other.get_by_label("Name of your business (optional)")).to_have_value("Atelier Dupont")
        expect(other.get_by_label("How many people work in your business?")).to_have_value("42")
    finally:
        fresh.close()


def answer_the_quick_check(page: Page, live_server: str) -> None:
    """From the start page to check your answers, with the example firm's answers (axe runs on each page)."""
    start(page, live_server, "Start the quick check")
    fill_about(page)
    fill_business(page)
    for dimension, level in QUICK_LEVELS.items():
        item = next(q for q in BANK.quick_check if q.dimension == dimension)
        page.get_by_label(item.levels[level], exact=True).check()
        check_and_continue(page)
    fill_goals(page)


def test_change_an_answer_from_check_your_answers(page: Page, live_server: str) -> None:
    answer_the_quick_check(page, live_server)
    page.get_by_role("link", name=re.compile("^Change How many people work")).click()
    field = page.get_by_label("How many people work in your business?")
    field.fill("300")
    page.get_by_role("button", name="Save and return to check your answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    row = page.locator(".govuk-summary-list__row", has_text="How many people work in your business?")
    expect(row.locator(".govuk-summary-list__value")).to_have_text("300")
    page.get_by_role("button", name="See my results").click()
    # 300 employees: the EU SME programmes now fail on size, and say so.
    expect(page.get_by_text(re.compile("your business: 300 employees")).first).to_be_visible()


def test_an_unknown_link_gets_the_friendly_404(page: Page, live_server: str) -> None:
    response = page.goto(f"{live_server}/p/not-a-real-token-at-all-0000")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_no_axe_violations(page)

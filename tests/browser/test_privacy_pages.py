"""The firm's privacy controls in a real browser, with axe-core on each page: consent to be contacted (unticked,
an error when the e-mail is missing, withdrawal in one step), deleting everything, and the API reference page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.test_journey import answer_the_quick_check


def quick_check_results(page: Page, live_server: str) -> str:
    answer_the_quick_check(page, live_server)
    page.get_by_role("button", name="See my results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your results")
    return page.url


def test_consent_is_asked_not_assumed_and_withdrawn_in_one_step(page: Page, live_server: str) -> None:
    quick_check_results(page, live_server)
    page.get_by_role("link", name="Ask an adviser to contact you").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact from an adviser")
    box = page.get_by_label("Yes, I would like an adviser to contact me about these results")
    expect(box).not_to_be_checked()
    assert_no_axe_violations(page)

    box.check()
    page.get_by_label("Your name (optional)").fill("Marie Dupont")
    page.get_by_role("button", name="Save your choice").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")  # the e-mail is missing
    expect(page.get_by_label("Your name (optional)")).to_have_value("Marie Dupont")  # nothing typed is lost
    assert_no_axe_violations(page)

    page.get_by_label("Email address").fill("marie@atelier.example")
    page.get_by_role("button", name="Save your choice").click()
    expect(page.get_by_text("marie@atelier.example")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Withdraw consent").click()
    expect(page.get_by_text("marie@atelier.example")).to_have_count(0)
    expect(page.get_by_text(re.compile("withdrawn on"))).to_be_visible()
    assert_no_axe_violations(page)


def test_deleting_everything_leaves_no_link_working(page: Page, live_server: str) -> None:
    results = quick_check_results(page, live_server)
    page.get_by_role("link", name="Delete all your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete all your data")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Delete all your data").click()
    assert_no_axe_violations(page)
    assert page.goto(results).status == 404


def test_the_api_reference_page_is_accessible(page: Page, live_server: str, requested_hosts: list[str]) -> None:
    page.goto(f"{live_server}/api/v1/docs")
    expect(page.get_by_role("heading", level=1)).to_have_text("API reference")
    expect(page.get_by_role("heading", name="POST /api/v1/assessments")).to_be_visible()
    assert_no_axe_violations(page)
    assert requested_hosts == []

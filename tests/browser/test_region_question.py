"""The region question in a real browser: the grouped list passes axe, and a region can be typed with JavaScript off."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_no_axe_violations

REGION = "In which region is your business based?"
TYPED = "Or type the name of your region or département"


def french_firm_at_business(page: Page, live_server: str) -> str:
    """A quick check for a French firm, on its business page; the token of its private link."""
    page.goto(live_server)
    page.get_by_role("button", name="Start the quick check").click()
    expect(page).to_have_url(re.compile(r"/p/[\w-]{22,}/about$"))
    page.get_by_label("In which country is your business established?").select_option("FR")
    page.get_by_label("How many people work in your business?").fill("42")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Section 2 of 10")).to_be_visible()
    return page.url.split("/p/")[1].split("/")[0]


def test_the_grouped_region_list_of_a_french_firm_passes_axe(page: Page, live_server: str) -> None:
    french_firm_at_business(page, live_server)
    region = page.get_by_label(REGION)
    expect(region.locator("optgroup[label='Île-de-France'] option").first).to_have_text("Île-de-France (whole region)")
    expect(page.get_by_text("Regions of France.")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label(TYPED).fill("Atlantis")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_title(re.compile("^Error:"))
    assert_no_axe_violations(page)
    page.locator(".govuk-error-summary").get_by_role("link", name=re.compile("‘Atlantis’")).click()
    expect(page.get_by_label(TYPED)).to_be_focused()
    expect(page.get_by_label(TYPED)).to_have_value("Atlantis")


def test_a_region_can_be_typed_without_javascript(browser: Browser, live_server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        token = french_firm_at_business(page, live_server)
        page.get_by_label(TYPED).fill("seine et marne")
        page.get_by_role("button", name="Save and continue").click()
        expect(page).to_have_url(re.compile(rf"/p/{token}/strategy$"))
        page.goto(f"{live_server}/p/{token}/business")
        expect(page.get_by_label(REGION)).to_have_value("FR-77")  # saved, and shown chosen in the list
        expect(page.get_by_label(TYPED)).to_have_value("")
    finally:
        context.close()

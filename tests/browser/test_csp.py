"""The pages under their real Content-Security-Policy: a browser context that does not bypass it (unlike the `page`
fixture, which must, for axe), and not one "Refused to ..." report on any page of the journey, the results, the
share pages, the errors or staff sign-in. GOV.UK Frontend's JavaScript still starts (it needs the nonce)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from models.readiness import load_bank

BANK = load_bank()


@pytest.fixture
def strict_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A page whose context enforces the CSP, with every console message and violation report it produced."""
    context = browser.new_context(bypass_csp=False)  # the conftest turns it on for every other context
    page = context.new_page()
    reports: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        reports.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: reports.append(f"pageerror: {error}"))
    # The browser also fires an event for each violation; keep them where the test can read them.
    page.add_init_script(
        "window.__csp = []; "
        "document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    yield page, reports
    context.close()


def assert_no_refusal(page: Page, reports: list[str]) -> None:
    page.wait_for_load_state("load")
    refused = [r for r in reports if "Refused to" in r or "Content Security Policy" in r]
    assert refused == [], f"{page.url}: {refused}"
    assert page.evaluate("window.__csp") == [], page.url
    # The inline js-enabled script ran (it carries the nonce) and GOV.UK Frontend's module started.
    assert "govuk-frontend-supported" in page.evaluate("document.body.className"), page.url
    expect(page.locator(".govuk-skip-link")).to_have_attribute("data-govuk-skip-link-init", "")


def continue_(page: Page) -> None:
    page.get_by_role("button", name=re.compile("^Save and (continue|return)")).click()


def test_no_page_is_refused_anything_by_the_csp(strict_page: tuple[Page, list[str]], live_server: str) -> None:
    page, reports = strict_page
    page.goto(live_server)
    assert_no_refusal(page, reports)
    page.get_by_role("button", name="Start the quick check").click()
    expect(page).to_have_url(re.compile(r"/p/[\w-]{22,}/about$"))
    token = page.url.split("/p/")[1].split("/")[0]

    continue_(page)  # nothing filled in: the error summary (focused by GOV.UK Frontend's script)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_no_refusal(page, reports)
    page.get_by_label("In which country is your business established?").select_option("FR")
    page.get_by_label("What is your main line of business?").select_option("C")
    page.get_by_label("How many people work in your business?").fill("42")
    continue_(page)
    assert_no_refusal(page, reports)  # the business page
    page.get_by_label("In which region is your business based?").select_option("FR-IDF")
    continue_(page)
    for item in BANK.quick_check:
        assert_no_refusal(page, reports)
        page.get_by_label(item.levels[1], exact=True).check()
        continue_(page)
    assert_no_refusal(page, reports)  # goals
    page.get_by_label("Train our staff in AI").check()
    continue_(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    assert_no_refusal(page, reports)
    page.get_by_role("button", name="See my results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your results")
    expect(page.locator("svg[role=img]")).to_have_count(1)  # the radar chart: inline SVG styled by classes only
    assert_no_refusal(page, reports)

    page.goto(f"{live_server}/results/{token}/share")
    assert_no_refusal(page, reports)
    page.get_by_role("button", name=re.compile("link", re.I)).first.click()
    shared = page.locator("#share-link").get_attribute("href")
    assert shared and "/shared/" in shared
    assert_no_refusal(page, reports)
    page.goto(shared)
    expect(page.locator("svg[role=img]")).to_have_count(1)
    assert_no_refusal(page, reports)

    for path in ("/no/such/page", f"/p/{token}x/about", "/admin/sign-in", "/privacy", "/accessibility"):
        page.goto(live_server + path)
        assert_no_refusal(page, reports)

"""Smoke tests in a real browser: the pages render with our stylesheet, load nothing from another host, and pass axe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_no_axe_violations

STATIC = Path(__file__).resolve().parents[2] / "webapp" / "static"


def test_start_page(page: Page, live_server: str, requested_hosts: list[str], console_errors: list[str], tmp_path: Path) -> None:
    response = page.goto(live_server + "/")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_text("Find public support to adopt AI in your business")
    expect(page).to_have_title("Start – Tremplin")
    expect(page.locator("header")).to_contain_text("Tremplin")
    expect(page.locator(".govuk-phase-banner")).to_contain_text("Beta")
    # The compiled stylesheet is applied (GOV.UK Frontend classes styled, our brand colour in the header).
    assert page.evaluate("getComputedStyle(document.querySelector('.tremplin-header')).backgroundColor") == "rgb(16, 97, 101)"
    assert "arial" in page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily").lower()
    # GOV.UK Frontend's JavaScript started (it marks each component it initialised).
    expect(page.locator(".govuk-skip-link")).to_have_attribute("data-govuk-skip-link-init", "")
    page.wait_for_load_state("networkidle")
    assert requested_hosts == []
    assert console_errors == []
    assert_no_axe_violations(page)
    screenshot = tmp_path / "start.png"
    page.screenshot(path=screenshot, full_page=True)
    print(f"screenshot: {screenshot}")


def test_not_found_page(page: Page, live_server: str, requested_hosts: list[str], console_errors: list[str], tmp_path: Path) -> None:
    response = page.goto(live_server + "/no/such/page")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page).to_have_title("Page not found – Tremplin")
    page.wait_for_load_state("networkidle")
    assert requested_hosts == []
    # The 404 itself is the one error the browser reports here.
    assert [e for e in console_errors if "404" not in e] == []
    assert_no_axe_violations(page)
    screenshot = tmp_path / "not-found.png"
    page.screenshot(path=screenshot, full_page=True)
    print(f"screenshot: {screenshot}")


def test_the_skip_link_is_first_and_reaches_the_main_content(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    skip = page.locator(".govuk-skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to main content")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"


def test_the_compiled_stylesheet_is_ours_and_self_contained() -> None:
    """No GOV.UK brand font or crest (Tremplin is not a GOV.UK service), and every url(...) is a file we serve."""
    css = (STATIC / "app.css").read_text(encoding="utf-8")
    for brand in ("GDS Transport", "crown", "crest", "@font-face"):
        assert brand.lower() not in css.lower(), f"{brand} in app.css: rebuild with `make assets`"
    for url in re.findall(r"url\(['\"]?([^'\")]+)", css):
        if url.startswith("data:"):
            continue
        assert url.startswith("/static/"), f"app.css loads {url} from elsewhere"
        assert (STATIC / url.removeprefix("/static/")).is_file(), f"app.css refers to {url}, which is missing"


@pytest.mark.parametrize("link", ["Privacy notice", "Accessibility statement"])
def test_footer_links_lead_to_accessible_pages(page: Page, live_server: str, requested_hosts: list[str], link: str) -> None:
    page.goto(live_server + "/")
    with page.expect_navigation() as navigation:
        page.locator("footer").get_by_role("link", name=link).click()
    assert navigation.value is not None and navigation.value.status == 200
    expect(page.locator("h1")).to_have_count(1)
    assert requested_hosts == []
    assert_no_axe_violations(page)

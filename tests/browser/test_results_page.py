"""The results page an owner understands in two minutes (issue #13): the best programmes on the first screen, a
short page with every list closed, reasons in words, and no accessibility violation; for a French manufacturer and
for a Japanese firm, on a laptop and on a phone.

Heights are layout facts (CSS pixels at a given width), not timings: the same page always measures the same.
Screenshots for docs/ are written only when TREMPLIN_SCREENSHOTS names a folder.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from models.readiness import load_bank
from programmes.vocabulary import GOALS
from tests.browser.axe import assert_no_axe_violations
from tests.browser.test_journey import continue_

BANK = load_bank()
LAPTOP, PHONE = {"width": 1280, "height": 800}, {"width": 375, "height": 812}
FIRST_SCREEN_PX = 1200  # the top three programme names must be above this on a laptop
MAX_HEIGHT_PX = 8000  # the whole page, every list closed, on a laptop
LEVELS = {"strategy": 1, "skills": 0, "data": 2, "cloud": 3, "compute": 0, "funding": 1, "governance": 0}


@dataclass(frozen=True)
class Firm:
    key: str
    name: str
    country: str
    region: str
    employees: str
    turnover: str


FRENCH_MANUFACTURER = Firm("fr-manufacturer", "Atelier Dupont", "FR", "FR-IDF", "42", "4,500,000")
JAPANESE_FIRM = Firm("jp-firm", "Tanaka Seisakusho", "JP", "JP-13", "40", "800,000,000")


def results_of(page: Page, live_server: str, firm: Firm) -> str:
    """Walk the quick check as the firm, asking for help with every goal; returns the results page's URL."""
    page.goto(live_server)
    page.get_by_role("button", name="Start the quick check").click()
    page.get_by_label("Name of your business (optional)").fill(firm.name)
    page.get_by_label("In which country is your business established?").select_option(firm.country)
    page.get_by_label("What is your main line of business?").select_option("C")
    page.get_by_label("How many people work in your business?").fill(firm.employees)
    continue_(page)
    page.locator("select[name=region]").select_option(firm.region)
    page.get_by_role("group", name=re.compile("turnover")).get_by_label("Amount").fill(firm.turnover)
    page.get_by_label("In which year was your business founded?").fill("2016")
    page.get_by_role("group", name=re.compile("Is your business independent")).get_by_label("Yes").check()
    continue_(page)
    for dimension, level in LEVELS.items():
        item = next(q for q in BANK.quick_check if q.dimension == dimension)
        page.get_by_label(item.levels[level], exact=True).check()
        continue_(page)
    for goal in GOALS:
        page.locator(f"input[name=goals][value={goal}]").check()
    continue_(page)
    page.get_by_role("button", name="See my results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your results")
    return page.url


def close_every_list(page: Page) -> None:
    page.evaluate("document.querySelectorAll('details[open]').forEach(d => d.removeAttribute('open'))")


def best_names_bottom(page: Page) -> list[float]:
    """Where the bottom of each "Best for you now" programme name lies, in CSS pixels from the page's top."""
    return page.eval_on_selector_all(
        ".tremplin-best__item h3", "names => names.map(n => n.getBoundingClientRect().bottom + window.scrollY)"
    )


def page_height(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("TREMPLIN_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


@pytest.mark.parametrize("firm", [FRENCH_MANUFACTURER, JAPANESE_FIRM], ids=lambda f: f.key)
def test_the_best_programmes_come_first_and_the_page_stays_short(browser: Browser, live_server: str, firm: Firm) -> None:
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    try:
        url = results_of(page, live_server, firm)
        close_every_list(page)
        screenshot(page, f"results-{firm.key}-1280.png")
        bottoms = best_names_bottom(page)
        height = page_height(page)
        print(f"\n{firm.key} at 1280 px: best names end at {[round(b) for b in bottoms]} px; page {height} px tall")
        assert len(bottoms) == 3, "three programmes are the best for this firm now"
        assert max(bottoms) <= FIRST_SCREEN_PX
        assert height < MAX_HEIGHT_PX
        # Each of the best speaks of the firm, not of the score: what it gets, why in words, what to do next.
        first = page.locator(".tremplin-best__item").first
        expect(first.get_by_text("What you get:")).to_be_visible()
        expect(first.get_by_text("Why it fits:")).to_be_visible()
        expect(first.get_by_text("Next step:")).to_be_visible()
        expect(
            first.locator("p", has_text=re.compile(r"You asked for help with|strengthens|meant for businesses at your stage"))
        ).to_be_visible()
        shown = page.inner_text("main")  # what is rendered: the text of closed details is not
        assert not re.search(r"adds \d|Match score", shown), "the score's arithmetic is closed away, under How the ranking works"
        assert_no_axe_violations(page)

        phone = context.new_page()
        phone.set_viewport_size(PHONE)
        phone.goto(url)
        close_every_list(phone)
        print(f"{firm.key} at 375 px: page {page_height(phone)} px tall")
        assert_no_axe_violations(phone)
        screenshot(phone, f"results-{firm.key}-375.png")
    finally:
        context.close()


def test_a_row_opens_to_the_whole_card_and_the_list_sorts_without_javascript(browser: Browser, live_server: str) -> None:
    walker = browser.new_context(viewport=LAPTOP)
    try:
        url = results_of(walker.new_page(), live_server, FRENCH_MANUFACTURER)
    finally:
        walker.close()
    context = browser.new_context(viewport=LAPTOP, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(url)
        rows = page.locator(".tremplin-match")
        assert rows.count() > 3
        first = rows.first
        expect(first.get_by_role("heading", name=re.compile("."))).to_be_hidden()  # closed: the card is not shown
        first.locator("summary").first.click()
        expect(first.get_by_text("How the ranking works")).to_be_visible()

        page.get_by_text("Filter and sort this list").click()
        page.get_by_label("Closing soonest first").check()
        page.get_by_role("button", name="Apply").click()
        expect(page).to_have_url(re.compile(r"sort=deadline"))
        facts = page.locator(".tremplin-match__facts").all_inner_texts()
        dated = [re.search(r"Deadline: (.+)$", f.strip()) for f in facts]
        # Programmes with a deadline come first (soonest first), those without after them.
        with_date = [m is not None for m in dated]
        assert with_date == sorted(with_date, reverse=True)
    finally:
        context.close()

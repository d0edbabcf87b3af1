"""An administrator in a real browser: first sign-in with a TOTP second factor, publish a programme, and an SME
sees it in its results; then an edit of the published programme waits as a revision until it is published now."""

from __future__ import annotations

import re

import pyotp
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from models.readiness import load_bank
from tests.browser.axe import assert_no_axe_violations
from tests.browser.test_journey import QUICK_LEVELS, fill_about, fill_business, fill_goals, start
from tests.factories import make_programme
from webapp.admin import auth, curation
from webapp.db import write_transaction

NEW_PASSWORD = "a long and private pass phrase"
PROGRAMME = make_programme(
    id="fr-browser-test-ai-coaching",
    name="Browser test: AI coaching for French SMEs",
    rules=[{"type": "country_in", "countries": ["FR"], "text": "Open to firms established in France."}],
    builds=["skills", "strategy"],
    goals=["upskill_staff", "find_expert_advice"],
)


def test_admin_signs_in_with_totp_publishes_and_an_sme_sees_it(page: Page, browser: Browser, live_app: Flask, live_server: str) -> None:
    with live_app.app_context(), write_transaction():
        _user, one_time = auth.create_user("curator@agency.example", "admin")
        curation.save(PROGRAMME, creating=True)

    page.goto(f"{live_server}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/sign-in$"))
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill("curator@agency.example")
    page.get_by_label("Password", exact=True).fill(one_time)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.locator(".tremplin-qr svg")).to_be_visible()
    assert_no_axe_violations(page)
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm and sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Type the new password again", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue dashboard")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Programmes", exact=True).click()
    page.get_by_label("Search by name, operator or id").fill("browser test")
    page.get_by_role("button", name="Filter").click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name=PROGRAMME.name).click()
    expect(page.get_by_text("State: draft.")).to_be_visible()
    page.get_by_role("button", name="Send for review").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("State: published.")).to_be_visible()
    assert_no_axe_violations(page)

    sme = browser.new_context()
    try:
        firm = sme.new_page()
        start(firm, live_server, "Start the quick check")
        fill_about(firm)
        fill_business(firm)
        bank = load_bank()
        for dimension, level in QUICK_LEVELS.items():
            item = next(q for q in bank.quick_check if q.dimension == dimension)
            firm.get_by_label(item.levels[level], exact=True).check()
            firm.get_by_role("button", name="Save and continue").click()
        fill_goals(firm)
        firm.get_by_role("button", name="See my results").click()
        # Among the best for this firm, or a line of the list of the others.
        entry = firm.locator(f"#best-{PROGRAMME.id}, #programme-{PROGRAMME.id}")
        expect(entry).to_be_visible()
        expect(entry.get_by_text(PROGRAMME.name).first).to_be_visible()
    finally:
        sme.close()

    # The pages that show whom the catalogue reaches pass axe too (few firms here: most numbers are withheld).
    page.get_by_role("link", name="Preview whom it would reach").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Whom this programme would reach")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Insights", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    assert_no_axe_violations(page)
    page.goto(f"{live_server}/admin/programmes/{PROGRAMME.id}/edit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the revision")
    assert_no_axe_violations(page)

    # The programme is published, so the edit waits beside it as a revision; an administrator publishes it now.
    page.get_by_label("Name", exact=True).fill("Browser test: AI coaching, revised")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#revision-summary")).to_contain_text("in draft")
    expect(page.get_by_role("heading", level=1)).to_have_text(PROGRAMME.name)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Preview the revision's card as SMEs would see it").click()
    expect(page.locator("#text-shown")).to_contain_text("This is the revision")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Back to the programme").click()
    page.get_by_role("button", name="Publish now, without review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser test: AI coaching, revised")
    expect(page.locator("#revision-summary")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/admin/sign-in$"))
    page.goto(f"{live_server}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/sign-in$"))

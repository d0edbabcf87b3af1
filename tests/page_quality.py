"""The cheap quality check every HTML page fetched in a test gets (as GOV.UK's admin app does in its test client).

A page has exactly one h1, a title, unique ids, lang="en", nothing loaded from another host, the response's CSP
nonce on every script (the policy refuses any other), and no message left untranslated: a gettext placeholder such as
"%(name)s" showing in the text means a message was shown without its values, or bypassed gettext's formatting.

tests/conftest.py makes every Flask test client a `QualityCheckedClient`, so no test has to ask for the check;
`check_page(html)` stays for HTML that does not come from the test client.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

NONCE = re.compile(r"'nonce-([^']+)'")
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")
# Attributes a reader sees or hears, besides the text itself.
READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")


class PageFacts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.ids: list[str] = []
        self.title = ""
        self._in_title = False
        self.external: list[str] = []
        self.lang = None
        self.script_nonces: list[str | None] = []
        self.placeholders: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.h1 += tag == "h1"
        if "id" in attributes:
            self.ids.append(attributes["id"])
        self._in_title = tag == "title"
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "script":
            self.script_nonces.append(attributes.get("nonce"))
        for name in ("src", "href"):
            value = attributes.get(name) or ""
            if tag in ("script", "link", "img", "iframe") and value.startswith(("http:", "https:", "//")):
                self.external.append(value)
        for name in READ_ATTRIBUTES:
            self.placeholders += PLACEHOLDER.findall(attributes.get(name) or "")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        self.placeholders += PLACEHOLDER.findall(data)

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False


def check_page(html: str, nonce: str | None = None) -> PageFacts:
    """Assert the page's quality; with the response's CSP nonce, also that every script carries it."""
    facts = PageFacts()
    facts.feed(html)
    assert facts.h1 == 1, f"a page has exactly one h1, not {facts.h1}"
    assert facts.title.strip(), "a page has a title"
    duplicates = sorted({i for i in facts.ids if facts.ids.count(i) > 1})
    assert not duplicates, f"ids are unique: {duplicates}"
    assert facts.external == [], "nothing is loaded from another host"
    assert facts.lang == "en"
    assert facts.placeholders == [], f"no untranslated placeholder in the text: {facts.placeholders}"
    if nonce is not None:
        assert all(found == nonce for found in facts.script_nonces), f"every script has the response's CSP nonce: {facts.script_nonces}"
    return facts


def is_page(response: TestResponse) -> bool:
    """An HTML page a reader would see: 200 or an error page; not a redirect, a download, JSON, a PDF or a HEAD."""
    return (
        response.mimetype == "text/html"
        and (response.status_code == 200 or response.status_code >= 400)
        and "attachment" not in response.headers.get("Content-Disposition", "")
        and response.request.method != "HEAD"
    )


def check_response(response: TestResponse) -> None:
    if not is_page(response):
        return
    found = NONCE.search(response.headers.get("Content-Security-Policy", ""))
    html = response.get_data(as_text=True)
    try:
        facts = check_page(html, nonce=found.group(1) if found else None)
        assert found or not facts.script_nonces, "a page with scripts has a CSP nonce"
    except AssertionError as problem:
        request = response.request
        raise AssertionError(f"page quality of {request.method} {request.path} ({response.status_code}): {problem}") from problem


class QualityCheckedClient(FlaskClient):
    """Flask's test client, checking every page it receives (the last one of a followed redirect included)."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response = super().open(*args, **kwargs)
        check_response(response)
        return response

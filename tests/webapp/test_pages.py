"""Server-rendered pages: each gets the cheap quality check (one h1, a title, no duplicate ids, nothing
loaded from another host)."""

from __future__ import annotations

from html.parser import HTMLParser


class PageFacts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.ids: list[str] = []
        self.title = ""
        self._in_title = False
        self.external: list[str] = []
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.h1 += tag == "h1"
        if "id" in attributes:
            self.ids.append(attributes["id"])
        self._in_title = tag == "title"
        if tag == "html":
            self.lang = attributes.get("lang")
        for name in ("src", "href"):
            value = attributes.get(name) or ""
            if tag in ("script", "link", "img", "iframe") and value.startswith(("http:", "https:", "//")):
                self.external.append(value)

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False


def check_page(html: str) -> PageFacts:
    facts = PageFacts()
    facts.feed(html)
    assert facts.h1 == 1, "a page has exactly one h1"
    assert facts.title.strip(), "a page has a title"
    assert len(facts.ids) == len(set(facts.ids)), "ids are unique"
    assert facts.external == [], "nothing is loaded from another host"
    assert facts.lang == "en"
    return facts


def test_start_page_describes_the_service_and_the_catalogue(client, with_catalogue):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    check_page(html)
    assert "102 programmes are in the catalogue" in html
    assert "Strategy" in html


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    check_page(html)
    assert "Page not found" in html and "Traceback" not in html


def test_an_unexpected_error_shows_no_trace(app_context, monkeypatch):
    import webapp.pages

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail /etc/passwd")

    monkeypatch.setattr(webapp.pages, "published_programmes", explode)
    app_context.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = app_context.test_client().get("/")
    finally:
        app_context.config["PROPAGATE_EXCEPTIONS"] = None
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internal detail" not in html and "Traceback" not in html
    assert "incident" in html
    check_page(html)


def test_start_page_offers_both_paths_with_their_length_and_the_privacy_summary(client, with_catalogue):
    html = client.get("/").get_data(as_text=True)
    assert "About 5 minutes" in html and "About 20 minutes" in html
    assert html.count('action="/start"') == 2
    assert 'href="/privacy"' in html and "do not keep your email address" in html

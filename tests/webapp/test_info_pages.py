"""The privacy notice and the accessibility statement."""

from tests.webapp.test_pages import check_page


def test_privacy_notice_says_what_is_kept_and_for_how_long(client):
    html = client.get("/privacy").get_data(as_text=True)
    check_page(html)
    assert "30 days after your last change" in html
    assert "Your email address" in html


def test_accessibility_statement(client):
    html = client.get("/accessibility").get_data(as_text=True)
    check_page(html)
    assert "WCAG" in html

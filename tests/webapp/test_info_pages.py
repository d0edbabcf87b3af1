"""The privacy notice and the accessibility statement."""

from tests.webapp.test_pages import check_page


def test_privacy_notice_says_what_is_kept_and_for_how_long(client):
    html = client.get("/privacy").get_data(as_text=True)
    check_page(html)
    assert "30 days after your last change" in html
    assert "The email address you give to have your link sent to you" in html
    assert "Only if you ask an adviser to contact you" in html and "We rely on your consent" in html
    assert "Download all your data (JSON)" in html and "Delete all your data" in html and "Withdraw your consent" in html
    assert "deleted 365 days after they were made" in html
    assert "Tremplin itself makes no backup copies" in html and "under the log policy" in html


def test_privacy_notice_states_the_configured_backup_and_log_periods(app_context):
    app_context.config.update(BACKUP_RETENTION_DAYS=35, LOG_RETENTION_DAYS=14)
    try:
        html = app_context.test_client().get("/privacy").get_data(as_text=True)
    finally:
        app_context.config.update(BACKUP_RETENTION_DAYS=None, LOG_RETENTION_DAYS=None)
    check_page(html)
    assert "deleted after at most 35 days" in html and "log is deleted after 14 days" in html


def test_accessibility_statement(client):
    html = client.get("/accessibility").get_data(as_text=True)
    check_page(html)
    assert "WCAG" in html

"""Save and come back later: the private link shown and sent by e-mail through a real SMTP server on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from tests.webapp.journey_helpers import ABOUT, start
from tests.webapp.test_pages import check_page


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(app_context) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app_context.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        yield inbox
    finally:
        controller.stop()
        app_context.config.update(MAIL_SERVER=None, MAIL_PORT=25)


def test_the_save_page_shows_the_private_link(client):
    token = start(client)
    client.post(f"/p/{token}/about", data=ABOUT)
    html = client.get(f"/p/{token}/save").get_data(as_text=True)
    check_page(html)
    assert f"http://localhost/p/{token}" in html
    assert "30 days" in html
    assert "Get the link by email" not in html  # no mail server configured: no false promise


def test_the_link_is_emailed_and_opens_the_draft(client, smtp_server):
    token = start(client)
    client.post(f"/p/{token}/about", data=ABOUT)
    response = client.post(f"/p/{token}/save", data={"email": "owner@atelier-dupont.example"})
    assert response.status_code == 200
    assert "We sent your link to owner@atelier-dupont.example" in response.get_data(as_text=True)
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["owner@atelier-dupont.example"]
    assert message["Subject"] == "Your Tremplin link"
    body = message.get_content()
    link = next(line for line in body.splitlines() if "/p/" in line).strip()
    assert link == f"http://localhost/p/{token}"
    assert client.get(link.replace("http://localhost", "")).headers["Location"].endswith(f"/p/{token}/business")


@pytest.mark.parametrize("address", ["", "not-an-address", "a@b", "x" * 250 + "@example.org"])
def test_a_bad_address_is_explained_and_nothing_is_sent(client, smtp_server, address):
    token = start(client)
    response = client.post(f"/p/{token}/save", data={"email": address})
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    assert smtp_server.messages == []


def test_a_mail_server_that_is_down_gives_a_clear_message(client, app_context):
    app_context.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT_SECONDS=2)
    try:
        token = start(client)
        response = client.post(f"/p/{token}/save", data={"email": "owner@example.org"})
    finally:
        app_context.config.update(MAIL_SERVER=None, MAIL_PORT=25, MAIL_TIMEOUT_SECONDS=10)
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "could not send the e-mail" in html and f"/p/{token}" in html

"""Private tokens never reach gunicorn's logs: the logger class in gunicorn.conf.py replaces them by "…"."""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from webapp.redaction import redact

TOKEN = "Zq3Xo0kq9mT1bVd2Rk8pLw4sN6yA"


@pytest.mark.parametrize(
    ("logged", "expected"),
    [
        (f"/p/{TOKEN}", "/p/…"),
        (f"/p/{TOKEN}/about", "/p/…/about"),
        (f"POST /p/{TOKEN}/submit HTTP/1.1", "POST /p/…/submit HTTP/1.1"),
        (f"/results/{TOKEN}/2/report.csv", "/results/…/2/report.csv"),
        (f"/results/{TOKEN}?category=skills", "/results/…?category=skills"),
        (f"/shared/{TOKEN}", "/shared/…"),
        (f"/api/v1/assessments/{TOKEN}", "/api/v1/assessments/…"),
        (f"https://tremplin.example/p/{TOKEN}/check", "https://tremplin.example/p/…/check"),
        (f"/%70/{TOKEN}/about", "/%70/…/about"),
        (f"/P/{TOKEN}", "/P/…"),
    ],
)
def test_a_secret_segment_is_replaced(logged, expected):
    assert redact(logged) == expected


@pytest.mark.parametrize("logged", ["/", "/start", "/p/", "/api/v1/questionnaire", "/static/app.css", "/admin/programmes/eu-x", "-", ""])
def test_other_paths_are_logged_as_they_are(logged):
    assert redact(logged) == logged


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: Path) -> None:
        super().__init__("localhost", timeout=30)
        self.path = str(path)

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(self.path)


def _request(sock: Path, method: str, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = UnixHTTPConnection(sock)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def _wait_until_serving(sock: Path, process: subprocess.Popen) -> None:
    for _ in range(300):  # up to about 30 s on a busy machine; the test fails below if it never answers
        if process.poll() is not None:
            break
        try:
            _request(sock, "GET", "/")
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def test_gunicorn_with_the_production_config_logs_no_token(app, database_url, tmp_path):
    sock = tmp_path / "gunicorn.sock"  # a Unix socket: no port to find, nothing on the network
    access_log = tmp_path / "access.log"
    error_log = tmp_path / "error.log"
    env = {
        **os.environ,
        "TREMPLIN_ENV": "production",
        "TREMPLIN_SECRET_KEY": secrets.token_hex(32),
        "TREMPLIN_SESSION_COOKIE_SECURE": "false",
        "TREMPLIN_SQLALCHEMY_DATABASE_URI": database_url,
        "TREMPLIN_RATELIMIT_ENABLED": "false",
        "GUNICORN_BIND": f"unix:{sock}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_ACCESS_LOG": str(access_log),
        "GUNICORN_ERROR_LOG": str(error_log),
    }
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "webapp:create_app()"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "stderr").open("w"))
    try:
        _wait_until_serving(sock, process)
        referer = {"Referer": f"https://tremplin.example/p/{TOKEN}/check"}
        assert _request(sock, "GET", f"/p/{TOKEN}/about", referer).status == 404
        assert _request(sock, "GET", f"/results/{TOKEN}/report.csv").status == 404
        assert _request(sock, "GET", f"/shared/{TOKEN}").status == 404
        assert _request(sock, "GET", f"/api/v1/assessments/{TOKEN}").status == 404
        assert _request(sock, "GET", "/").getheader("Server") == "gunicorn"  # no version
    finally:
        process.terminate()
        process.wait(timeout=60)
    logged = access_log.read_text()
    assert TOKEN not in logged and TOKEN not in error_log.read_text()
    assert '"GET /p/…/about HTTP/1.1" 404' in logged
    assert '"GET /results/…/report.csv HTTP/1.1" 404' in logged
    assert '"GET /shared/… HTTP/1.1" 404' in logged
    assert '"GET /api/v1/assessments/… HTTP/1.1" 404' in logged
    assert '"GET / HTTP/1.1" 200' in logged

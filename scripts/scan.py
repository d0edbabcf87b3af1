"""Scan the running app with wapiti (Debian's package), as the public and as a signed-in administrator.

One command: `make scan`. It builds a throwaway SQLite database with the bundled catalogue and a staff account,
serves the app with gunicorn in the production configuration over HTTPS (a self-signed certificate made for the
run, so the Secure __Host- cookie and HSTS are what the scanner sees) on a free loopback port, signs the administrator in
through the real forms (password, then a TOTP code), and runs wapiti twice: on the public pages and API, then on
/admin with the staff session's cookie. wapiti exits 0 even when it finds something, so this script reads its
JSON reports and exits 1 when a finding is not in ACCEPTED below (each with its reason, as in docs/security.md).

Bounded: each wapiti run stops after --max-scan-time; gunicorn is stopped in every case. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyotp
import requests
import urllib3

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODULES = "xss,permanentxss,sql,blindsql,exec,file,crlf,redirect,csrf,http_headers,cookieflags,csp,methods,backup,ssrf"
STAFF_EMAIL = "scanner@agency.example"
STAFF_PASSWORD = secrets.token_urlsafe(18)

# Findings we accept, by wapiti category and a regular expression on wapiti's description; each says why.
# Keep docs/security.md ("Scanner findings") in step with this list.
ACCEPTED: list[tuple[str, str, str]] = [
    (
        "HTTP Secure Headers",
        r"^X-XSS-Protection is not set$",
        "X-XSS-Protection is 0 on purpose (OWASP): wapiti 3.0.4 asks for 1, which re-enables the old browsers' XSS "
        "auditor that could be abused; the CSP with nonces is the protection",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the app did not start on port {port} within {seconds} s")


def prepare(env: dict[str, str], totp_secret: str) -> None:
    flask = [str(BIN / "flask"), "--app", "webapp"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, cwd=ROOT, capture_output=True)
    subprocess.run([*flask, "catalogue", "seed"], env=env, check=True, cwd=ROOT, capture_output=True)
    # The staff account is made directly (flask users create prints a one-time password meant for a person).
    script = f"""
from webapp import create_app
from webapp.admin import auth
from webapp.db import write_transaction
app = create_app()
with app.app_context(), write_transaction():
    user, _ = auth.create_user({STAFF_EMAIL!r}, "admin")
    user.password_hash = auth.hash_password({STAFF_PASSWORD!r})
    user.must_change_password = False
    user.totp_secret, user.totp_confirmed = {totp_secret!r}, True
"""
    subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=ROOT)


def self_signed_certificate(workdir: Path) -> tuple[Path, Path]:
    certificate, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    return certificate, key


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    if not found:
        raise SystemExit("no CSRF token on the sign-in page")
    return found.group(1)


def staff_cookie(base: str, totp_secret: str) -> str:
    session = requests.Session()
    # The run's own self-signed certificate, on loopback. trust_env off, or REQUESTS_CA_BUNDLE overrides verify.
    session.trust_env = False
    session.verify = False
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    page = session.get(f"{base}/admin/sign-in", timeout=10)
    # Over HTTPS, Flask-WTF also checks that each form post's Referer is this site, as a browser's would be.
    session.post(
        f"{base}/admin/sign-in",
        data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": csrf_token(page.text)},
        headers={"Referer": page.url},
        timeout=10,
    )
    page = session.get(f"{base}/admin/sign-in/code", timeout=10)
    done = session.post(
        f"{base}/admin/sign-in/code",
        data={"code": pyotp.TOTP(totp_secret).now(), "csrf_token": csrf_token(page.text)},
        headers={"Referer": page.url},
        timeout=10,
    )
    if "/admin/sign-in" in done.url:
        raise SystemExit("the scanner could not sign in as staff")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


# Debian's wapiti 3.0.4 compiles each -x pattern with its regex flags at the end, which Python 3.11 refuses
# ("global flags not at the start"), so any exclusion crashes it. This launcher, run by the system Python that
# wapiti is installed for, replaces that one function with the same translation, flags first, then starts wapiti.
WAPITI = """
import re, sys
import wapitiCore.net.crawler as crawler
def wildcard_translate(pattern):
    return re.compile("(?ms)" + "".join(".*" if c == "*" else re.escape(c) for c in pattern) + r"\\Z")
crawler.wildcard_translate = wildcard_translate
from importlib.metadata import distribution
entry = next(e for e in distribution("wapiti3").entry_points if e.group == "console_scripts" and e.name == "wapiti")
sys.argv[0] = "wapiti"
sys.exit(entry.load()())
"""


def wapiti(base: str, start: str, report: Path, seconds: int, extra: list[str]) -> dict:
    command = [
        "/usr/bin/python3", "-c", WAPITI,
        "-u", f"{base}{start}",
        "--scope", "folder",
        "-m", MODULES,
        "--max-scan-time", str(seconds),
        # Each attack module may take this long on top of the crawl: the whole run stays within about 2 × seconds.
        "--max-attack-time", str(max(5, seconds // len(MODULES.split(",")))),
        "--flush-session",
        "-f", "json",
        "-o", str(report),
        # Signing out would end the staff session half-way through the scan.
        "-x", f"{base}/admin/sign-out",
        *extra,
    ]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=seconds * 3 + 300)
    return json.loads(report.read_text(encoding="utf-8"))


def findings(report: dict) -> list[tuple[str, str, str]]:
    found = []
    for category, entries in report.get("vulnerabilities", {}).items():
        for entry in entries:
            found.append((category, entry.get("path", ""), entry.get("info", "")))
    return found


def accepted(category: str, info: str) -> str | None:
    for accepted_category, pattern, reason in ACCEPTED:
        if category == accepted_category and re.search(pattern, info):
            return reason
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=240, help="the longest each wapiti run may take")
    args = parser.parse_args()
    if not shutil.which("wapiti"):
        raise SystemExit("wapiti is not installed: apt-get install wapiti")

    workdir = Path(tempfile.mkdtemp(prefix="tremplin-scan-"))
    port = free_port()
    base = f"https://127.0.0.1:{port}"
    certificate, key = self_signed_certificate(workdir)
    totp_secret = pyotp.random_base32()
    env = {
        **os.environ,
        "TREMPLIN_ENV": "production",
        "TREMPLIN_SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{workdir / 'scan.db'}",
        # The scanner sends thousands of requests from one address; the limits are tested on their own.
        "TREMPLIN_RATELIMIT_ENABLED": "false",
    }
    prepare(env, totp_secret)
    gunicorn = [
        str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--certfile", str(certificate), "--keyfile", str(key),
        "--log-level", "warning", "--access-logfile", str(workdir / "access.log"), "webapp:create_app()",
    ]  # fmt: skip
    server = subprocess.Popen(
        gunicorn,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        wait_for(port)
        public = wapiti(base, "/", workdir / "public.json", args.seconds, ["-x", f"{base}/admin/*"])
        cookie = staff_cookie(base, totp_secret)
        staff = wapiti(base, "/admin/", workdir / "admin.json", args.seconds, ["-H", f"Cookie: {cookie}"])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    statuses = [line.split('" ')[1].split()[0] for line in (workdir / "access.log").read_text().splitlines() if '" ' in line]
    server_errors = sum(status.startswith("5") for status in statuses)
    print(f"requests served to the scanner: {len(statuses)}, of which 5xx: {server_errors}")
    unexplained = server_errors  # a request the scanner made the app fail on is a finding too
    for name, report in (("public", public), ("admin", staff)):
        found = findings(report)
        print(f"{name}: {len(found)} findings")
        for category, path, info in found:
            reason = accepted(category, info)
            print(f"  {'accepted' if reason else 'FINDING'}: {category} at {path}: {info}" + (f" ({reason})" if reason else ""))
            unexplained += reason is None
    print(f"reports: {workdir}/public.json, {workdir}/admin.json")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())

"""Locust: simulated firms walk the SME journey against a running server (scripts/load.py starts one; docs/reliability.md).

Each user, again and again: the start page, "Start" (quick check 70%, full assessment 30%), every section (GET the
page, POST valid answers), check your answers, submit, the results page, the CSV report. CSRF is on, so every POST
carries the csrf_token read from the page before it. Redirects are not followed, so each page is timed on its own.

Nothing lost: before a submit the draft's token is written down as "attempted"; a 302 to its results makes it
"succeeded". A submit whose connection was dropped (a worker killed under it) is retried once with the same draft:
the retry must come back to the same results, never make a second row. When the run ends, the counts go to the
JSON file named by LOAD_RESULT_FILE, which scripts/load.py compares with the database.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
from collections import Counter
from typing import Any

import gevent
from locust import HttpUser, events, task
from locust.exception import StopUser
from locust.user.users import LOCUST_STATE_STOPPING

from models.readiness import load_bank
from programmes.vocabulary import DIMENSIONS

# Test data only, not secrets: a plain pseudo-random generator.
RNG = random.Random()  # noqa: S311
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
THINK_SECONDS = (float(os.environ.get("LOAD_THINK_MIN", "0.3")), float(os.environ.get("LOAD_THINK_MAX", "1.2")))
FULL_SHARE = 0.3
SECTORS = ("C", "G", "J", "M", "F")
GOALS = [g["id"] for g in load_bank().goals]

TALLY: dict[str, Any] = {
    "journeys_started": 0,
    "journeys_completed": 0,
    "submits_attempted": [],  # draft tokens, in order
    "submits_succeeded": [],  # a 302 to /results/<token>
    "submits_retried": 0,  # the connection dropped under a submit, and the same draft was submitted again
    "retries_found_stored": 0,  # ... and the results said "already submitted": the dropped one had been stored
    "status": Counter(),  # "GET /p/[token]/[section] 200" -> count
    "connection_errors": Counter(),  # request name -> count (no HTTP status: connection refused or reset)
    "unexpected_count": 0,  # answers with another status than expected (5xx, 4xx, a 200 where a redirect was due)
    "unexpected": [],  # the first few of them, for the report
}


class ConnectionDroppedError(Exception):
    """The server closed the connection without an answer (a worker was killed)."""


def _answers_for(dimension: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for question in load_bank().questions_for(dimension):
        ids = [o.id for o in question.options]
        if question.kind == "multiple":
            real = [i for i in ids if i != "none_of_these"]
            data[question.id] = RNG.sample(real, RNG.randint(1, min(3, len(real))))
        else:
            data[question.id] = RNG.choice(ids)
    return data


def _section_data(slug: str, path: str) -> dict[str, Any]:
    if slug == "about":
        return {"name": f"Load test firm {RNG.randint(1, 10**6)}", "country": "FR", "sector": RNG.choice(SECTORS),
                "employees": str(RNG.randint(1, 240))}  # fmt: skip
    if slug == "business":
        return {
            "region": "FR-IDF",
            "annual_turnover_amount": f"{RNG.randint(100, 40000) * 1000:,}",
            "annual_turnover_currency": "EUR",
            "balance_sheet_total_amount": "",
            "balance_sheet_total_currency": "EUR",
            "founded_year": str(RNG.randint(1980, 2024)),
            "annual_growth_pct": str(RNG.randint(-10, 40)),
            "independent": RNG.choice(("yes", "no")),
        }
    if slug in DIMENSIONS:
        return {"level": str(RNG.randint(0, 4))} if path == "quick" else _answers_for(slug)
    if slug == "goals":
        return {"goals": RNG.sample(GOALS, RNG.randint(1, 3)), "cofunding_capacity_pct": str(RNG.choice((0, 20, 30, 50)))}
    raise ValueError(f"no answers for section {slug!r}")


class Firm(HttpUser):
    """One firm at a time walks the journey; think time between pages."""

    def think(self) -> None:
        if self._state == LOCUST_STATE_STOPPING:
            raise StopUser()  # the run is over: finish no journey half-way with new requests
        gevent.sleep(RNG.uniform(*THINK_SECONDS))

    def send(self, method: str, url: str, name: str, expect: int, data: dict[str, Any] | None = None) -> Any:
        """One request, without following redirects; a failure unless the status is `expect`."""
        with self.client.request(method, url, name=name, data=data, allow_redirects=False, catch_response=True) as response:
            status = response.status_code
            if not status:  # no HTTP answer at all
                TALLY["connection_errors"][name] += 1
                response.failure(f"connection error: {response.error!r}")
                raise ConnectionDroppedError(name)
            TALLY["status"][f"{name} {status}"] += 1
            if status != expect:
                TALLY["unexpected_count"] += 1
                if len(TALLY["unexpected"]) < 20:
                    TALLY["unexpected"].append({"request": name, "status": status, "body": response.text[:300]})
                response.failure(f"expected {expect}, got {status}")
            return response

    def page(self, url: str, name: str) -> str:
        response = self.send("GET", url, name, 200)
        self.last_page = response.text or ""
        found = CSRF.search(self.last_page)
        return found.group(1) if found else ""

    def post(self, url: str, name: str, data: dict[str, Any], csrf: str) -> Any:
        return self.send("POST", url, name, 302, {**data, "csrf_token": csrf})

    def journey(self) -> None:
        TALLY["journeys_started"] += 1
        self.client.cookies.clear()  # a new firm, a new session
        path = "full" if RNG.random() < FULL_SHARE else "quick"
        csrf = self.page("/", "GET /")
        self.think()
        started = self.post("/start", "POST /start", {"path": path}, csrf)
        location = started.headers.get("Location", "")
        token = location.split("/")[2] if location.startswith("/p/") else None
        if token is None:
            return
        slug: str | None = location.split("/")[3]
        while slug:
            self.think()
            csrf = self.page(f"/p/{token}/{slug}", "GET /p/[token]/[section]")
            self.think()
            saved = self.post(f"/p/{token}/{slug}", f"POST /p/[token]/[section] ({path})", _section_data(slug, path), csrf)
            following = saved.headers.get("Location", "")
            slug = None if following.endswith("/check") else following.split("/")[3] if following.startswith(f"/p/{token}/") else None
            if not following:
                return
        self.think()
        csrf = self.page(f"/p/{token}/check", "GET /p/[token]/check")
        self.think()
        if not self.submit(token, csrf):
            return
        self.think()
        self.page(f"/results/{token}", "GET /results/[token]")
        if self.submit_retried and "You have already submitted these answers" in self.last_page:
            TALLY["retries_found_stored"] += 1
        self.think()
        self.send("GET", f"/results/{token}/report.csv", "GET /results/[token]/report.csv", 200)
        TALLY["journeys_completed"] += 1

    def submit(self, token: str, csrf: str) -> bool:
        TALLY["submits_attempted"].append(token)
        self.submit_retried = False
        for attempt in range(2):
            try:
                response = self.post(f"/p/{token}/submit", "POST /p/[token]/submit", {}, csrf)
            except ConnectionDroppedError:
                if attempt == 0:
                    TALLY["submits_retried"] += 1
                    self.submit_retried = True
                    continue  # the same draft again: safe, it cannot make a second row
                return False
            if response.status_code == 302 and response.headers.get("Location") == f"/results/{token}":
                TALLY["submits_succeeded"].append(token)
                return True
            return False
        return False

    @task
    def walk(self) -> None:
        with contextlib.suppress(ConnectionDroppedError):  # a worker was killed under a request: the next firm starts
            self.journey()


@events.quitting.add_listener
def _write_tally(environment: Any, **_kwargs: Any) -> None:
    target = os.environ.get("LOAD_RESULT_FILE")
    if not target:
        return
    with open(target, "w", encoding="utf-8") as out:
        json.dump({**TALLY, "status": dict(TALLY["status"]), "connection_errors": dict(TALLY["connection_errors"])}, out, indent=1)

"""Benchmark: the staff's insights (webapp.admin.analytics.insights) over 10,000 stored assessments.

Run with `python -m bench.insights` (also run by `make bench`). Prints figures; asserts nothing (speed is measured
here, never in tests). Target (docs/admin.md): well under a few seconds for 10,000 assessments.
"""

from __future__ import annotations

import datetime as dt
import platform
import statistics
import time
from types import SimpleNamespace

from bench.matching import DAY, PROFILE
from models.action_plan import action_plan
from models.document import action_plan_document, result_document
from models.matching import compile_catalogue, match
from models.profile import ProfileRequest, build_profile
from models.ranking import prior
from models.readiness import load_bank
from programmes.loader import load_catalogue
from webapp.admin.analytics import insights

COUNTRIES = ["FR", "DE", "IT", "GB", "US", "CA", "JP", "ES", "NL", "BE"]
FIRMS = 10_000


def stored_like(programmes, count: int) -> list[SimpleNamespace]:
    """`count` stand-ins for stored assessments: requests of varied countries and sizes, matched for real."""
    catalogue = compile_catalogue(programmes, "bench", DAY)
    distinct = []
    for i, country in enumerate(COUNTRIES):
        request = {**PROFILE, "enterprise": {**PROFILE["enterprise"], "country": country, "region": None, "employees": 5 + 40 * i}}
        result = match(build_profile(ProfileRequest.model_validate(request), load_bank()), catalogue, prior(), "bench", DAY)
        document = result_document(result)
        document["action_plan"] = action_plan_document(action_plan(result))
        distinct.append((request, document))
    start = dt.datetime(2026, 11, 1)
    rows = []
    for i in range(count):
        request, document = distinct[i % len(distinct)]
        rows.append(SimpleNamespace(request=request, result=document, created_at=start + dt.timedelta(minutes=i)))
    return rows


def main() -> None:
    programmes, problems = load_catalogue()
    assert not problems, problems
    assessments = stored_like(programmes, FIRMS)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        found = insights(assessments, programmes)
        times.append(time.perf_counter() - started)
    print(f"insights over {found.total:,} assessments ({platform.python_implementation()} {platform.python_version()}):")
    print(f"  median {statistics.median(times):.2f} s, best {min(times):.2f} s over {len(times)} runs")


if __name__ == "__main__":
    main()

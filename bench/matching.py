"""Benchmark: the time to match one profile against the bundled catalogue and a synthetic one of 10,000.

Run with `make bench`. Prints figures; asserts nothing (speed is measured here, never in tests).
Target (issue 2): at most 5 ms median for 10,000 programmes including the explanations of the top 20.
"""

from __future__ import annotations

import datetime as dt
import platform
import random
import statistics
import time
from collections.abc import Callable

import numpy as np

from models.matching import compile_catalogue, match
from models.profile import ProfileRequest, build_profile
from models.ranking import prior
from models.readiness import load_bank
from programmes.loader import load_catalogue
from programmes.schema import Programme

DAY = dt.date(2026, 11, 25)
PROFILE = {
    "enterprise": {
        "country": "FR", "region": "FR-IDF", "sector": "C", "employees": 42,
        "annual_turnover": {"amount": 4_500_000, "currency": "EUR"}, "founded_year": 2016,
        "annual_growth_pct": 25, "independent": True,
    },
    "levels": {"strategy": 1, "skills": 0, "data": 2, "cloud": 3, "compute": 0, "funding": 1, "governance": 0},
    "goals": ["upskill_staff", "find_expert_advice", "access_compute"],
    "cofunding_capacity_pct": 30,
}  # fmt: skip
COUNTRIES = ["FR", "DE", "IT", "GB", "US", "CA", "JP", "EU", "ES", "NL"]


def synthetic_catalogue(base: list[Programme], size: int, seed: int = 42) -> list[Programme]:
    """`size` programmes made from the real ones: same rule mix, with varied countries, limits and stages."""
    rng = random.Random(seed)
    programmes = []
    for i in range(size):
        document = rng.choice(base).to_document()
        document["id"] = f"synthetic-{i:05d}"
        country = rng.choice(COUNTRIES)
        for rule in document.get("rules", []):
            if rule["type"] == "country_in":
                rule["countries"] = [country]
            elif rule["type"] == "max_employees":
                rule["limit"] = rng.choice([10, 50, 250, 500, 5000])
        document["country"] = country
        document["target_stages"] = sorted(rng.sample([1, 2, 3, 4, 5], rng.randint(1, 3)))
        programmes.append(Programme.model_validate(document))
    return programmes


def median_ms(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    for _ in range(5):
        run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), float(np.percentile(times, 95))


def main() -> None:
    bundled, problems = load_catalogue()
    assert not problems
    profile = build_profile(ProfileRequest.model_validate(PROFILE), load_bank())
    ranker = prior()
    print(f"Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")

    compiled = compile_catalogue(bundled, "bundled", DAY)
    med, p95 = median_ms(lambda: match(profile, compiled, ranker, "bench", DAY), 300)
    print(f"bundled catalogue ({len(bundled)} programmes), every match explained: median {med:.2f} ms, p95 {p95:.2f} ms")
    med, p95 = median_ms(lambda: match(profile, compiled, ranker, "bench", DAY, explain_limit=20), 300)
    print(f"bundled catalogue, top 20 explained: median {med:.2f} ms, p95 {p95:.2f} ms")

    large = synthetic_catalogue(bundled, 10_000)
    start = time.perf_counter()
    compiled_large = compile_catalogue(large, "synthetic", DAY)
    print(f"compile 10,000 programmes (once per catalogue version): {(time.perf_counter() - start) * 1000:.0f} ms")
    result = match(profile, compiled_large, ranker, "bench", DAY, explain_limit=20)
    print(f"  {result.match_count} of 10,000 eligible or needs_info for the profile")
    med, p95 = median_ms(lambda: match(profile, compiled_large, ranker, "bench", DAY, explain_limit=20), 200)
    verdict = "meets" if med <= 5 else "MISSES"
    print(f"synthetic catalogue (10,000 programmes), top 20 explained: median {med:.2f} ms, p95 {p95:.2f} ms ({verdict} the 5 ms target)")


if __name__ == "__main__":
    main()

"""Benchmark: `flask match-batch` on 100,000 synthetic profiles (CSV in, CSV out) against the bundled catalogue.

Run with `python -m bench.batch [ROWS]`. Prints figures; asserts nothing (speed is measured here, never in tests).
Target: 100,000 rows in under 60 s and under 1 GiB of memory.

The profiles are generated (seeded) into a temporary folder by this process; the batch runs in a fresh child
process (the same `run_batch` the CLI calls, in an app on a temporary SQLite database migrated with
flask_migrate.upgrade and holding the bundled catalogue), so its peak resident memory (ru_maxrss) counts the batch
and the app, not the generation.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from programmes.vocabulary import DIMENSIONS, GOALS

ROWS = 100_000
BAD_EVERY = 997  # a deliberately bad row now and then
DAY = dt.date(2026, 11, 25)
TARGET_SECONDS, TARGET_MIB = 60, 1024
COUNTRIES = ["FR", "DE", "IT", "GB", "US", "CA", "JP", "ES", "NL", "BE", "AT", "PL", "SE", "IE", "PT", "FI", "DK", "CZ", "GR", "RO"]
REGIONS = {"FR": ["FR-IDF", "FR-ARA", ""], "DE": ["DE-BY", "DE-BE", ""], "IT": ["IT-25", ""]}
CURRENCIES = {"US": "USD", "GB": "GBP", "JP": "JPY", "CA": "CAD"}
BAD_CELLS = [("country", "XX"), ("data", "9"), ("goals", "world_domination"), ("employees", "many"), ("turnover_currency", "ZZZ")]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    from webapp.batch import INPUT_COLUMNS

    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=INPUT_COLUMNS)
        writer.writeheader()
        for i in range(rows):
            country = rng.choice(COUNTRIES)
            employees = rng.choice([rng.randint(0, 9), rng.randint(10, 49), rng.randint(50, 249), rng.randint(250, 2000)])
            row = {
                "id": f"firm-{i:06d}",
                "country": country,
                "region": rng.choice(REGIONS.get(country, [""])),
                "sector": rng.choice("ACCFGJJJKMMNQ"),
                "employees": employees if rng.random() > 0.05 else "",
                "turnover": round((employees + 1) * rng.uniform(50_000, 250_000)) if rng.random() > 0.2 else "",
                "turnover_currency": CURRENCIES.get(country, "EUR"),
                "balance_sheet": round((employees + 1) * rng.uniform(20_000, 150_000)) if rng.random() > 0.5 else "",
                "balance_sheet_currency": CURRENCIES.get(country, "EUR"),
                "founded_year": rng.randint(1950, 2025) if rng.random() > 0.1 else "",
                "growth_pct": round(rng.uniform(-20, 80), 1) if rng.random() > 0.3 else "",
                "independent": rng.choice(["true", "false", ""]),
                **{d: rng.randint(0, 4) for d in DIMENSIONS},
                "goals": ";".join(rng.sample(GOALS, rng.randint(0, 4))),
                "cofunding_capacity_pct": rng.choice(["", 0, 10, 25, 50, 100]),
            }
            if not row["turnover"]:
                row["turnover_currency"] = ""
            if not row["balance_sheet"]:
                row["balance_sheet_currency"] = ""
            if i % BAD_EVERY == BAD_EVERY - 1:
                column, value = rng.choice(BAD_CELLS)
                row[column] = value
            writer.writerow(row)


def child(source: Path, folder: Path) -> None:
    """Runs in a fresh process: app, database, catalogue, then the batch; prints its figures as JSON."""
    from flask_migrate import upgrade

    from programmes.loader import load_catalogue
    from webapp import create_app
    from webapp.batch import run_batch
    from webapp.catalogue import upsert_programmes
    from webapp.db import write_transaction

    app = create_app(overrides={"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}", "SECRET_KEY": "bench-only"})
    with app.app_context():
        upgrade()
        programmes, problems = load_catalogue()
        assert not problems
        with write_transaction():
            upsert_programmes(programmes)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        summary = run_batch(source, folder / "results.csv", DAY)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"rows": summary.rows, "matched": summary.matched, "errors": summary.errors, "seconds": seconds}
    print(json.dumps({**figures, "before_mib": before, "peak_mib": peak, "programmes": len(programmes)}))


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    print(f"Python {platform.python_version()}, {platform.machine()}")
    with tempfile.TemporaryDirectory(prefix="tremplin-batch-") as tmp:
        folder = Path(tmp)
        source = folder / "profiles.csv"
        start = time.perf_counter()
        generate(source, rows)
        size = source.stat().st_size / 2**20
        print(f"generated {rows:,} profiles ({size:.1f} MiB CSV) in {time.perf_counter() - start:.1f} s")
        done = subprocess.run(
            [sys.executable, "-m", "bench.batch", "--child", str(source), str(folder)], capture_output=True, text=True, check=True
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        out_size = (folder / "results.csv").stat().st_size / 2**20
    rate = figures["rows"] / figures["seconds"]
    print(
        f"match-batch, CSV to CSV ({out_size:.1f} MiB), {figures['programmes']} programmes: {figures['rows']:,} rows "
        f"({figures['matched']:,} matched, {figures['errors']:,} errors) in {figures['seconds']:.1f} s, {rate:,.0f} rows/s"
    )
    print(
        f"peak memory of the batch process (ru_maxrss, child process, app and catalogue included): {figures['peak_mib']:.0f} MiB "
        f"({figures['before_mib']:.0f} MiB before the batch started)"
    )
    meets = figures["seconds"] < TARGET_SECONDS and figures["peak_mib"] < TARGET_MIB
    print(f"{'meets' if meets else 'MISSES'} the target (under {TARGET_SECONDS} s and under 1 GiB for {ROWS:,} rows)")


if __name__ == "__main__":
    main()

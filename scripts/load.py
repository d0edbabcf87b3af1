"""Load and fault runs, one command each: `make load DB=sqlite|postgres`, `make fault DB=sqlite|postgres`.

What a run does, start to end (docs/reliability.md has the figures):
1. a fresh database: a SQLite file in a temporary directory, or a new PostgreSQL database (dropped afterwards);
   migrations (`flask db upgrade`) and the bundled catalogue, as a release does;
2. gunicorn with gunicorn.conf.py, 4 workers, on a free loopback port, TREMPLIN_ENV=production (CSRF on) with a
   random secret key; the rate limiter is off for the run (50 simulated users share one address; the limiter has
   its own tests), and session cookies are not marked Secure (plain HTTP on loopback);
3. locust headless (loadtest/locustfile.py): users walk the SME journey and submit; with --fault, one gunicorn
   worker is killed (SIGKILL) every 3 seconds while they do;
4. the gates, each printed, and a non-zero exit if one fails: no 5xx; every 2xx submit has exactly one row and no
   row comes from nowhere (zero lost, zero duplicated; no repeated (draft_id, sequence)); the database's own
   integrity check (SQLite PRAGMA integrity_check; PostgreSQL amcheck on every B-tree index, plus constraint
   checks); without faults, no failed request at all; with faults, connection errors no more than kills.

Everything is bounded: locust stops after --duration, every subprocess has a timeout, gunicorn is stopped and
the database removed in `finally`. Only loopback is used.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import hashlib
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("LOAD_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@dataclass
class Gate:
    name: str
    ok: bool
    detail: str


@dataclass
class Run:
    args: argparse.Namespace
    out: Path
    database_url: str = ""
    pg_database: str | None = None
    kills: list[int] = field(default_factory=list)
    gates: list[Gate] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def gate(self, name: str, ok: bool, detail: str) -> None:
        self.gates.append(Gate(name, ok, detail))
        print(f"  [{'PASS' if ok else 'FAIL'}] {name}: {detail}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_env(run: Run) -> dict[str, str]:
    return {
        **os.environ,
        "TREMPLIN_ENV": "production",
        "TREMPLIN_SECRET_KEY": secrets.token_hex(32),
        "TREMPLIN_SESSION_COOKIE_SECURE": "false",
        "TREMPLIN_RATELIMIT_ENABLED": "false",
        "TREMPLIN_SQLALCHEMY_DATABASE_URI": run.database_url,
        "PYTHONPATH": str(ROOT),
    }


def create_database(run: Run) -> None:
    if run.args.db == "sqlite":
        run.database_url = f"sqlite:///{run.out / 'tremplin.db'}"
        return
    run.pg_database = f"tremplin_load_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{run.pg_database}"'))
    admin.dispose()
    run.database_url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{run.pg_database}"


def drop_database(run: Run) -> None:
    if run.pg_database is None or run.args.keep:
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{run.pg_database}" WITH (FORCE)'))
    admin.dispose()


def flask(run: Run, *command: str) -> None:
    argv = [sys.executable, "-m", "flask", "--app", "webapp", *command]
    subprocess.run(argv, cwd=ROOT, env=app_env(run), check=True, timeout=300, stdout=subprocess.DEVNULL)


def start_gunicorn(run: Run, port: int) -> subprocess.Popen:
    env = {
        **app_env(run),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(run.args.workers),
        "GUNICORN_ACCESS_LOG": str(run.out / "access.log"),
        "GUNICORN_ERROR_LOG": str(run.out / "error.log"),
    }
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "webapp:create_app()"]
    with open(run.out / "gunicorn.stderr", "w") as stderr:  # what the app itself writes to stderr
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {run.out / 'error.log'}")
        try:
            # A fixed http URL on loopback, not a user-given one.
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:  # nosec B310
                if response.status == 200 and len(psutil.Process(process.pid).children()) >= run.args.workers:
                    return process
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_gunicorn(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def killer(run: Run, master: int, stop: threading.Event) -> None:
    """SIGKILL one worker of the master every --kill-every seconds until stopped."""
    while not stop.wait(run.args.kill_every):
        workers = [c for c in psutil.Process(master).children() if c.is_running()]
        if not workers:
            continue
        victim = random.choice(workers)  # noqa: S311 (not a secret)
        with contextlib.suppress(ProcessLookupError, psutil.NoSuchProcess):
            os.kill(victim.pid, signal.SIGKILL)
            run.kills.append(victim.pid)


def run_locust(run: Run, port: int) -> None:
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless",
        "-u", str(run.args.users), "-r", str(run.args.spawn_rate), "-t", f"{run.args.duration}s",
        "--stop-timeout", "30", "--host", f"http://127.0.0.1:{port}", "--csv", str(run.out / "locust"),
        "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOAD_RESULT_FILE": str(run.out / "tally.json")}
    with open(run.out / "locust.log", "w") as log:
        limit = run.args.duration + 120
        subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=limit, check=False)


def percentiles(run: Run) -> list[dict[str, str]]:
    with open(run.out / "locust_stats.csv", newline="") as stats:
        return list(csv.DictReader(stats))


def print_latency(rows: list[dict[str, str]]) -> None:
    print(f"\n  {'request':<48} {'count':>7} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL (overall)"
        print(f"  {name:<48} {row['Request Count']:>7} {row['Failure Count']:>5} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_database(run: Run, tally: dict[str, Any]) -> None:
    engine = create_engine(run.database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT draft_id, sequence, draft_revision FROM assessments")).all()
        per_draft = Counter(r.draft_id for r in rows)
        duplicate_sequences = connection.scalar(
            text(
                "SELECT count(*) FROM (SELECT draft_id, sequence FROM assessments WHERE draft_id IS NOT NULL "
                "GROUP BY draft_id, sequence HAVING count(*) > 1) d"
            )
        )
        duplicate_revisions = connection.scalar(
            text(
                "SELECT count(*) FROM (SELECT draft_id, draft_revision FROM assessments WHERE draft_id IS NOT NULL "
                "GROUP BY draft_id, draft_revision HAVING count(*) > 1) d"
            )
        )
        orphans = connection.scalar(text("SELECT count(*) FROM assessments a LEFT JOIN drafts d ON d.id = a.draft_id WHERE d.id IS NULL"))
        drafts = connection.scalar(text("SELECT count(*) FROM drafts"))
        if run.args.db == "sqlite":
            integrity = [r[0] for r in connection.execute(text("PRAGMA integrity_check")).all()]
            fk = connection.execute(text("PRAGMA foreign_key_check")).all()
            integrity_ok = integrity == ["ok"] and not fk
            integrity_detail = f"PRAGMA integrity_check: {', '.join(integrity)[:200]}; foreign_key_check: {len(fk)} problems"
        else:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            indexes = (
                connection.execute(
                    text(
                        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE am.amname = 'btree' AND n.nspname = 'public'"
                    )
                )
                .scalars()
                .all()
            )
            for index in indexes:  # raises on any corruption; heapallindexed also checks every heap row is indexed
                connection.execute(text("SELECT bt_index_check(CAST(:i AS regclass), true)"), {"i": index})
            seq = connection.scalar(text("SELECT count(*) FROM assessments"))
            connection.execute(text("SET enable_seqscan = off"))
            by_index = connection.scalar(text("SELECT count(*) FROM assessments WHERE id > ''"))
            connection.execute(text("RESET enable_seqscan"))
            integrity_ok = seq == by_index == len(rows)
            integrity_detail = (
                f"amcheck bt_index_check(heapallindexed) on {len(indexes)} B-tree indexes: ok; rows by scan {seq}, by index {by_index}"
            )
            connection.commit()
    engine.dispose()

    succeeded = tally["submits_succeeded"]
    attempted = tally["submits_attempted"]
    unsettled = [t for t in dict.fromkeys(attempted) if t not in set(succeeded)]
    succeeded_ids = {digest(t) for t in succeeded}
    attempted_ids = {digest(t) for t in attempted}
    lost = [t for t in succeeded if per_draft.get(digest(t), 0) != 1]
    stored_unsettled = sum(1 for t in unsettled if per_draft.get(digest(t), 0) == 1)
    phantom = sum(n for draft_id, n in per_draft.items() if draft_id not in attempted_ids)
    doubled = sum(1 for n in per_draft.values() if n > 1)
    run.figures.update(
        rows=len(rows), drafts=drafts, submits_succeeded=len(succeeded), submits_attempted=len(attempted),
        submits_unsettled=len(unsettled), unsettled_stored=stored_unsettled, submits_retried=tally["submits_retried"],
        retries_found_stored=tally["retries_found_stored"],
        duplicate_sequences=duplicate_sequences, duplicate_revisions=duplicate_revisions, integrity=integrity_detail,
    )  # fmt: skip
    if tally["submits_retried"]:
        print(
            f"  submits retried after a dropped connection: {tally['submits_retried']}; the retry found the first one stored "
            f'("already submitted") in {tally["retries_found_stored"]}'
        )
    run.gate(
        "every 2xx submit has exactly one row",
        not lost and len(succeeded) == len(succeeded_ids),
        f"{len(succeeded)} successful submits, {len(lost)} without exactly one row",
    )
    run.gate(
        "rows = successful submits (+ dropped ones that stored)",
        len(rows) == len(succeeded) + stored_unsettled and phantom == 0,
        f"{len(rows)} rows; {len(succeeded)} successful submits; {len(unsettled)} submits without an answer, "
        f"{stored_unsettled} of them stored; {phantom} rows from no submit",
    )
    if not run.args.fault:
        run.gate("no submit left without an answer", not unsettled, f"{len(unsettled)}")
    run.gate(
        "no duplicates",
        doubled == 0 and duplicate_sequences == 0 and duplicate_revisions == 0,
        f"drafts with >1 row {doubled}, repeated (draft_id, sequence) {duplicate_sequences}, "
        f"repeated (draft_id, draft_revision) {duplicate_revisions}",
    )
    run.gate("orphan rows", orphans == 0, f"{orphans} assessments without their draft")
    run.gate("database integrity", integrity_ok, integrity_detail)


def access_log_statuses(run: Run) -> Counter:
    statuses: Counter = Counter()
    with contextlib.suppress(FileNotFoundError), open(run.out / "access.log", encoding="utf-8") as log:
        for line in log:
            found = re.search(r'" (\d{3}) ', line)
            if found:
                statuses[found.group(1)] += 1
    return statuses


def evaluate(run: Run) -> None:
    tally = json.loads((run.out / "tally.json").read_text())
    rows = percentiles(run)
    print_latency(rows)
    overall = next(r for r in rows if r["Name"] == "Aggregated")
    statuses = Counter()
    for key, count in tally["status"].items():
        statuses[key.rsplit(" ", 1)[1]] += count
    five_xx = sum(n for s, n in statuses.items() if s.startswith("5"))
    logged = access_log_statuses(run)
    logged_5xx = sum(n for s, n in logged.items() if s.startswith("5"))
    connection_errors = sum(tally["connection_errors"].values())
    failures = int(overall["Failure Count"])
    run.figures.update(
        requests=int(overall["Request Count"]), failures=failures, statuses=dict(statuses), access_log_statuses=dict(logged),
        connection_errors=tally["connection_errors"], kills=len(run.kills), journeys_completed=tally["journeys_completed"],
        p50=overall["50%"], p95=overall["95%"], p99=overall["99%"], unexpected=tally["unexpected"][:5],
        per_request={r["Name"]: {k: r[k] for k in ("Request Count", "Failure Count", "50%", "95%", "99%")} for r in rows},
    )  # fmt: skip
    # locust's CSV is written when the time is up, so it leaves out the requests of journeys finishing in the
    # stop timeout; the tally (and gunicorn's access log) count every one.
    answered = sum(statuses.values())
    run.figures["requests_answered"] = answered
    print(f"\n  requests answered {answered} (locust's table: {overall['Request Count']}), failures {failures}, statuses {dict(statuses)}")
    print(f"  statuses in gunicorn's access log {dict(logged)}; journeys completed {tally['journeys_completed']}")
    if run.args.fault:
        print(f"  workers killed: {len(run.kills)}; connection errors {dict(tally['connection_errors'])}")
    print()
    run.gate("no 5xx", five_xx == 0 and logged_5xx == 0, f"{five_xx} seen by locust, {logged_5xx} in the access log")
    if run.args.fault:
        run.gate(
            "connection errors <= kills",
            connection_errors <= len(run.kills),
            f"{connection_errors} connection errors, {len(run.kills)} kills",
        )
        other = tally["unexpected_count"]
        run.gate("no failure other than dropped connections", other == 0, f"{other}; first: {tally['unexpected'][:2]}")
    else:
        failed = tally["unexpected_count"] + connection_errors
        run.gate("no failed request", failed == 0, f"{failed} (connection errors {connection_errors}); first: {tally['unexpected'][:2]}")
    run.gate("submits happened", len(tally["submits_succeeded"]) > 0, f"{len(tally['submits_succeeded'])}")
    check_database(run, tally)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--fault", action="store_true", help="kill one gunicorn worker (SIGKILL) every --kill-every seconds")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--kill-every", type=float, default=3.0)
    parser.add_argument("--out", type=Path, help="where logs, CSVs and summary.json go (default: a new temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    args = parser.parse_args()
    mode = "fault" if args.fault else "load"
    out = args.out or Path(tempfile.mkdtemp(prefix=f"tremplin-{mode}-{args.db}-"))
    out.mkdir(parents=True, exist_ok=True)
    run = Run(args, out)
    print(f"{mode} run on {args.db}: {args.users} users, {args.duration} s, {args.workers} workers; files in {out}")
    gunicorn = None
    stop_killing = threading.Event()
    try:
        create_database(run)
        flask(run, "db", "upgrade")
        flask(run, "catalogue", "seed")
        port = free_port()
        gunicorn = start_gunicorn(run, port)
        kill_thread = None
        if args.fault:
            kill_thread = threading.Thread(target=killer, args=(run, gunicorn.pid, stop_killing), daemon=True)
            kill_thread.start()
        started = time.monotonic()
        run_locust(run, port)
        stop_killing.set()
        if kill_thread:
            kill_thread.join(timeout=10)
        run.figures["wall_seconds"] = round(time.monotonic() - started, 1)
        stop_gunicorn(gunicorn)
        evaluate(run)
    finally:
        stop_killing.set()
        stop_gunicorn(gunicorn)
        with contextlib.suppress(Exception):
            drop_database(run)
    summary = {
        "mode": mode, "db": args.db, "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "users": args.users, "duration_s": args.duration, "workers": args.workers, **run.figures,
        "gates": [g.__dict__ for g in run.gates],
    }  # fmt: skip
    (out / "summary.json").write_text(json.dumps(summary, indent=1, default=str))
    failed = [g.name for g in run.gates if not g.ok]
    print(f"\n{'FAILED: ' + ', '.join(failed) if failed else 'all gates passed'} ({out / 'summary.json'})")
    if run.args.db == "sqlite" and not failed and not args.out:
        with contextlib.suppress(OSError):
            (out / "tremplin.db").unlink()
            for extra in ("tremplin.db-wal", "tremplin.db-shm"):
                (out / extra).unlink(missing_ok=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

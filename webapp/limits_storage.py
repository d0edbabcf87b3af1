"""A `limits` storage in a SQLite file, so rate limits hold across processes when no Redis is configured.

`limits` ships memory, Redis, Memcached and MongoDB storages. Memory counts per process, so under gunicorn with
four workers a limit of N lets 4×N through; the development server and a SQLite-only install have no Redis. This
storage keeps the counters in a small SQLite file of its own (never the application database: no migration, and a
busy limiter never locks the tables that hold answers). Every read-then-write runs inside BEGIN IMMEDIATE, which
takes SQLite's write lock before the read, so two processes cannot both see "N-1 used" and both go ahead; the
busy timeout makes the second wait for the first instead of failing.

It supports the fixed-window strategy (incr / get / get_expiry) and the moving-window strategy (acquire_entry /
get_moving_window), with the same semantics as limits' memory and Redis storages.

Select it with a URI holding an absolute path: ``sqlite-file:///srv/tremplin/instance/ratelimits.sqlite``.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from limits.errors import ConfigurationError
from limits.storage.base import MovingWindowSupport, Storage

SCHEME = "sqlite-file"
# Seconds a process waits for another to release the write lock before the storage raises.
BUSY_TIMEOUT_SECONDS = 10.0
# About one write in this many also sweeps expired rows of every key, so keys of clients that never return go away.
SWEEP_ONE_IN = 200

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS entries (key TEXT NOT NULL, at REAL NOT NULL, expires_at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS entries_key_at ON entries (key, at)",
    "CREATE INDEX IF NOT EXISTS entries_expires_at ON entries (expires_at)",
    "CREATE INDEX IF NOT EXISTS counters_expires_at ON counters (expires_at)",
)


def path_from_uri(uri: str) -> Path:
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme != SCHEME or parsed.netloc or not parsed.path or not Path(parsed.path).is_absolute():
        raise ConfigurationError(f"{SCHEME} storage needs an absolute file path, like {SCHEME}:///srv/app/ratelimits.sqlite; got {uri!r}")
    return Path(urllib.parse.unquote(parsed.path))


class SQLiteFileStorage(Storage, MovingWindowSupport):
    """Rate-limit counters in a SQLite file shared by every process on the host."""

    STORAGE_SCHEME: ClassVar[list[str]] = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        self.path = path_from_uri(uri)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.timeout = float(options.get("timeout", BUSY_TIMEOUT_SECONDS))
        # One connection per (process, thread): sqlite3 connections must not cross threads, nor survive a fork.
        self._local = threading.local()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        with self._write() as connection:
            for statement in _SCHEMA:
                connection.execute(statement)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None or getattr(self._local, "pid", None) != os.getpid():
            # isolation_level=None: no implicit transactions; we issue BEGIN IMMEDIATE ourselves.
            connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # losing the last counters in a power cut is harmless
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that holds the lock from its first read, so check-then-write is atomic."""
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def _maybe_sweep(self, connection: sqlite3.Connection, now: float) -> None:
        if random.randrange(SWEEP_ONE_IN) == 0:  # noqa: S311 - housekeeping, not security
            connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
            connection.execute("DELETE FROM entries WHERE expires_at <= ?", (now,))

    # Fixed window: one counter per key that starts at the first hit and expires `expiry` seconds later.

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._write() as connection:
            self._maybe_sweep(connection, now)
            connection.execute("DELETE FROM counters WHERE key = ? AND expires_at <= ?", (key, now))
            row = connection.execute(
                "INSERT INTO counters (key, value, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value RETURNING value",
                (key, amount, now + expiry),
            ).fetchone()
        return int(row[0])

    def get(self, key: str) -> int:
        row = self._connection().execute("SELECT value FROM counters WHERE key = ? AND expires_at > ?", (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = self._connection().execute("SELECT expires_at FROM counters WHERE key = ? AND expires_at > ?", (key, now)).fetchone()
        return float(row[0]) if row else now

    # Moving window: one row per accepted hit; a hit is accepted when fewer than `limit` rows are younger than `expiry`.

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        with self._write() as connection:
            self._maybe_sweep(connection, now)
            connection.execute("DELETE FROM entries WHERE key = ? AND at < ?", (key, now - expiry))
            (used,) = connection.execute("SELECT count(*) FROM entries WHERE key = ?", (key,)).fetchone()
            if used + amount > limit:
                return False
            connection.executemany("INSERT INTO entries (key, at, expires_at) VALUES (?, ?, ?)", [(key, now, now + expiry)] * amount)
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = time.time()
        oldest, count = (
            self._connection()
            .execute(
                "SELECT min(at), count(*) FROM (SELECT at FROM entries WHERE key = ? AND at >= ? ORDER BY at DESC LIMIT ?)",
                (key, now - expiry, limit),
            )
            .fetchone()
        )
        return (float(oldest), int(count)) if count else (now, 0)

    # Housekeeping.

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        with self._write() as connection:
            removed = connection.execute("DELETE FROM counters").rowcount + connection.execute("DELETE FROM entries").rowcount
        return removed

    def clear(self, key: str) -> None:
        with self._write() as connection:
            connection.execute("DELETE FROM counters WHERE key = ?", (key,))
            connection.execute("DELETE FROM entries WHERE key = ?", (key,))

    def __getstate__(self) -> dict[str, Any]:
        # Picklable for multiprocessing: the thread-local connections stay behind.
        state = self.__dict__.copy()
        del state["_local"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

"""A process of the SQLite-storage race in test_rate_limits.py, in its own small module: a spawned process imports
the module of its target, and this one imports only the storage (not Flask, the model or the test suite)."""

from __future__ import annotations

from typing import Any

from webapp.limits_storage import SQLiteFileStorage


def hammer(uri: str, barrier: Any, results: Any, hits: int) -> None:
    storage = SQLiteFileStorage(uri)
    barrier.wait()
    accepted = sum(storage.acquire_entry("shared", limit=30, expiry=60) for _ in range(hits))
    last = 0
    for _ in range(hits):
        last = max(last, storage.incr("counter", expiry=60))
    results.put((accepted, last))

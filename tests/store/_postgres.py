"""What the PostgreSQL store tests share: a worker thread, and ways to hold an append or wait for a lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from timeline.store import EventStore
from timeline.store.postgres import PostgresStore

StoreFactory = Callable[[], EventStore]
TIMEOUT = 30.0


class Worker:
    """A thread that runs `fn` and keeps its result or its exception, so failures reach the test."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self._fn = fn
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.result = self._fn()
        except BaseException as exc:
            self.error = exc

    def join(self) -> Any:
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive(), "the thread did not finish"
        if self.error is not None:
            raise self.error
        return self.result


def hold_before_commit(
    store: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> tuple[threading.Event, threading.Event]:
    """Make `store`'s appends stop inside their transaction, rows inserted, until `release` is set."""
    inside, release = threading.Event(), threading.Event()
    original = store._write

    @contextmanager
    def held() -> Iterator[Any]:
        with original() as tx:
            yield tx
            inside.set()
            assert release.wait(TIMEOUT)

    monkeypatch.setattr(store, "_write", held)
    return inside, release


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)


def waiting_for_advisory_lock(admin: Any) -> int:
    row = admin.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    ).fetchone()
    return int(row[0])


def terminate(admin: Any, pid: int) -> None:
    """End the server process of connection `pid` (as a server restart or an administrator would)."""
    row = admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,)).fetchone()
    assert row[0] is True

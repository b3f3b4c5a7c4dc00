"""`timeline.store._connections.ThreadConnections`: one connection per thread, and none crosses a fork."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from timeline.errors import StoreError
from timeline.store import open_store
from timeline.store._connections import _INHERITED, ThreadConnections


class _Conn:
    def __init__(self, number: int) -> None:
        self.number = number
        self.closed = False
        self.pid = os.getpid()


def _registry() -> tuple[ThreadConnections[_Conn], list[_Conn]]:
    made: list[_Conn] = []

    def connect() -> _Conn:
        made.append(_Conn(len(made)))
        return made[-1]

    def close(conn: _Conn) -> None:
        conn.closed = True

    return ThreadConnections(connect, close, closed_message="closed!", usable=lambda c: not c.closed), made


def test_one_connection_per_thread_all_closed_together() -> None:
    connections, made = _registry()
    first = connections.get()
    assert connections.get() is first
    others: list[_Conn] = []
    thread = threading.Thread(target=lambda: others.append(connections.get()))
    thread.start()
    thread.join()
    assert others[0] is not first
    connections.close_all()
    assert all(conn.closed for conn in made)
    with pytest.raises(StoreError, match="closed!"):
        connections.get()


def test_a_dead_connection_is_replaced() -> None:
    connections, made = _registry()
    first = connections.get()
    first.closed = True  # the server went away
    assert connections.get() is not first
    assert len(made) == 2


def _in_child(check: object) -> int:
    """Run `check()` in a forked child; its exit status (0: passed)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            check()  # type: ignore[operator]
        except BaseException:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_forked_child_opens_its_own_and_never_closes_the_inherited() -> None:
    connections, _ = _registry()
    parents = connections.get()

    def check() -> None:
        mine = connections.get()
        assert mine is not parents
        assert mine.pid == os.getpid()
        connections.close_all()
        assert mine.closed
        assert not parents.closed  # closing it would release the parent's locks / end its session
        assert parents in _INHERITED

    assert _in_child(check) == 0
    assert connections.get() is parents
    assert not parents.closed


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_sqlite_store_used_in_a_forked_child_uses_a_fresh_connection(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "t.db"))
    store.append("s", [])
    inherited = store._conn()  # type: ignore[attr-defined]

    def check() -> None:
        conn = store._conn()  # type: ignore[attr-defined]
        assert isinstance(conn, sqlite3.Connection)
        assert conn is not inherited
        assert store.version("s") == 0

    assert _in_child(check) == 0
    # The parent's idle connection was closed before the fork (so no child inherits it), and is reopened.
    with pytest.raises(sqlite3.ProgrammingError):
        inherited.execute("SELECT 1")
    assert store._conn() is not inherited  # type: ignore[attr-defined]
    assert store.version("s") == 0
    store.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_connection_inside_a_transaction_is_not_closed_at_fork(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "t.db"))
    conn = store._conn()  # type: ignore[attr-defined]
    conn.execute("BEGIN")
    assert _in_child(lambda: None) == 0
    assert conn.in_transaction  # still open, still in its transaction
    conn.execute("ROLLBACK")
    store.close()

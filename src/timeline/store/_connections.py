"""One connection per thread, for the SQLite and PostgreSQL stores; and what a forked child may do with them.

Each thread gets its own connection, opened on first use. `close_all` closes every one this process opened.
A forked child never uses a connection it inherited (SQLite forbids carrying one across ``fork()``; a
PostgreSQL socket would then be shared by two processes): it opens its own. It never closes an inherited one
either, since closing would release the parent's SQLite locks (POSIX locks belong to the process, and a
close drops them all) or end the parent's PostgreSQL session; those are kept referenced, unused, until the
child exits. Better still, the forking thread's idle connections are closed just before ``fork()`` (and
reopened on next use), so a child inherits none of them: an inherited SQLite connection, even unused,
shares its file's lock bookkeeping with the child's own connections, and SQLite may then delete a WAL file
that the child is writing to.
"""

from __future__ import annotations

import os
import threading
import weakref
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from timeline.errors import StoreError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ThreadConnections"]

C = TypeVar("C")

#: Connections a forked child inherited: referenced here so the child never finalizes (closes) them.
_INHERITED: list[object] = []


def _always(_: object) -> bool:
    return True


#: The registries whose idle connections are closed before a fork.
_CLOSED_AT_FORK: weakref.WeakSet[ThreadConnections[Any]] = weakref.WeakSet()


def _before_fork() -> None:
    for registry in list(_CLOSED_AT_FORK):
        registry.close_idle_of_this_thread()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork)


class ThreadConnections(Generic[C]):
    """A store's connections, one per thread and process: opened by `connect`, closed by `close_all`."""

    def __init__(
        self,
        connect: Callable[[], C],
        close: Callable[[C], None],
        *,
        closed_message: str,
        usable: Callable[[C], bool] = _always,
        idle: Callable[[C], bool] | None = None,
    ) -> None:
        """`idle(conn)`, when given, says the connection is in no transaction: then this thread's connection
        is closed before a ``fork()`` if it is idle (see the module docstring)."""
        self._connect = connect
        self._close = close
        self._usable = usable
        self._closed_message = closed_message
        self._local = threading.local()
        self._opened: list[tuple[int, C]] = []  # (pid of the process that opened it, connection)
        self._guard = threading.Lock()
        self.closed = False
        self._idle = idle
        if idle is not None:
            _CLOSED_AT_FORK.add(self)

    def get(self) -> C:
        """This thread's connection, opened now if it has none (or had one that died, or was inherited)."""
        local = self._local
        conn: C | None = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid() and self._usable(conn):
            return conn
        if self.closed:
            raise StoreError(self._closed_message)
        conn = self._connect()
        pid = os.getpid()
        with self._guard:
            if self.closed:  # closed by another thread while we connected
                self._close(conn)
                raise StoreError(self._closed_message)
            self._forget_foreign_and_dead(pid)
            self._opened.append((pid, conn))
        local.conn = conn
        local.pid = pid
        return conn

    def close_all(self) -> None:
        """Close every connection this process opened; later use raises StoreError. Safe to call twice."""
        with self._guard:
            self.closed = True
            pid = os.getpid()
            opened, self._opened = self._opened, []
        self._local = threading.local()
        for owner, conn in opened:
            if owner == pid:
                self._close(conn)
            else:
                _INHERITED.append(conn)

    def close_idle_of_this_thread(self) -> None:
        """Close this thread's connection if it is idle; the next `get` opens another."""
        local = self._local
        conn: C | None = getattr(local, "conn", None)
        if conn is None or self._idle is None or local.pid != os.getpid() or not self._idle(conn):
            return
        with self._guard:
            self._opened = [(owner, c) for owner, c in self._opened if c is not conn]
        local.conn = None
        self._close(conn)

    def _forget_foreign_and_dead(self, pid: int) -> None:
        """Drop from the list what need not be closed by us: inherited connections (kept alive, unused) and
        dead ones. Called with the guard held."""
        kept = []
        for owner, conn in self._opened:
            if owner != pid:
                _INHERITED.append(conn)
            elif self._usable(conn):
                kept.append((owner, conn))
        self._opened = kept

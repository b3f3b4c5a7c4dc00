"""Waking on PostgreSQL's NOTIFY: a thread LISTENs on the store's channel, so an unchanged poll reads nothing.

Every append to a PostgreSQL store sends a NOTIFY as it commits (`PostgresStore.notify_channel`). One daemon
thread per process holds a connection LISTENing on it and notes each notification; the server reads the log
only when one came (`needs_reading`). While the thread is not listening (not yet connected, or its connection
dropped: it reconnects every few seconds) every request reads the log, as without a listener; once it listens
again, the next request reads once, for what was appended in between.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any, Protocol

from timeline.errors import StoreError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ChangeListener", "Listening"]

RECONNECT_AFTER = 2.0  # seconds between attempts while the database cannot be reached
_WAKE_EVERY = 1.0  # seconds a wait for notifications lasts, so `close` is seen


class Listening(Protocol):
    """A store that can listen for its appends (`timeline.store.postgres.PostgresStore`)."""

    def listener(self) -> Any:
        """A new psycopg connection LISTENing on the store's channel."""
        ...


class ChangeListener:
    """A thread listening for appends; `needs_reading` says whether the log may hold something new."""

    def __init__(self, connect: Callable[[], Any]) -> None:
        self._connect = connect
        self._listening = False
        self._changed = True  # nothing is known yet
        self._closed = threading.Event()
        self._connection: Any = None
        self.notifications = 0
        """How many notifications arrived (for tests and benchmarks)."""
        self._thread = threading.Thread(target=self._run, name="timeline-listen", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    @property
    def listening(self) -> bool:
        """Whether the connection is up and LISTENing."""
        return self._listening

    def needs_reading(self) -> bool:
        """True unless the thread is listening and nothing was appended since the last True.

        The mark is cleared before the caller reads: a notification that arrives during the read marks it
        again, so what it announces is read at the latest by the next request.
        """
        if not self._listening:
            return True
        if self._changed:
            self._changed = False
            return True
        return False

    def close(self) -> None:
        """Stop the thread and close its connection (it ends within a second)."""
        self._closed.set()
        connection = self._connection
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def drop_connection(self) -> None:
        """Close the connection as a network failure would (for tests): the thread reconnects."""
        connection = self._connection
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()

    def _run(self) -> None:
        while not self._closed.is_set():
            try:
                self._connection = self._connect()
            except StoreError:
                self._closed.wait(RECONNECT_AFTER)
                continue
            try:
                self._listen(self._connection)
            except Exception:  # psycopg's errors, or a connection closed under it: read per request meanwhile
                pass
            finally:
                self._listening = False
                with contextlib.suppress(Exception):
                    self._connection.close()
                self._connection = None
            self._closed.wait(RECONNECT_AFTER / 4)

    def _listen(self, connection: Any) -> None:
        # Appends between the last read and the LISTEN are unannounced: read once, now that we listen.
        self._changed = True
        self._listening = True
        while not self._closed.is_set():
            for _ in connection.notifies(timeout=_WAKE_EVERY):
                self.notifications += 1
                self._changed = True
            if connection.closed:
                return

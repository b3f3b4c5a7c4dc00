"""The PostgreSQL store (psycopg 3; ``pip install 'timeline-core[postgres]'``): ``open_store("postgresql://…")``.

Writers are serialised: every write transaction first takes a transaction-level advisory lock
(``pg_advisory_xact_lock``) on a key derived from the schema name, then reads the head and inserts at
``head + 1…``. PostgreSQL makes a transaction visible before it releases its locks, so the next writer
always sees the previous one's rows: positions are gapless and commit order is position order. That keeps
followers safe: a reader polling ``read_all(after=n)`` can never see position n+2 while n+1 is in flight,
so it never skips an event (the failure of sequence-based stores, where a transaction holding an earlier
position commits after a later one). The cost: one writer at a time per store, plus the lock hand-over on
each append; batches amortise it. A writer waits for the lock up to `lock_timeout` seconds.
The transactions run at READ COMMITTED on purpose: each statement takes a fresh snapshot, so the statements
after the lock see everything committed before it (at REPEATABLE READ the snapshot would predate the wait).

Connections: one per thread, opened lazily, in autocommit mode (reads hold no transaction open; each page is
one statement). A connection that died (server restart, terminated backend) is replaced on its next use,
and a read is retried once on a fresh connection. A write that loses its connection raises `StoreError`:
before COMMIT was sent, nothing was stored (PostgreSQL rolls the transaction back); during COMMIT, the
outcome is unknown, and appending the same events again (same ids) is safe because appends are idempotent.

The URL is libpq's (``postgresql://user:password@host:port/db?sslmode=…``) plus one option of ours,
``schema=NAME`` (default ``timeline``): the PostgreSQL schema holding the tables, created and migrated on
first use (see `timeline.store._postgres_schema`). Projections can keep checkpoints in the same database:
`PostgresStore.checkpoints()`.
"""

from __future__ import annotations

import functools
import os
import weakref
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus

from timeline.errors import StoreError
from timeline.store import _postgres_schema as schema
from timeline.store._connections import ThreadConnections
from timeline.store._names import check_readable_name
from timeline.store._postgres_checkpoints import CheckpointTransaction, PostgresCheckpointStore
from timeline.store._postgres_io import PostgresTx, decode_page
from timeline.store._postgres_raw import RAW_COLUMNS as _RAW_COLUMNS
from timeline.store._postgres_raw import raw_page as _raw_page
from timeline.store._postgres_urls import SECRET_KEYS, scrubbed, secrets_of, split_url
from timeline.store.base import EventStore

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from psycopg import Connection
    from psycopg.rows import TupleRow

    from timeline.store.contract import RawRecord, Recorded, WriteTransaction


__all__ = [
    "SECRET_KEYS",
    "CheckpointTransaction",
    "PostgresCheckpointStore",
    "PostgresStore",
    "reset_for_tests",
    "split_url",
]

CONNECT_TIMEOUT = 10  # seconds, unless the URL or $PGCONNECT_TIMEOUT says otherwise


def _connect(conninfo: str, shown: str, lock_timeout: float) -> Connection[TupleRow]:
    conn = None
    try:
        options: dict[str, Any] = {}
        if "connect_timeout" not in conninfo_to_dict(conninfo) and "PGCONNECT_TIMEOUT" not in os.environ:
            options["connect_timeout"] = CONNECT_TIMEOUT  # libpq would wait forever for a silent host
        conn = psycopg.connect(conninfo, autocommit=True, **options)
        # UTC makes psycopg return recorded_at with datetime.UTC; lock_timeout bounds a writer's wait.
        # Custom plans only: psycopg prepares repeated statements, and a generic plan made while the table was
        # small goes on scanning it whole once it is big (measured: 13 one-event appends/s at 100,000 events).
        conn.execute(
            "SELECT set_config('TimeZone', 'UTC', false), set_config('lock_timeout', %s, false),"
            " set_config('plan_cache_mode', 'force_custom_plan', false)",
            (f"{int(lock_timeout * 1000)}ms",),
        )
    except psycopg.Error as exc:
        if conn is not None:
            conn.close()
        why = scrubbed(str(exc), secrets_of(conninfo))
        raise StoreError(f"cannot connect to PostgreSQL at {shown}: {why}".rstrip()) from None
    return conn


class PostgresStore(EventStore):
    """An `EventStore` in a PostgreSQL database; `open_store("postgresql://user@host/db")`."""

    def __init__(self, url: str, *, lock_timeout: float = 60.0, create: bool = True) -> None:
        self._conninfo, self.schema, self.url = split_url(url)
        self._lock_timeout = lock_timeout
        self._begin_locked = f"BEGIN; SELECT pg_advisory_xact_lock({schema.lock_key(self.schema, 'write')})"
        self._sql = schema.Statements(schema.quoted_schema(self.schema))
        # A function of the settings, not a method: the registry must not keep the store alive.
        self._connections: ThreadConnections[Connection[TupleRow]] = ThreadConnections(
            functools.partial(_connect, self._conninfo, self.url, lock_timeout),
            _close_connection,
            closed_message=f"the store {self.url} is closed",
            usable=_is_open,
        )
        # Closed as soon as the store is dropped, not whenever the collector finds it.
        self._finalizer = weakref.finalize(self, self._connections.close_all)
        conn = self._conn()
        try:
            if not create and schema.current_version(conn, self.schema) == 0:
                raise StoreError(f"no store at {self.url}")
            schema.migrate(conn, self.schema)
        except psycopg.Error as exc:
            self.close()
            raise StoreError(f"cannot create the store's tables in {self.url}: {exc}") from exc
        except BaseException:
            self.close()
            raise

    # -- connections ---------------------------------------------------------------------------

    @classmethod
    def from_url(cls, url: str, *, create: bool = True) -> PostgresStore:
        """The store a ``postgresql://`` (or ``postgres://``) URL names (see the module docstring); with
        ``create=False``, a StoreError "no store at URL" rather than a new one."""
        return cls(url, create=create)

    def _conn(self) -> Connection[TupleRow]:
        return self._connections.get()

    def close(self) -> None:
        """Close every connection this store opened; using the store afterwards raises `StoreError`."""
        self._connections.close_all()

    def _query(self, query: str, params: Sequence[Any] = ()) -> list[TupleRow]:
        """Run a read; once more on a fresh connection if the connection had died."""
        for attempt in (1, 2):
            conn = self._conn()
            try:
                return conn.execute(query, params).fetchall()
            except psycopg.OperationalError as exc:
                if attempt == 1 and conn.closed:
                    continue
                raise StoreError(f"cannot read from PostgreSQL at {self.url}: {exc}") from exc
            except psycopg.Error as exc:
                raise StoreError(f"cannot read from PostgreSQL at {self.url}: {exc}") from exc
        raise AssertionError("unreachable")

    def _begin(self, what: str, *, lock: bool) -> Connection[TupleRow]:
        """A connection inside a new transaction (holding the write lock if `lock`)."""
        for attempt in (1, 2):
            conn = self._conn()
            if conn.info.transaction_status != TransactionStatus.IDLE:
                raise StoreError(f"cannot {what}: this thread is already inside a transaction of {self.url}")
            try:
                # One round trip for both (a simple query may hold several statements; the key is our int).
                conn.execute(self._begin_locked if lock else "BEGIN")
                return conn
            except psycopg.errors.LockNotAvailable as exc:
                _rollback_quietly(conn)
                raise StoreError(
                    f"cannot {what}: gave up after {self._lock_timeout:g} s waiting for another writer"
                ) from exc
            except psycopg.OperationalError as exc:
                if attempt == 1 and conn.closed:
                    continue  # a connection that died while idle: nothing was sent yet, so retrying is safe
                raise StoreError(f"cannot {what} in PostgreSQL at {self.url}: {exc}") from exc
            except psycopg.Error as exc:
                _rollback_quietly(conn)
                raise StoreError(f"cannot {what} in PostgreSQL at {self.url}: {exc}") from exc
        raise AssertionError("unreachable")

    @contextmanager
    def _transaction(self, what: str, *, lock: bool = False) -> Iterator[Connection[TupleRow]]:
        """One transaction on this thread's connection: committed if the block succeeds, else rolled back.

        A lost connection is reported as `StoreError`, saying whether anything may have been stored.
        """
        conn = self._begin(what, lock=lock)
        try:
            yield conn
        except psycopg.Error as exc:
            _rollback_quietly(conn)
            if conn.closed:
                raise StoreError(
                    f"cannot {what}: lost the connection to PostgreSQL at {self.url} before the commit;"
                    f" nothing was stored ({exc})"
                ) from exc
            raise StoreError(f"cannot {what} in PostgreSQL at {self.url}: {exc}") from exc
        except BaseException:
            _rollback_quietly(conn)
            raise
        if conn.info.transaction_status != TransactionStatus.INTRANS:
            # COMMIT of a failed transaction quietly rolls back: never let that pass for success.
            _rollback_quietly(conn)
            raise StoreError(
                f"cannot {what} in PostgreSQL at {self.url}: a statement failed; nothing was stored"
            )
        try:
            conn.commit()
        except psycopg.Error as exc:
            if conn.closed:
                raise StoreError(
                    f"cannot {what}: lost the connection to PostgreSQL at {self.url} during the commit, so it"
                    f" may or may not be stored; doing it again is safe (appends of the same event ids are"
                    f" idempotent) ({exc})"
                ) from exc
            _rollback_quietly(conn)
            raise StoreError(f"cannot {what} in PostgreSQL at {self.url}: the commit failed ({exc})") from exc

    @contextmanager
    def _write(self) -> Iterator[WriteTransaction]:
        with self._transaction("append", lock=True) as conn:
            tx = PostgresTx(conn, self._sql, self.url)
            yield tx
            tx.announce(self.notify_channel)

    @property
    def notify_channel(self) -> str:
        """The channel of the NOTIFY every append sends as it commits: the store's schema name (``timeline``
        by default); the payload is the new head position, as text. ``timeline serve`` listens on it."""
        return self.schema

    def listener(self) -> Connection[TupleRow]:
        """A new connection of its own, already LISTENing on `notify_channel` (``conn.notifies()`` yields
        the appends' notifications); the caller closes it. A `StoreError` if it cannot connect."""
        conn = _connect(self._conninfo, self.url, self._lock_timeout)
        try:
            conn.execute(f"LISTEN {schema.quoted_schema(self.schema)}")
        except psycopg.Error as exc:
            conn.close()
            raise StoreError(f"cannot listen to PostgreSQL at {self.url}: {exc}") from exc
        return conn

    def checkpoints(self) -> PostgresCheckpointStore:
        """A `CheckpointStore` for projections, in this store's database (see `PostgresCheckpointStore`)."""
        return PostgresCheckpointStore(self)

    # -- reading -------------------------------------------------------------------------------

    def read(self, stream: str, *, after_version: int = 0) -> Iterator[Recorded]:
        """The stream's events after `after_version`, in order, read a page at a time."""
        check_readable_name(stream)
        version = after_version
        while True:
            rows = self._query(self._sql.read, (stream, version))
            if not rows:
                return
            yield from decode_page(rows, self.url)
            if len(rows) < schema.PAGE:
                return
            version = rows[-1][2]

    def read_all(self, after: int = 0) -> Iterator[Recorded]:
        """The whole log after global position `after`, in position order, read a page at a time."""
        position = after
        while True:
            rows = self._query(self._sql.read_all, (position,))
            if not rows:
                return
            yield from decode_page(rows, self.url)
            if len(rows) < schema.PAGE:
                return
            position = rows[-1][0]

    raw_reads = True

    def read_all_raw(self, after: int = 0) -> Iterator[RawRecord]:
        """The whole log after global position `after` as stored rows, read a page at a time."""
        return self._raw_pages("position > %s ORDER BY position", (), after, 0)

    def read_raw(self, stream: str, *, after_version: int = 0) -> Iterator[RawRecord]:
        """The stream's events after `after_version` as stored rows, read a page at a time."""
        check_readable_name(stream)
        return self._raw_pages("stream = %s AND version > %s ORDER BY version", (stream,), after_version, 2)

    def _raw_pages(self, where: str, params: tuple[str, ...], after: int, column: int) -> Iterator[RawRecord]:
        """The rows `where` selects, a page at a time, each page after the last one's value of `column`."""
        query = f"SELECT {_RAW_COLUMNS} FROM {self._sql.schema}.events WHERE {where} LIMIT {schema.PAGE}"
        while True:
            rows = self._query(query, (*params, after))
            yield from _raw_page(rows)
            if len(rows) < schema.PAGE:
                return
            after = rows[-1][column]

    def version(self, stream: str) -> int:
        """The stream's current version (0 when it does not exist)."""
        check_readable_name(stream)
        return int(self._query(self._sql.version, (stream,))[0][0])

    def head(self) -> int:
        """The last global position (0 for an empty store)."""
        return int(self._query(self._sql.head)[0][0])

    def streams(self) -> list[str]:
        """The names of all streams, sorted (by code point, like Python's `sorted`)."""
        return [row[0] for row in self._query(self._sql.streams)]


def _rollback_quietly(conn: Connection[TupleRow]) -> None:
    """Roll back; a dead connection has nothing to roll back (the server already did)."""
    with suppress(psycopg.Error):
        conn.rollback()


def _close_connection(conn: Connection[TupleRow]) -> None:
    conn.close()


def _is_open(conn: Connection[TupleRow]) -> bool:
    return not conn.closed


def reset_for_tests(url: str) -> None:
    """FOR TESTS ONLY: drop the store's schema (every event in it) and create it afresh."""
    conninfo, name, shown = split_url(url)
    conn = _connect(conninfo, shown, lock_timeout=10.0)
    try:
        schema.drop(conn, name)
        schema.migrate(conn, name)
    finally:
        conn.close()

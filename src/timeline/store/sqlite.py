"""The SQLite store: the embedded default, one file, safe for several threads and processes.

Durability: the database runs in WAL mode with ``synchronous=FULL`` by default, so a returned `append` has
survived a power cut (one fsync per append). ``synchronous=NORMAL``
(``open_store("file.db?synchronous=normal")``) is still safe against a killed process but may lose the last
appends on a power cut; it is faster for one-event appends. Writers serialise on ``BEGIN IMMEDIATE`` and
wait for each other up to `busy_timeout` seconds instead of failing with "database is locked". Positions
are assigned inside that transaction, so they are gapless.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import weakref
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from timeline._fastcodec import DECODE_ERRORS
from timeline._speed import builder, paused_gc
from timeline.errors import StoreError
from timeline.store._connections import ThreadConnections
from timeline.store._decoding import decode_stored, row_reader
from timeline.store._names import check_readable_name
from timeline.store._sqlite_schema import SCHEMA as SCHEMA
from timeline.store._sqlite_schema import SCHEMA_VERSION, open_schema
from timeline.store.base import EventStore
from timeline.store.contract import NewRow, RawRecord, Recorded, StoredRow, WriteTransaction

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from types import TracebackType

    from timeline.events import Event

#: Columns in the order `_row_to_record` reads them.
COLUMNS = "position, stream, version, type, schema_version, recorded_at, data"
#: Columns in the order of a `RawRecord` (`_raw_page` turns recorded_at into a datetime).
RAW_COLUMNS = "position, stream, version, type, schema_version, recorded_at, id, data"
INSERT = (
    "INSERT INTO events (position, stream, version, id, type, schema_version, target, recorded_at, data)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
PAGE = 1000
_HEAD = "SELECT position, recorded_at FROM events ORDER BY position DESC LIMIT 1"
_VERSION_AND_HEAD = (
    "SELECT (SELECT max(version) FROM events WHERE stream = ?), position, recorded_at"
    " FROM events ORDER BY position DESC LIMIT 1"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SYNCHRONOUS = {"full": "FULL", "normal": "NORMAL", "extra": "EXTRA", "off": "OFF"}


def to_micros(moment: datetime) -> int:
    """A UTC datetime as whole microseconds since the epoch (how SQLite keeps `recorded_at`)."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def from_micros(micros: int) -> datetime:
    """The inverse of `to_micros`."""
    return _EPOCH + timedelta(microseconds=micros)


class SqliteStore(EventStore):
    """An `EventStore` in one SQLite file (WAL mode); `open_store("timeline.db")`."""

    #: The schema version of the stores this class writes (``PRAGMA user_version``).
    SCHEMA_VERSION = SCHEMA_VERSION

    def __init__(
        self, path: str, *, synchronous: str = "full", busy_timeout: float = 60.0, create: bool = True
    ) -> None:
        if synchronous.lower() not in _SYNCHRONOUS:
            raise StoreError(f"synchronous={synchronous!r}: expected one of {', '.join(_SYNCHRONOUS)}")
        self.url = path
        self.path = path
        self._synchronous = _SYNCHRONOUS[synchronous.lower()]
        self._busy_timeout = busy_timeout
        # A function of the settings, not a method: the registry must not keep the store alive.
        connect = functools.partial(_connect, path, self._busy_timeout, self._synchronous)
        self._connections: ThreadConnections[sqlite3.Connection] = ThreadConnections(
            connect,
            sqlite3.Connection.close,
            closed_message=f"the store {path!r} is closed",
            idle=_idle,
        )
        # Closed as soon as the store is dropped, not whenever the collector finds it: an open connection
        # inherited by a forked child confuses SQLite's locking in that child (see `store._connections`).
        self._finalizer = weakref.finalize(self, self._connections.close_all)
        if not create and not os.path.exists(path):
            self.close()
            raise StoreError(f"no store at {path}")
        try:
            open_schema(self._conn(), path, self._write, create=create)
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_url(cls, url: str, *, create: bool = True) -> SqliteStore:
        """The store a SQLite URL names: a path (``file.db``, ``file.db?synchronous=normal``) or, as in
        SQLAlchemy, ``sqlite:///relative.db`` or ``sqlite:////absolute.db``. StoreError if it names none;
        with ``create=False``, also if there is no store there ("no store at PATH")."""
        if url.startswith("sqlite:") and not url.startswith("sqlite:///"):
            raise StoreError(
                f"{url!r}: write sqlite:///relative.db or sqlite:////absolute.db, or just the path"
            )
        path = url.removeprefix("sqlite:///")
        path, _, query = path.partition("?")
        options: dict[str, str] = {}
        if query:  # urllib.parse costs a start-up a few milliseconds: only for a path that has options
            from urllib.parse import parse_qsl

            options = dict(parse_qsl(query))
        unknown = set(options) - {"synchronous"}
        if unknown:
            raise StoreError(f"unknown SQLite option(s) in {url!r}: {', '.join(sorted(unknown))}")
        if not path:
            raise StoreError(f"{url!r} names no SQLite file")
        return cls(path, synchronous=options.get("synchronous", "full"), create=create)

    # -- connections ---------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        return self._connections.get()

    def close(self) -> None:
        """Close every connection this store opened."""
        self._connections.close_all()

    def _write(self) -> _SqliteTx:
        """A write transaction (``BEGIN IMMEDIATE``): committed when the block exits normally."""
        return _SqliteTx(self._conn(), self.path)

    # -- reading -------------------------------------------------------------------------------

    def read(self, stream: str, *, after_version: int = 0) -> Iterator[Recorded]:
        """The stream's events after `after_version`, in order, read a page at a time."""
        check_readable_name(stream)
        for rows in self._pages(COLUMNS, "stream = ? AND version > ?", "version", (stream, after_version)):
            yield from _decode_page(rows, self.path)

    def read_all(self, after: int = 0) -> Iterator[Recorded]:
        """The whole log after global position `after`, in position order, read a page at a time."""
        for rows in self._pages(COLUMNS, "position > ?", "position", (after,)):
            yield from _decode_page(rows, self.path)

    raw_reads = True

    def read_all_raw(self, after: int = 0) -> Iterator[RawRecord]:
        """The whole log after global position `after` as stored rows, read a page at a time."""
        for rows in self._pages(RAW_COLUMNS, "position > ?", "position", (after,)):
            yield from _raw_page(rows)

    def read_raw(self, stream: str, *, after_version: int = 0) -> Iterator[RawRecord]:
        """The stream's events after `after_version` as stored rows, read a page at a time."""
        check_readable_name(stream)
        pages = self._pages(RAW_COLUMNS, "stream = ? AND version > ?", "version", (stream, after_version))
        for rows in pages:
            yield from _raw_page(rows)

    def _pages(self, columns: str, where: str, order: str, params: tuple[Any, ...]) -> Iterator[list[Any]]:
        """Pages of `columns` matching `where`, by `order` (``position``, each row's first column, or
        ``version``, its third; the last of `params`): each page starts after the previous page's last row."""
        query = f"SELECT {columns} FROM events WHERE {where} ORDER BY {order} LIMIT {PAGE}"
        at = 0 if order == "position" else 2
        while True:
            rows = self._fetch(query, params)
            if not rows:
                return
            yield rows
            params = (*params[:-1], rows[-1][at])

    def version(self, stream: str) -> int:
        """The stream's current version (0 when it does not exist)."""
        check_readable_name(stream)
        return int(self._fetch("SELECT max(version) FROM events WHERE stream = ?", (stream,))[0][0] or 0)

    def head(self) -> int:
        """The last global position (0 for an empty store)."""
        return int(self._fetch("SELECT max(position) FROM events")[0][0] or 0)

    def streams(self) -> list[str]:
        """The names of all streams, sorted."""
        return [r[0] for r in self._fetch("SELECT DISTINCT stream FROM events ORDER BY stream")]

    def _fetch(self, query: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """The rows of one read; a StoreError (not sqlite3's) if the file cannot be read (e.g. a bad page)."""
        try:
            return self._conn().execute(query, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the SQLite store {self.path!r}: {exc}") from exc


def _connect(path: str, busy_timeout: float, synchronous: str) -> sqlite3.Connection:
    """A new connection to the store at `path`, in WAL mode, with the store's durability setting."""
    try:
        conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the SQLite store {path!r}: {exc}") from exc
    try:
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        conn.execute(f"PRAGMA synchronous={synchronous}")
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(f"cannot open the SQLite store {path!r}: {exc}") from exc
    return conn


def _idle(conn: sqlite3.Connection) -> bool:
    return not conn.in_transaction


# Recorded(...) without its keyword parsing: a tenth of the cost of reading an event.
_record = builder(Recorded)


def _decode_page(rows: list[Any], where: str) -> list[Recorded]:
    """Decode a page of rows with the garbage collector paused (see `timeline._speed`)."""
    with paused_gc():
        out = []
        last_micros = None
        moment = _EPOCH
        record = _record
        readers: dict[tuple[str, int], tuple[Callable[[str], Any], Callable[[Any], Event]]] = {}
        for position, stream, version, type_tag, schema_version, micros, data in rows:
            if micros != last_micros:
                moment = from_micros(micros)
                last_micros = micros
            kind = (type_tag, schema_version)
            reader = readers.get(kind)
            if reader is None:
                reader = readers[kind] = row_reader(type_tag, schema_version)
            parse, build = reader
            try:
                event = build(parse(data))
            except DECODE_ERRORS:  # not what we write: the validating path says what is wrong (or copes)
                event = decode_stored(where, position, type_tag, schema_version, data)
            out.append(record(position, stream, version, moment, event))
        return out


def _raw_page(rows: list[Any]) -> list[RawRecord]:
    """A page of `RAW_COLUMNS` rows as `RawRecord`s: recorded_at as a datetime, one per distinct value."""
    with paused_gc():
        out: list[RawRecord] = []
        last_micros = None
        moment = _EPOCH
        for position, stream, version, type_tag, schema_version, micros, event_id, data in rows:
            if micros != last_micros:
                moment = from_micros(micros)
                last_micros = micros
            out.append((position, stream, version, type_tag, schema_version, moment, event_id, data))
        return out


class _SqliteTx(WriteTransaction):
    """One write transaction, and the context manager that runs it (a class: cheaper than a generator, and
    an append of one event pays for it every time)."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self._path = path
        self._head: tuple[int, datetime | None] | None = None

    def __enter__(self) -> _SqliteTx:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to {self._path!r}: {exc}") from exc
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn = self.conn
        if exc is None:
            try:
                conn.execute("COMMIT")
                return
            except sqlite3.Error as failed:
                exc = failed
        # SQLite rolls back by itself after some errors (a full disk, an I/O error): a second ROLLBACK would
        # fail and hide the first error. A failed COMMIT must not leave the transaction open either.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise StoreError(f"cannot write to {self._path!r}: {exc}") from exc

    def find(self, ids: Sequence[str]) -> dict[str, StoredRow]:
        found: dict[str, StoredRow] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            query = f"SELECT {COLUMNS} FROM events WHERE id IN ({marks})"
            for row in self.conn.execute(query, chunk):
                (record,) = _decode_page([row], self._path)
                found[record.event.id] = StoredRow(stream=record.stream, data=row[-1], record=record)
        return found

    def stream_version(self, stream: str) -> int:
        row = self.conn.execute(_VERSION_AND_HEAD, (stream,)).fetchone()
        # The head comes along in the same query: `append` asks for it next, and only our insert moves it.
        self._head = (0, None) if row is None else (row[1], from_micros(row[2]))
        return 0 if row is None else int(row[0] or 0)

    def head(self) -> tuple[int, datetime | None]:
        if self._head is None:
            row = self.conn.execute(_HEAD).fetchone()
            self._head = (0, None) if row is None else (row[0], from_micros(row[1]))
        return self._head

    def amendments(self, target: str) -> list[Event]:
        query = f"SELECT {COLUMNS} FROM events WHERE target = ? ORDER BY position"
        return [r.event for r in _decode_page(self.conn.execute(query, (target,)).fetchall(), self._path)]

    def try_insert(self, stream: str, recorded_at: datetime, rows: Sequence[NewRow]) -> bool:
        try:
            self.insert(stream, recorded_at, rows)
        except sqlite3.IntegrityError:  # an id already stored (the unique index): start over, slowly
            # Nothing but reads came before the insert, so a new transaction loses nothing, and costs less
            # on the common path than a SAVEPOINT around every insert. Another writer may slip in between:
            # the caller reads everything again.
            self.conn.execute("ROLLBACK")
            self.__enter__()
            return False
        return True

    def insert(self, stream: str, recorded_at: datetime, rows: Sequence[NewRow]) -> None:
        micros = to_micros(recorded_at)
        values = [
            (position, stream, version, event.id, event.TYPE, event.SCHEMA_VERSION, target, micros, data)
            for position, version, event, data, target in rows
        ]
        self._head = None
        if len(values) == 1:  # executemany costs more than execute for one row
            self.conn.execute(INSERT, values[0])
        else:
            self.conn.executemany(INSERT, values)

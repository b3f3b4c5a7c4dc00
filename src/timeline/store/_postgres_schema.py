"""The PostgreSQL store's tables, the migrations that create them on first use, and its statements.

Every table lives in one PostgreSQL schema (``timeline`` unless the URL says ``?schema=NAME``), so several
stores can share a database and a test can drop everything with one statement. The schema's version is kept
in ``schema_version``; `migrate` applies the missing steps in one transaction under an advisory lock, so
processes opening the store at the same moment neither race nor half-migrate.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

import psycopg

from timeline.errors import StoreError

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg.rows import TupleRow

DEFAULT_SCHEMA = "timeline"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# `json`, not `jsonb`: it keeps the text exactly as written (appends compare stored events with new ones
# byte for byte) and accepts "\u0000", which event text may contain and jsonb refuses.
# Text columns compare with the "C" collation: byte order of UTF-8, which is code point order, so ORDER BY
# agrees with Python's sorted() whatever the database's locale, and index comparisons skip the locale.
#: (version, description, statements); each step runs once, in order, in the migrating transaction.
MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (
        1,
        "the event log",
        (
            """CREATE TABLE {s}.events (
                position       bigint      PRIMARY KEY,
                stream         text        COLLATE "C" NOT NULL,
                version        integer     NOT NULL,
                id             text        COLLATE "C" NOT NULL,
                type           text        COLLATE "C" NOT NULL,
                schema_version integer     NOT NULL,
                target         text        COLLATE "C",
                recorded_at    timestamptz NOT NULL,
                data           json        NOT NULL,
                CONSTRAINT events_id_key UNIQUE (id),
                CONSTRAINT events_stream_version_key UNIQUE (stream, version)
            )""",
            "CREATE INDEX events_by_target ON {s}.events (target) WHERE target IS NOT NULL",
        ),
    ),
    (
        2,
        "projection checkpoints",
        (
            """CREATE TABLE {s}.projection_checkpoints (
                name       text        COLLATE "C" PRIMARY KEY,
                position   bigint      NOT NULL,
                state      json        NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            )""",
        ),
    ),
    (3, "checkpoint payloads", ("ALTER TABLE {s}.projection_checkpoints ADD COLUMN payload bytea",)),
)
LATEST = MIGRATIONS[-1][0]


def quoted_schema(name: str) -> str:
    """The schema name as an SQL identifier; only plain lower-case names are accepted."""
    if not _IDENTIFIER.match(name):
        raise StoreError(f"schema={name!r}: expected a lower-case SQL name (letters, digits, _)")
    return f'"{name}"'


def lock_key(schema: str, purpose: str) -> int:
    """A stable signed 64-bit advisory lock key for one purpose in one schema."""
    digest = hashlib.blake2b(f"timeline:{purpose}:{schema}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def current_version(conn: Connection[TupleRow], schema: str) -> int:
    """The schema's version (0 when the store was never created)."""
    row = conn.execute("SELECT to_regclass(%s)", (f"{quoted_schema(schema)}.schema_version",)).fetchone()
    if row is None or row[0] is None:
        return 0
    row = conn.execute(
        f"SELECT coalesce(max(version), 0) FROM {quoted_schema(schema)}.schema_version"
    ).fetchone()
    return int(row[0]) if row else 0


def migrate(conn: Connection[TupleRow], schema: str, *, upto: int = LATEST) -> int:
    """Create or upgrade the store's tables to version `upto` (idempotent); return the version found first."""
    found = current_version(conn, schema)
    if found > LATEST:
        raise StoreError(
            f"the store in schema {schema!r} is at version {found}, newer than this timeline knows"
            f" ({LATEST}): upgrade timeline"
        )
    if found >= upto:
        return found
    s = quoted_schema(schema)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(schema, "migrate"),))
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {s}.schema_version ("
            " version integer PRIMARY KEY, description text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        found = current_version(conn, schema)  # another process may have migrated while we waited
        for version, description, statements in MIGRATIONS:
            if found < version <= upto:
                for statement in statements:
                    conn.execute(statement.format(s=s))
                conn.execute(
                    f"INSERT INTO {s}.schema_version (version, description) VALUES (%s, %s)",
                    (version, description),
                )
    return found


def drop(conn: Connection[TupleRow], schema: str) -> None:
    """Drop the schema and everything in it."""
    try:
        conn.execute(f"DROP SCHEMA IF EXISTS {quoted_schema(schema)} CASCADE")
    except psycopg.Error as exc:
        raise StoreError(f"cannot drop schema {schema!r}: {exc}") from exc


#: Rows per read query: reads stream the log a page at a time.
PAGE = 1000
COLUMNS = "position, stream, version, type, schema_version, recorded_at, data::text"


class Statements:
    """The store's statements, with the schema name filled in once."""

    def __init__(self, s: str) -> None:
        self.schema = s
        events = f"{s}.events"
        self.read_all = f"SELECT {COLUMNS} FROM {events} WHERE position > %s ORDER BY position LIMIT {PAGE}"
        self.read = (
            f"SELECT {COLUMNS} FROM {events} WHERE stream = %s AND version > %s ORDER BY version LIMIT {PAGE}"
        )
        self.version = f"SELECT coalesce(max(version), 0) FROM {events} WHERE stream = %s"
        self.head = f"SELECT coalesce(max(position), 0) FROM {events}"
        self.last = f"SELECT position, recorded_at FROM {events} ORDER BY position DESC LIMIT 1"
        # A loose index scan: one index probe per stream instead of reading every row.
        self.streams = (
            f"WITH RECURSIVE s(stream) AS ("
            f" (SELECT stream FROM {events} ORDER BY stream LIMIT 1)"
            f" UNION ALL"
            f" SELECT (SELECT e.stream FROM {events} e WHERE e.stream > s.stream ORDER BY e.stream LIMIT 1)"
            f" FROM s WHERE s.stream IS NOT NULL"
            f") SELECT stream FROM s WHERE stream IS NOT NULL"
        )
        self.find = f"SELECT {COLUMNS} FROM {events} WHERE id = ANY(%s)"
        self.amendments = f"SELECT {COLUMNS} FROM {events} WHERE target = %s ORDER BY position"
        self.insert = (
            f"INSERT INTO {events}"
            " (position, stream, version, id, type, schema_version, target, recorded_at, data)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
        )
        self.copy = (
            f"COPY {events} (position, stream, version, id, type, schema_version, target, recorded_at, data)"
            " FROM STDIN"
        )

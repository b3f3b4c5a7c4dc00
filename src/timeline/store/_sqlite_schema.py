"""The SQLite store's tables and schema version (``PRAGMA user_version``), and opening them without a lock.

Opening an existing store only reads (the schema version and whether the tables are there), so a reader never
waits for a writer: WAL readers proceed while another process holds the write lock. The tables are created,
under the write lock, only when they are missing; a store from before schema versions (version 0 with the
tables) is brought to version 1 the same way, once.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from timeline.errors import StoreError

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

__all__ = ["SCHEMA", "SCHEMA_VERSION", "open_schema"]

#: The schema version this module writes (kept in ``PRAGMA user_version``); later releases migrate from it.
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    position       INTEGER PRIMARY KEY,
    stream         TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    id             TEXT    NOT NULL,
    type           TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    target         TEXT,
    recorded_at    INTEGER NOT NULL,
    data           TEXT    NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_by_id ON events (id);
CREATE INDEX IF NOT EXISTS events_by_stream ON events (stream, version);
CREATE INDEX IF NOT EXISTS events_by_target ON events (target) WHERE target IS NOT NULL;
"""


def open_schema(
    conn: sqlite3.Connection,
    path: str,
    write: Callable[[], AbstractContextManager[object]],
    *,
    create: bool,
) -> None:
    """Check the store's schema version; create the tables (in a `write` transaction) only if missing.

    StoreError: "no store at PATH" when the tables are missing and not `create`; a version newer than ours.
    """
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'")
        has_events = tables.fetchone()[0] > 0
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the SQLite store {path!r}: {exc}") from exc
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the store {path!r} has schema version {version}, newer than this timeline knows"
            f" ({SCHEMA_VERSION}): upgrade timeline"
        )
    if has_events and version == SCHEMA_VERSION:
        return  # an existing store: nothing to write, so no lock to wait for
    if not has_events and not create:
        raise StoreError(f"no store at {path}")
    with write():
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

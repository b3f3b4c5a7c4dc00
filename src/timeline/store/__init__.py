"""Event stores: the `EventStore` contract, `open_store(url)`, and the backends (memory, SQLite, Postgres).

`check_stream_name` is the rule every store applies to a new stream's name (a server checks names in URLs
with it).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from timeline._lazy_names import lazy_names
from timeline.errors import StoreError
from timeline.store._names import check_stream_name
from timeline.store.base import EventStore
from timeline.store.contract import ANY, NO_STREAM, Appended, Clock, Expected, ExpectedVersion, Recorded

if TYPE_CHECKING:
    from timeline.store.memory import MemoryStore
    from timeline.store.sqlite import SqliteStore

__all__ = [
    "ANY",
    "DEFAULT_STORE",
    "NO_STREAM",
    "Appended",
    "Clock",
    "EventStore",
    "Expected",
    "ExpectedVersion",
    "MemoryStore",
    "Recorded",
    "SqliteStore",
    "check_stream_name",
    "default_store_url",
    "open_store",
]

#: The backends, imported on first use (PEP 562): a command opens one of them, never both.
_LAZY = {"MemoryStore": "timeline.store.memory", "SqliteStore": "timeline.store.sqlite"}


if not TYPE_CHECKING:  # mypy sees the imports above; at run time the names arrive on first use
    __getattr__, __dir__ = lazy_names(__name__, _LAZY, globals(), __all__)


#: The store the command line opens when neither --store nor $TIMELINE_STORE says otherwise.
DEFAULT_STORE = "timeline.db"


def default_store_url() -> str:
    """``$TIMELINE_STORE`` if set, else ``timeline.db`` in the current folder."""
    return os.environ.get("TIMELINE_STORE") or DEFAULT_STORE


def open_store(url: str, *, create: bool = True) -> EventStore:
    """Open a store: ``"memory:"``, ``"postgresql://…"``, or a SQLite file path.

    SQLite paths may also be written as URLs, as in SQLAlchemy: ``sqlite:///relative.db``, ``sqlite:////abs.db``.

    A SQLite path may end in ``?synchronous=normal`` (see `timeline.store.sqlite` on durability).
    Raises `StoreError` when the store cannot be opened. With ``create=False`` (what reading needs) a store
    that is not there is an error, "no store at PATH", instead of a new empty one.
    """
    if url == "memory:":
        from timeline.store.memory import MemoryStore

        return MemoryStore()
    if url.startswith(("postgresql://", "postgres://")):
        try:
            from timeline.store.postgres import PostgresStore
        except ImportError as exc:
            raise StoreError(
                f"PostgreSQL needs the extra: pip install 'timeline-core[postgres]' ({exc})"
            ) from exc
        return PostgresStore.from_url(url, create=create)
    from timeline.store.sqlite import SqliteStore

    return SqliteStore.from_url(url, create=create)

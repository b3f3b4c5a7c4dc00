"""Fixtures for the projection tests: each store test runs on the in-memory store and on SQLite."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from timeline.store import EventStore, MemoryStore, SqliteStore

if TYPE_CHECKING:
    from pathlib import Path

StoreFactory = Callable[[], EventStore]


@pytest.fixture(params=["memory", "sqlite"])
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """A factory of empty stores of one backend (SQLite files in the test's tmp_path)."""
    opened: list[EventStore] = []

    def make() -> EventStore:
        store: EventStore
        if request.param == "memory":
            store = MemoryStore()
        else:
            store = SqliteStore(str(tmp_path / f"store-{len(opened)}.db"), synchronous="normal")
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(new_store: StoreFactory) -> EventStore:
    """An empty store of each backend."""
    return new_store()

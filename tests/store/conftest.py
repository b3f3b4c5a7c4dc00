"""Fixtures that run every store test against every backend.

Each test that uses `store`, `store_factory`, `store_url` or `new_store` runs once per backend: ``memory``,
``sqlite`` (a file in the test's tmp_path) and ``postgres`` (only when ``TIMELINE_TEST_POSTGRES_URL`` is set;
each test then starts from a clean database through `timeline.store.postgres.reset_for_tests(url)`).

``@pytest.mark.backends("sqlite", "postgres")`` limits a test to some backends: use it for tests that reopen a
store or use it from other processes, which mean nothing for the in-memory store.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from timeline.store import EventStore, open_store

BACKENDS = ("memory", "sqlite", "postgres")
POSTGRES_ENV = "TIMELINE_TEST_POSTGRES_URL"

if TYPE_CHECKING:
    from pathlib import Path

    from timeline.store.postgres import PostgresStore

StoreFactory = Callable[[], EventStore]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "backends(*names): run this store test only on these backends (memory, sqlite, postgres)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("backends")
    names = BACKENDS if marker is None else tuple(marker.args)
    unknown = set(names) - set(BACKENDS)
    if unknown:
        raise ValueError(f"unknown backend(s) in @pytest.mark.backends: {sorted(unknown)}")
    metafunc.parametrize("backend", names)


def _postgres_url() -> str:
    """The test database's URL, wiped clean; skips the test only when PostgreSQL is not configured.

    With a URL configured, a backend that cannot be imported or reset fails the test: that is a regression,
    not a reason to test less.
    """
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"postgres: set {POSTGRES_ENV} to a scratch database URL to run the suite on PostgreSQL")
    from timeline.store import postgres

    postgres.reset_for_tests(url)
    return url


@pytest.fixture
def store_url(backend: str, tmp_path: Path) -> str:
    """The URL of an empty store of this backend, for `open_store` (here or in another process)."""
    if backend == "memory":
        return "memory:"
    if backend == "sqlite":
        return str(tmp_path / "store.db")
    return _postgres_url()


@pytest.fixture
def store_factory(store_url: str) -> Iterator[StoreFactory]:
    """Opens another handle on the test's store (the same object for memory:); all are closed afterwards."""
    opened: list[EventStore] = []

    def factory() -> EventStore:
        if store_url == "memory:" and opened:
            return opened[0]  # a memory store lives only in its object
        store = open_store(store_url)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def store(store_factory: StoreFactory) -> EventStore:
    """An empty store of each backend."""
    return store_factory()


@pytest.fixture
def new_store(backend: str, tmp_path: Path) -> Iterator[StoreFactory]:
    """Makes a brand-new empty store at each call (for hypothesis tests that need one per example)."""
    opened: list[EventStore] = []
    pg_url = _postgres_url() if backend == "postgres" else ""

    def factory() -> EventStore:
        if backend == "memory":
            return open_store("memory:")
        if backend == "sqlite":
            store = open_store(str(tmp_path / f"store-{len(opened)}.db"))
        else:
            for old in opened:  # a reset must not wait for our own idle connections
                old.close()
            opened.clear()
            _postgres_url()
            store = open_store(pg_url)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def admin(store_url: str) -> Iterator[Any]:
    """A plain psycopg connection to the test database, for looking behind the store's back."""
    import psycopg  # the optional extra: imported only by the PostgreSQL tests that use it

    from timeline.store.postgres import split_url

    conninfo, _, _ = split_url(store_url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        yield conn


@pytest.fixture
def pg(store_factory: StoreFactory) -> Callable[[], PostgresStore]:
    """Opens PostgreSQL handles on the test's store, typed as such."""

    from timeline.store.postgres import PostgresStore

    def factory() -> PostgresStore:
        store = store_factory()
        assert isinstance(store, PostgresStore)
        return store

    return factory

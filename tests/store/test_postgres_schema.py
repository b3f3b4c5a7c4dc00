"""The PostgreSQL store's schema: created once, migrated, refused when newer; ids PostgreSQL text cannot hold;
closing. Tests that need a server run when ``TIMELINE_TEST_POSTGRES_URL`` is set."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.store._events import note, story
from timeline.errors import StoreError
from timeline.events import Retraction
from timeline.projections import Checkpoint
from timeline.store import _postgres_schema as schema
from timeline.store._postgres_io import key
from timeline.store.postgres import PostgresStore, reset_for_tests

from ._postgres import (
    Worker,
    wait_until,
)

pytestmark = pytest.mark.backends("postgres")


# -- schema and migrations --------------------------------------------------------------------------------

SCRATCH = "timeline_migration_test"


@pytest.fixture
def scratch_url(store_url: str, admin: Any) -> Iterator[str]:
    """The test database with the store in a schema of its own, dropped before and after."""
    schema.drop(admin, SCRATCH)
    yield f"{store_url}{'&' if '?' in store_url else '?'}schema={SCRATCH}"
    schema.drop(admin, SCRATCH)


def _versions(admin: Any, name: str) -> list[int]:
    return [row[0] for row in admin.execute(f'SELECT version FROM "{name}".schema_version ORDER BY version')]


def test_stores_opened_at_once_create_the_schema_once(scratch_url: str, admin: Any) -> None:
    openers = [Worker(lambda: PostgresStore(scratch_url)) for _ in range(4)]
    stores = [worker.join() for worker in openers]
    assert _versions(admin, SCRATCH) == [version for version, _, _ in schema.MIGRATIONS]
    stores[0].append("s", story(2))
    for store in stores:
        store.close()
    with PostgresStore(scratch_url) as again:  # opening an up-to-date store changes nothing
        assert again.head() == 2
    assert _versions(admin, SCRATCH) == [version for version, _, _ in schema.MIGRATIONS]


def test_an_older_schema_is_migrated_and_keeps_its_events(scratch_url: str, admin: Any) -> None:
    assert schema.migrate(admin, SCRATCH, upto=1) == 0
    assert _versions(admin, SCRATCH) == [1]
    admin.execute(
        f"INSERT INTO {SCRATCH}.events"
        " (position, stream, version, id, type, schema_version, recorded_at, data)"
        " VALUES (1, 's', 1, 'old', 'statement', 1, now(),"
        """ '{"id":"old","when":"2025","by":"a","text":"from version 1"}')"""
    )
    with PostgresStore(scratch_url) as store:
        assert _versions(admin, SCRATCH) == [1, 2, 3]
        assert [r.event.id for r in store.read("s")] == ["old"]
        store.checkpoints().put(Checkpoint(name="t", position=1, state={}))  # the table of migration 2


def test_a_schema_newer_than_the_library_is_refused(scratch_url: str, admin: Any) -> None:
    PostgresStore(scratch_url).close()
    admin.execute(
        f"INSERT INTO {SCRATCH}.schema_version (version, description) VALUES (99, 'from the future')"
    )
    with pytest.raises(StoreError, match="newer than this timeline knows"):
        PostgresStore(scratch_url)


def test_stores_in_two_schemas_of_one_database_are_independent(
    scratch_url: str, pg: Callable[[], PostgresStore]
) -> None:
    default, scratch = pg(), PostgresStore(scratch_url)
    default.append("s", story(2))
    scratch.append("s", story(1, prefix="other"))
    assert (default.head(), scratch.head()) == (2, 1)
    assert scratch.schema == SCRATCH
    scratch.close()


def test_reset_for_tests_empties_the_store(store_url: str, pg: Callable[[], PostgresStore]) -> None:
    store = pg()
    store.append("s", story(2))
    store.close()
    reset_for_tests(store_url)
    assert pg().head() == 0


def test_text_columns_sort_like_python_whatever_the_database_locale(
    pg: Callable[[], PostgresStore], admin: Any
) -> None:
    store = pg()
    names = ["b", "B", "é", "Z", "a", "ab", "Ω", "~"]
    for name in names:
        store.append(name, [note(f"in-{name}")])
    assert store.streams() == sorted(names)
    rows = admin.execute(
        "SELECT column_name, collation_name FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = 'events' AND data_type = 'text'",
        (store.schema,),
    ).fetchall()
    assert dict(rows) == {"stream": "C", "id": "C", "type": "C", "target": "C"}


# -- ids PostgreSQL text cannot hold ---------------------------------------------------------------------


@settings(max_examples=200)
@given(st.lists(st.text(alphabet=st.sampled_from("a\\0\x00 "), min_size=1, max_size=6), unique=True))
def test_id_keys_are_distinct_and_free_of_nul(ids: list[str]) -> None:
    valid = [i for i in ids if i == i.strip()]  # ids have no surrounding space
    keys = [key(i) for i in valid]
    assert len(set(keys)) == len(keys)
    assert all("\x00" not in k for k in keys)
    assert all(key(i) == i for i in valid if "\x00" not in i)


def test_ids_with_nul_are_stored_found_and_amended(pg: Callable[[], PostgresStore]) -> None:
    store = pg()
    ids = ["a\x00", "a\\0", "a\x00\\", "a\\\x00"]
    store.append("s", [note(i) for i in ids])
    assert [r.event.id for r in store.append("s", [note(i) for i in ids])] == ids  # found again: no new rows
    store.append("s", [Retraction(target="a\x00", reason="withdrawn")])
    assert store.head() == 5
    with pytest.raises(Exception, match="retracted"):
        store.append("s", [Retraction(target="a\x00", reason="again")])


# -- closing ------------------------------------------------------------------------------------------------


def test_closing_ends_the_connections_and_every_later_use_is_a_store_error(
    pg: Callable[[], PostgresStore], admin: Any
) -> None:
    store = pg()
    store.append("s", story(1001))
    pages = store.read_all()
    next(pages)  # the first page of 1000 is read; the second is not
    pids = {store._conn().info.backend_pid, Worker(lambda: store._conn().info.backend_pid).join()}
    store.close()
    store.close()  # twice is fine

    def gone() -> bool:
        rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s)", (list(pids),)).fetchall()
        return not rows

    wait_until(gone, "the store's backends exit")
    for use in (store.head, lambda: store.append("s", [note("late")]), lambda: list(pages)):
        with pytest.raises(StoreError, match="is closed"):
            use()


def test_an_append_inside_another_transaction_of_the_same_thread_is_refused(
    pg: Callable[[], PostgresStore],
) -> None:
    store = pg()
    with ExitStack() as stack:
        stack.enter_context(store.checkpoints().transaction())
        with pytest.raises(StoreError, match="already inside a transaction"):
            store.append("s", story(1))
    assert store.head() == 0

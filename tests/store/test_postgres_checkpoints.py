"""Checkpoints kept in PostgreSQL: round trips, committed with a projection's own rows, a Timeline resumed
from one. They run when ``TIMELINE_TEST_POSTGRES_URL`` is set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.store._events import story
from timeline.errors import StoreError
from timeline.projections import Checkpoint, Timeline
from timeline.store.postgres import PostgresStore

from ._postgres import terminate

pytestmark = pytest.mark.backends("postgres")


# -- checkpoints ------------------------------------------------------------------------------------------


def test_checkpoints_round_trip_and_replace(pg: Callable[[], PostgresStore]) -> None:
    checkpoints = pg().checkpoints()
    assert checkpoints.get("t") is None
    state = {"text": "nul \x00, emoji 🗓, CJK 時間", "nested": [1, {"a": None}], "float": 0.5}
    checkpoints.put(Checkpoint(name="t", position=3, state=state))
    checkpoints.put(Checkpoint(name="u", position=1, state={}))
    assert checkpoints.get("t") == Checkpoint(name="t", position=3, state=state)
    checkpoints.put(Checkpoint(name="t", position=7, state={"n": 7}))
    assert checkpoints.get("t") == Checkpoint(name="t", position=7, state={"n": 7})
    assert checkpoints.get("u") == Checkpoint(name="u", position=1, state={})
    payload = bytes(range(256)) * 3  # any bytes, NUL included
    checkpoints.put(Checkpoint(name="t", position=8, state={"n": 8}, payload=payload))
    assert checkpoints.get("t") == Checkpoint(name="t", position=8, state={"n": 8}, payload=payload)
    checkpoints.put(Checkpoint(name="t", position=9, state={}))
    assert checkpoints.get("t") == Checkpoint(name="t", position=9, state={})  # the payload replaced too


def test_a_projections_own_rows_and_its_checkpoint_commit_together(
    pg: Callable[[], PostgresStore], admin: Any
) -> None:
    store = pg()
    checkpoints = store.checkpoints()
    admin.execute(f'CREATE TABLE "{store.schema}".counts (name text PRIMARY KEY, n integer NOT NULL)')

    def saved() -> tuple[Any, Any]:
        count = admin.execute(f'SELECT n FROM "{store.schema}".counts').fetchall()
        checkpoint = checkpoints.get("counts")
        return count, None if checkpoint is None else checkpoint.position

    def save(n: int, tx: Any) -> None:
        tx.execute(
            f'INSERT INTO "{store.schema}".counts VALUES (%s, %s) ON CONFLICT (name) DO UPDATE SET n = %s',
            ("all", n, n),
        )
        tx.put(Checkpoint(name="counts", position=n, state={"n": n}))

    with checkpoints.transaction() as tx:
        save(5, tx)
    assert saved() == ([(5,)], 5)

    def fail_after_writing() -> None:
        with checkpoints.transaction() as tx:
            save(9, tx)
            raise RuntimeError("the projection failed after writing")

    def lose_the_connection_after_writing() -> None:
        with checkpoints.transaction() as tx:
            save(9, tx)
            terminate(admin, tx.connection.info.backend_pid)

    with pytest.raises(RuntimeError):
        fail_after_writing()
    assert saved() == ([(5,)], 5)
    with pytest.raises(StoreError, match="lost the connection"):
        lose_the_connection_after_writing()
    assert saved() == ([(5,)], 5)


def test_a_timeline_resumes_from_a_checkpoint_kept_in_postgres(pg: Callable[[], PostgresStore]) -> None:
    store = pg()
    store.append("s", story(6))
    first = Timeline.resume(store, store.checkpoints())
    checkpoint = store.checkpoints().get("timeline")
    assert checkpoint is not None
    assert checkpoint.position == 6
    store.append("s", story(3, start=6))
    resumed = Timeline.resume(store, store.checkpoints())
    assert resumed.entries == Timeline.from_store(store).entries
    assert len(resumed.entries) == len(first.entries) + 3
    saved = store.checkpoints().get("timeline")
    assert saved is not None
    assert saved.position == 9

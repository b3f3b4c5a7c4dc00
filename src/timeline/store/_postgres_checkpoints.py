"""Projection checkpoints kept in the PostgreSQL store's own database (table ``projection_checkpoints``).

A projection that keeps its state in tables of the same database writes that state and its checkpoint in one
transaction (`PostgresCheckpointStore.transaction`), so after a crash the state and the position it reflects
always agree: both are there, or neither.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from timeline.checkpoints import Checkpoint
from timeline.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from psycopg import Connection, Cursor
    from psycopg.rows import TupleRow

    from timeline.store.postgres import PostgresStore


class CheckpointTransaction:
    """One open transaction: run the projection's own statements, then `put` its checkpoint."""

    def __init__(self, connection: Connection[TupleRow], table: str) -> None:
        #: The psycopg connection, inside the transaction; for the projection's own statements.
        self.connection = connection
        self._upsert = (
            f"INSERT INTO {table} (name, position, state, payload) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (name) DO UPDATE SET position = excluded.position, state = excluded.state,"
            " payload = excluded.payload, updated_at = now()"
        )

    def execute(self, query: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Cursor[TupleRow]:
        """Run one of the projection's own statements in this transaction."""
        return self.connection.execute(query, params)

    def put(self, checkpoint: Checkpoint) -> None:
        """Save `checkpoint` (position, state and payload), replacing the one of the same name, in this
        transaction."""
        _check_name(checkpoint.name)
        try:
            state = json.dumps(dict(checkpoint.state), ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"the state is not JSON: {exc}", path="state") from None
        payload = checkpoint.payload
        self.connection.execute(self._upsert, (checkpoint.name, checkpoint.position, state, payload))


class PostgresCheckpointStore:
    """A `timeline.checkpoints.CheckpointStore` in the PostgreSQL store's database."""

    def __init__(self, store: PostgresStore) -> None:
        self.store = store
        self._table = f"{store._sql.schema}.projection_checkpoints"

    def get(self, name: str) -> Checkpoint | None:
        """The checkpoint saved under `name`, or None."""
        _check_name(name)
        rows = self.store._query(
            f"SELECT position, state::text, payload FROM {self._table} WHERE name = %s", (name,)
        )
        if not rows:
            return None
        position, state, payload = rows[0]
        return Checkpoint(
            name=name,
            position=int(position),
            state=json.loads(state),
            payload=None if payload is None else bytes(payload),
        )

    def put(self, checkpoint: Checkpoint) -> None:
        """Save `checkpoint`, replacing the previous one of its name, atomically."""
        with self.transaction() as tx:
            tx.put(checkpoint)

    @contextmanager
    def transaction(self) -> Iterator[CheckpointTransaction]:
        """A transaction for a projection's own statements and its checkpoint: committed together, or neither.

        Raises `StoreError` if the connection is lost (saying whether the commit may have happened).
        """
        with self.store._transaction("save a checkpoint") as conn:
            yield CheckpointTransaction(conn, self._table)

    def __repr__(self) -> str:
        return f"PostgresCheckpointStore({self.store.url!r})"


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name:
        raise ValidationError("a checkpoint needs a name", path="name")
    if "\x00" in name:
        raise ValidationError(f"{name!r}: PostgreSQL cannot keep NUL characters in names", path="name")

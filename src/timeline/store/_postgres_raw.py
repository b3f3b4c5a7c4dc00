"""The PostgreSQL store's raw reads: rows as `timeline.store.contract.RawRecord`s, ids as appended."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psycopg.rows import TupleRow

    from timeline.store.contract import RawRecord

__all__ = ["RAW_COLUMNS", "raw_page", "unkey"]

#: Columns in the order of a `RawRecord` (the id as indexed: `raw_page` undoes `timeline.store.postgres.key`).
RAW_COLUMNS = "position, stream, version, type, schema_version, recorded_at, id, data::text"


def unkey(indexed: str) -> str:
    """The event id `timeline.store.postgres.key` indexed as `indexed`."""
    if not indexed.startswith(" "):
        return indexed
    return _ESCAPED.sub(lambda found: "\x00" if found[1] == "0" else found[1], indexed[1:])


_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def raw_page(rows: list[TupleRow]) -> list[RawRecord]:
    """A page of `RAW_COLUMNS` rows as `RawRecord`s (ids as they were appended)."""
    return [row if not row[6].startswith(" ") else (*row[:6], unkey(row[6]), row[7]) for row in rows]

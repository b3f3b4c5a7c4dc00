"""A stored row the codec cannot read (a damaged store, or one from a newer release): a StoreError naming the
position, never a bare ValueError, TypeError, KeyError or cattrs error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.store._events import note
from timeline.codec import decode
from timeline.errors import StoreError, ValidationError
from timeline.store import open_store


@pytest.mark.parametrize(
    "data",
    [
        '{"by":"A","text":"t","when":"2025","colour":"red"}',  # an unknown field
        '{"by":"A","when":"2025"}',  # a missing one
        '{"by":"A","text":"t","when":"not a date"}',
        "not json at all",
    ],
)
def test_a_corrupt_sqlite_row_is_a_store_error_naming_its_position(tmp_path: Path, data: str) -> None:
    path = tmp_path / "t.db"
    with open_store(str(path)) as store:
        store.append("s", [note("a"), note("b")])
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE events SET data = ? WHERE position = 2", (data,))
    with open_store(str(path)) as store:
        with pytest.raises(StoreError, match="position 2 cannot be read"):
            list(store.read_all())
        with pytest.raises(StoreError, match="position 2"):
            list(store.read("s"))


@pytest.mark.parametrize(
    "data",
    [
        {"by": "A", "text": "t", "when": "2025", "colour": "red"},
        {"by": "A", "when": "2025"},
        {"by": "A", "text": "t", "when": 2025},
    ],
)
def test_decode_of_a_bad_dict_is_a_validation_error(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        decode("statement", 1, dict(data))

"""Stores under bad conditions (issue 9): readers that never wait for a writer, reads that never create a
store, a corrupt page, stream names that are not text, and the SQLite schema version."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from timeline.errors import StoreError, ValidationError
from timeline.store import SqliteStore, open_store

from ._events import note, story

# A writer that takes the write lock and holds it until its standard input closes.
_HOLD_WRITE_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO events (position, stream, version, id, type, schema_version, recorded_at, data)"
             " VALUES (999999, 'w', 1, 'held', 'statement', 1, 0, '{}')")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


@pytest.fixture
def filled(tmp_path: Path) -> str:
    path = str(tmp_path / "store.db")
    with open_store(path) as store:
        store.append("s", story(20))
    return path


def test_readers_open_and_read_while_a_writer_holds_the_write_lock(filled: str) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", _HOLD_WRITE_LOCK, filled],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "locked"
        # A short busy timeout: a reader that needed the write lock would fail with "database is locked".
        with SqliteStore(filled, busy_timeout=0.2) as reader:
            assert [r.event.id for r in reader.read_all()] == [e.id for e in story(20)]
            assert reader.streams() == ["s"]
            assert reader.version("s") == 20
        with SqliteStore(filled, busy_timeout=0.2, create=False) as reader:
            assert reader.head() == 20
    finally:
        assert writer.stdin is not None
        writer.stdin.close()
        writer.wait(timeout=30)


def test_reading_never_creates_a_store(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    with pytest.raises(StoreError, match=f"no store at {missing}"):
        open_store(str(missing), create=False)
    assert not missing.exists()
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()  # an SQLite file without our tables
    with pytest.raises(StoreError, match="no store at"):
        open_store(str(empty), create=False)
    with open_store(str(missing)) as store:  # creating is the default
        assert store.head() == 0
    with open_store(str(missing), create=False) as store:
        assert store.head() == 0


def test_a_corrupt_page_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with open_store(str(path)) as store:
        store.append("s", story(2000))
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    data[page_size:] = b"\xa5" * (len(data) - page_size)  # every page but the first (the schema)
    path.write_bytes(bytes(data))
    with open_store(str(path), create=False) as store:
        with pytest.raises(
            StoreError, match=r"cannot read the SQLite store .*: database disk image is malformed"
        ):
            list(store.read_all())
        with pytest.raises(StoreError, match="malformed"):
            list(store.read("s"))


@pytest.mark.parametrize(
    "name",
    ["s\n", "s\r", "\x7f", "s\u0085", "s\u2028", "s\u2029", "a\u00a0b", "s\u3000", "\ud800", "s\udcff", ""],
)
def test_stream_names_refuse_control_separator_and_non_text_characters(name: str) -> None:
    store = open_store("memory:")
    with pytest.raises(ValidationError, match="not a valid stream name"):
        store.append(name, [note("a")])
    assert store.head() == 0


@pytest.mark.parametrize("name", ["el-salvador-deportations", "Notes on São Paulo", "新闻", "a/b:c"])
def test_ordinary_stream_names_pass(name: str) -> None:
    store = open_store("memory:")
    store.append(name, [note("a")])
    assert store.streams() == [name]


def test_reading_a_stream_name_that_is_not_text_is_a_validation_error(filled: str) -> None:
    with open_store(filled) as store, pytest.raises(ValidationError, match="not a valid stream name"):
        list(store.read("s\udcff"))


def test_sqlite_stores_have_a_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    open_store(str(path)).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SqliteStore.SCHEMA_VERSION == 1
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="schema version 99, newer"):
        open_store(str(path))


def test_a_store_from_before_schema_versions_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with open_store(str(path)) as store:
        store.append("s", [note("a")])
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 0")
    with open_store(str(path)) as store:
        assert [r.event.id for r in store.read("s")] == ["a"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1

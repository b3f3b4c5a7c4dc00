"""`open_store(url)`: which backend a URL names, and clear errors for URLs it cannot open."""

from __future__ import annotations

from pathlib import Path

import pytest

from timeline import StoreError, open_store
from timeline.store import MemoryStore, SqliteStore


def test_urls_name_backends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert isinstance(open_store("memory:"), MemoryStore)
    with open_store("plain.db") as store:
        assert isinstance(store, SqliteStore)
    with open_store("sqlite:///relative.db") as store:
        assert isinstance(store, SqliteStore)
        assert store.path == "relative.db"
    with open_store(f"sqlite:///{tmp_path}/absolute.db") as store:
        assert isinstance(store, SqliteStore)
        assert store.path == f"{tmp_path}/absolute.db"
    assert (tmp_path / "relative.db").exists()
    assert (tmp_path / "absolute.db").exists()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("x.db?colour=red", "unknown SQLite option"),
        ("x.db?synchronous=sometimes", "synchronous"),
        ("sqlite:///", "names no SQLite file"),
    ],
)
def test_bad_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, words: str) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match=words):
        open_store(url)

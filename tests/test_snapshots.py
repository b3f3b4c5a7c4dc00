"""Timeline snapshots in the cache folder: a second run folds only what is new, and changes no byte."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, cast

import pytest

from tests.test_examples import STORY, STREAM, load_publisher
from timeline import open_store, snapshots
from timeline.cli import main
from timeline.events import Correction, Meeting
from timeline.exporting import export
from timeline.projections import Timeline
from timeline.snapshots import Snapshots, resume_timeline, snapshot_name
from timeline.store import EventStore, MemoryStore
from timeline.when import When


@pytest.fixture
def folded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many records each catch-up folded (a resume catches up once)."""
    counts: list[int] = []
    original = Timeline.catch_up

    def counting(self: Timeline, store: EventStore) -> int:
        count = original(self, store)
        counts.append(count)
        return count

    monkeypatch.setattr(Timeline, "catch_up", counting)
    return counts


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(folder))
    return folder


def meetings(store: EventStore, first: int, count: int, stream: str = "s") -> None:
    store.append(
        stream,
        [
            Meeting(
                id=f"m{i}", when=When.parse(f"2025-03-{1 + i % 28:02d}"), participants=("A",), title=f"M{i}"
            )
            for i in range(first, first + count)
        ],
    )


def as_json(timeline: Timeline) -> bytes:
    out = io.BytesIO()
    export(timeline, "json", out)
    return out.getvalue()


def test_a_second_run_folds_only_what_is_new_and_equals_a_rebuild(
    tmp_path: Path, cache_dir: Path, folded: list[int]
) -> None:
    with open_store(str(tmp_path / "t.db")) as store:
        meetings(store, 0, 50)
        first = resume_timeline(store, stream="s")
        assert folded == [50]
        assert list((cache_dir / "snapshots").iterdir())
        meetings(store, 50, 3)
        store.append("s", [Correction(id="fix", target="m7", changes={"title": "Better"}, reason="typo")])
        folded.clear()
        again = resume_timeline(store, stream="s")
        assert folded == [4]
        assert as_json(again) == as_json(Timeline.from_store(store, stream="s"))
        assert len(again) == len(first) + 3


def test_settings_and_stores_have_snapshots_of_their_own(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "a.db")) as a, open_store(str(tmp_path / "b.db")) as b:
        assert snapshot_name(a) != snapshot_name(b)
        assert snapshot_name(a) != snapshot_name(a, stream="s")
        assert snapshot_name(a, include_retracted=True) != snapshot_name(a)
        same = open_store(str(tmp_path / "sub" / ".." / "a.db"))
        assert snapshot_name(same) == snapshot_name(a)  # the resolved path
        same.close()
    assert snapshot_name(MemoryStore()) is None


def test_a_postgresql_url_names_its_store_without_the_password() -> None:
    class Shown:  # what a PostgresStore shows: its URL without secrets, and its schema
        url = "postgresql://reader@db.example:5432/news"
        schema = "timeline"

    identity = snapshots.store_identity(cast("EventStore", Shown()))
    assert identity == "postgresql postgresql://reader@db.example:5432/news schema=timeline"


def test_turned_off_it_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMELINE_CACHE_DIR", "off")
    with open_store(str(tmp_path / "t.db")) as store:
        meetings(store, 0, 5)
        assert len(resume_timeline(store)) == 5
    assert sorted(path.name for path in tmp_path.iterdir()) == ["t.db"]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "unwritable"])
def test_a_bad_snapshot_or_folder_changes_nothing_and_fails_nothing(
    tmp_path: Path, cache_dir: Path, damage: str, folded: list[int]
) -> None:
    with open_store(str(tmp_path / "t.db")) as store:
        meetings(store, 0, 20)
        resume_timeline(store)
        (saved,) = (cache_dir / "snapshots").glob("*.checkpoint")  # beside it, its block file
        if damage == "garbage":
            saved.write_bytes(b"\x00not a snapshot")
        elif damage == "truncated":
            saved.write_bytes(saved.read_bytes()[:100])
        else:
            for path in (cache_dir / "snapshots").iterdir():
                path.unlink()
            (cache_dir / "snapshots").rmdir()
            (cache_dir / "snapshots").write_text("a file where the folder was")
        meetings(store, 20, 2)
        folded.clear()
        resumed = resume_timeline(store)
        assert folded == [22]  # rebuilt
        assert as_json(resumed) == as_json(Timeline.from_store(store))


def test_a_server_saves_now_and_then(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "t.db")) as store:
        meetings(store, 0, 10)
        kept = Snapshots(store, tmp_path / "cache", every=5)
        timeline = kept.timeline()
        meetings(store, 10, 3)
        assert not kept.noted(timeline, timeline.catch_up(store))
        meetings(store, 13, 3)
        assert kept.noted(timeline, timeline.catch_up(store))
        meetings(store, 16, 1)
        timeline.catch_up(store)
        kept.noted(timeline, 1)
        assert kept.flush([timeline]) == 1
        assert kept.flush([timeline]) == 0
        resumed = Snapshots(store, tmp_path / "cache").timeline()
        assert resumed.position == timeline.position == store.head()


def _cli(*argv: str) -> int:
    return main(list(argv))


def test_timeline_export_to_a_file_twice_writes_the_bytes_of_a_cold_run(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, folded: list[int], capsys: Any
) -> None:
    db = str(tmp_path / "t.db")
    assert _cli("--store", db, "append", STREAM, str(STORY)) == 0
    for format_name in ("ical", "json", "markdown"):
        out = tmp_path / f"feed.{format_name}"
        assert _cli("--store", db, "export", format_name, "--stream", STREAM, "-o", str(out)) == 0
    with open_store(db) as store:
        target = next(iter(Timeline.from_store(store))).id
        store.append(
            STREAM, [Correction(id="fix", target=target, changes={"title": "Better"}, reason="typo")]
        )
    for format_name in ("ical", "json", "markdown"):
        out, cold = tmp_path / f"feed.{format_name}", tmp_path / f"cold.{format_name}"
        folded.clear()
        assert _cli("--store", db, "export", format_name, "--stream", STREAM, "-o", str(out)) == 0
        # Resumed: only the correction folded (each run: a snapshot is saved again after `every` records).
        assert folded == [1]
        monkeypatch.setenv("TIMELINE_CACHE_DIR", "off")
        assert _cli("--store", db, "export", format_name, "--stream", STREAM, "-o", str(cold)) == 0
        monkeypatch.setenv("TIMELINE_CACHE_DIR", str(cache_dir))
        assert out.read_bytes() == cold.read_bytes()
    capsys.readouterr()


def test_publish_feed_run_again_writes_the_bytes_of_a_cold_run(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, folded: list[int]
) -> None:
    publisher = load_publisher()
    db = str(tmp_path / "news.db")
    assert (
        publisher.main(["--store", db, "--stream", STREAM, "--out", str(tmp_path / "warm"), str(STORY)]) == 0
    )
    with open_store(db) as store:
        target = next(iter(Timeline.from_store(store))).id
        store.append(
            STREAM, [Correction(id="fix", target=target, changes={"title": "Better"}, reason="typo")]
        )
    folded.clear()
    assert publisher.main(["--store", db, "--stream", STREAM, "--out", str(tmp_path / "warm")]) == 0
    assert folded == [1]
    monkeypatch.setenv("TIMELINE_CACHE_DIR", "off")
    assert publisher.main(["--store", db, "--stream", STREAM, "--out", str(tmp_path / "cold")]) == 0
    for feed in (tmp_path / "cold").iterdir():
        assert (tmp_path / "warm" / feed.name).read_bytes() == feed.read_bytes()


def test_a_snapshot_that_cannot_be_taken_fails_nothing(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Timeline, name: str = "timeline") -> Any:
        raise ValueError("cannot snapshot this")

    monkeypatch.setattr(Timeline, "checkpoint", refuse)
    with open_store(str(tmp_path / "t.db")) as store:
        meetings(store, 0, 5)
        assert as_json(resume_timeline(store)) == as_json(Timeline.from_store(store))

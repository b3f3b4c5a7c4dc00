"""examples/publish_feed.py run from the wrong folder fails, and leaves the published feeds as they were."""

from __future__ import annotations

from pathlib import Path

from tests.test_examples import STORY, STREAM, load_publisher


def test_publish_feed_from_the_wrong_folder_fails_and_keeps_the_feeds(tmp_path: Path) -> None:
    publisher = load_publisher()
    feeds = tmp_path / "feeds"
    good = ["--store", str(tmp_path / "desk.db"), "--stream", STREAM, "--out", str(feeds), str(STORY)]
    assert publisher.main(good) == 0
    published = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in feeds.iterdir()}
    wrong = tmp_path / "elsewhere" / "desk.db"
    wrong.parent.mkdir()
    assert publisher.main(["--store", str(wrong), "--stream", STREAM, "--out", str(feeds)]) == 1
    assert not wrong.exists()
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in feeds.iterdir()} == published
    # A store that is there, but without the stream (a misspelt name): no empty feed either.
    assert (
        publisher.main(["--store", str(tmp_path / "desk.db"), "--stream", "el-salvador", "--out", str(feeds)])
        == 1
    )
    assert sorted(p.name for p in feeds.iterdir()) == sorted(published)

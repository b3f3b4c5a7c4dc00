"""Feeds kept apart: a filtered feed and the whole one cache their own bytes (either order), and a feed that
renders slowly keeps no other feed waiting (each feed has its own render lock)."""

from __future__ import annotations

import http.client
import io
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import pytest
import waitress.server

from tests.serve.helpers import call, meeting
from timeline.codec import from_json
from timeline.exporting import export
from timeline.projections import Selection, Timeline
from timeline.serve import FeedApp
from timeline.serve.routes import suffixes
from timeline.serve.server import stop
from timeline.store import EventStore, open_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EventStore]:
    store = open_store(str(tmp_path / "apart.db"))
    store.append(
        "a",
        [from_json({**meeting(f"a-{i}", f"A {i}"), "tags": ["odd" if i % 2 else "even"]}) for i in range(6)],
    )
    store.append("b", [from_json(meeting("b-1", "B"))])
    yield store
    store.close()


def _expected(store: EventStore, selection: Selection, stream: str | None = "a") -> bytes:
    out = io.BytesIO()
    export(selection.apply(Timeline.from_store(store, stream=stream)), "ical", out)
    return out.getvalue()


@pytest.mark.parametrize("first", ["filtered", "whole"])
def test_filtered_and_whole_feeds_in_either_order(store: EventStore, first: str) -> None:
    app = FeedApp(store)
    queries = {"filtered": "tag=ODD", "whole": ""}
    selections = {"filtered": Selection(tags=["odd"]), "whole": Selection()}
    order = [first, "whole" if first == "filtered" else "filtered"]
    etags = {}
    for round_ in range(2):
        for which in order * 2:
            status, headers, body = call(app, "/streams/a.ics", queries[which])
            assert status.startswith("200"), body
            assert body == _expected(store, selections[which]), (which, round_)
            etags[which] = headers["ETag"]
            again = call(app, "/streams/a.ics", queries[which], {"If-None-Match": etags[which]})
            assert again[0].startswith("304")
        assert etags["filtered"] != etags["whole"]
        store.append(
            "a",
            [
                from_json(
                    {
                        "type": "correction",
                        "id": f"c-{round_}",
                        "target": "a-1",
                        "changes": {"title": f"New {round_}"},
                        "reason": "r",
                    }
                )
            ],
        )


class _Gate:
    """The slow exporter's gate: renders wait on it, so "slow" lasts exactly as long as the test says."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.renders = 0


class SlowExporter:
    """An exporter plugin that blocks in its render until its gate opens."""

    name = "slow"
    media_type = "text/plain"
    extension = ".slow"
    description = "a test format that renders slowly"
    options: Mapping[str, str] = {}

    def __init__(self, gate: _Gate) -> None:
        self.gate = gate

    def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
        self.gate.renders += 1
        self.gate.entered.set()
        assert self.gate.release.wait(60)
        out.write(b"".join(entry.id.encode() + b"\n" for entry in timeline))


def _get(port: int, path: str, headers: Mapping[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=dict(headers or {}))
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def test_a_slow_render_keeps_no_other_feed_waiting(store: EventStore) -> None:
    gate = _Gate()
    app = FeedApp(store)
    app.exporters = {**app.exporters, "slow": SlowExporter(gate)}
    app.suffixes = suffixes(app.exporters)
    server: Any = waitress.server.create_server(app, host="127.0.0.1", port=0, threads=6)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    port = int(server.effective_port)
    results: dict[str, tuple[int, bytes]] = {}
    try:
        cached = _get(port, "/streams/b.json")  # rendered before the slow one starts
        slow = [
            threading.Thread(target=lambda n=n: results.__setitem__(n, _get(port, "/streams/a.slow")))
            for n in ("slow-1", "slow-2")
        ]
        slow[0].start()
        assert gate.entered.wait(30)
        slow[1].start()  # the same feed: waits for the first render, and renders nothing itself
        # While "a" renders: a first render of another feed, a cached feed, and a 304 are all answered.
        first_render = _get(port, "/streams/b.ics")
        assert first_render[0] == 200
        assert b"BEGIN:VEVENT" in first_render[1]
        assert _get(port, "/streams/b.json") == cached
        etag_answer = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        etag_answer.request("HEAD", "/streams/b.json")
        etag = etag_answer.getresponse().getheader("ETag")
        etag_answer.close()
        assert _get(port, "/streams/b.json", {"If-None-Match": str(etag)})[0] == 304
        assert not results  # the slow feed is still rendering
        gate.release.set()
        for worker in slow:
            worker.join(30)
        assert (
            results["slow-1"] == results["slow-2"] == (200, b"".join(f"a-{i}\n".encode() for i in range(6)))
        )
        assert gate.renders == 1
    finally:
        gate.release.set()
        stop(server)
        thread.join(timeout=10)

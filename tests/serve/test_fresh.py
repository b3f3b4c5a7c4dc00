"""After any appends, corrections and retractions, a poll serves what a fresh `timeline export` would.

The application is called in this process (no HTTP) over the in-memory store, with bounds small enough that
projections and rendered feeds are dropped and built again along the way.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.serve.helpers import call
from timeline import export
from timeline.events import Correction, Meeting, Occurrence, Retraction
from timeline.projections import Timeline
from timeline.serve import FeedApp
from timeline.serve.state import FeedState
from timeline.store import MemoryStore
from timeline.testing import hostile_text, occurrences
from timeline.when import When

STREAMS = ("one", "two")
FORMATS = {"ical": ".ics", "json": ".json", "markdown": ".md"}

# Plain meetings mostly (cheap to render, so many steps run), hostile occurrences now and then.
meetings = st.builds(
    Meeting,
    id=st.sampled_from([f"m-{i}" for i in range(12)]),
    when=st.sampled_from([When.parse(text) for text in ("2025-03", "2025-04-14", "2025", "../2025-04-14")]),
    title=st.text(max_size=8),
    participants=st.just(("A", "B")),
)
appends = st.tuples(
    st.just("append"), st.sampled_from(STREAMS), st.one_of(meetings, meetings, meetings, occurrences())
)
corrections = st.tuples(st.just("correct"), st.integers(0, 50), hostile_text)
retractions = st.tuples(st.just("retract"), st.integers(0, 50), st.just(""))
polls = st.tuples(
    st.just("poll"),
    st.sampled_from((None, *STREAMS)),
    st.tuples(
        st.sampled_from(sorted(FORMATS)),
        st.one_of(st.none(), st.integers(0, 50)),
        st.sampled_from((None, date(2000, 1, 1), date(2025, 4, 15), date.today())),
    ),
)
steps = st.lists(st.one_of(appends, corrections, retractions, polls), min_size=1, max_size=30)


def _check(
    app: FeedApp,
    store: MemoryStore,
    seen: dict[str, tuple[str, bytes]],
    stream: str | None,
    format_name: str,
    as_of_index: int | None,
    reported_by: date | None = None,
) -> None:
    """Poll one feed (conditionally, when it was fetched before) and compare with a fresh export."""
    records = list(store.read_all())
    as_of, query = None, ""
    if as_of_index is not None and records:
        as_of = records[as_of_index % len(records)].recorded_at
        query = "as_of=" + as_of.isoformat().replace("+", "%2B")
    if reported_by is not None:
        query = f"{query}&reported_by={reported_by.isoformat()}".lstrip("&")
    path = f"/streams/{stream}{FORMATS[format_name]}" if stream else f"/all{FORMATS[format_name]}"
    if stream is not None and stream not in {r.stream for r in records}:
        assert call(app, path, query)[0].startswith("404")
        return
    key = f"{path}?{query}"
    headers = {"If-None-Match": seen[key][0]} if key in seen else {}
    status, answer, body = call(app, path, query, headers)
    expected = io.BytesIO()
    export(
        Timeline.from_store(store, stream=stream, as_of=as_of, reported_by=reported_by), format_name, expected
    )
    if status.startswith("304"):
        assert seen[key][1] == expected.getvalue()
    else:
        assert status.startswith("200"), status
        assert body == expected.getvalue()
        seen[key] = (answer["ETag"], body)


@settings(max_examples=30)
@given(steps)
def test_every_poll_serves_a_fresh_export(operations: list[tuple[str, Any, Any]]) -> None:
    store = MemoryStore()
    app = FeedApp(store, state=FeedState(store, max_projections=2, max_past=1, max_render_bytes=20_000))
    seen: dict[str, tuple[str, bytes]] = {}  # key -> the ETag and body last served
    live: list[Occurrence] = []  # appended and not retracted, in order
    for kind, first, second in operations:
        if kind == "append":
            if second.id not in {record.event.id for record in store.read_all()}:
                store.append(first, [second])
                live.append(second)
        elif kind in {"correct", "retract"} and live:
            target = live[first % len(live)]
            stream = next(r.stream for r in store.read_all() if r.event.id == target.id)
            if kind == "correct":
                store.append(
                    stream, [Correction(target=target.id, changes={"title": second or "x"}, reason="r")]
                )
            else:
                store.append(stream, [Retraction(target=target.id, reason="r")])
                live.remove(target)
        elif kind == "poll":
            _check(app, store, seen, first, *second)
        for polled in (None, *STREAMS):  # every step: the feeds a subscriber polls, conditionally
            _check(app, store, seen, polled, "json", None)
            _check(app, store, seen, polled, "markdown", None)


def test_a_log_that_cannot_be_folded_is_a_503_not_a_400() -> None:
    store = MemoryStore()
    store.append("one", [Meeting(id="m-1", when=When.parse("2025"), participants=("A",))])
    app = FeedApp(store)
    assert call(app, "/all.md")[0].startswith("200")
    last = list(store.read_all())[-1]
    bad = Correction(target="m-1", changes={"when": "not a date"}, reason="corrupt")
    # Past the store's checks, as a corrupt row would be (the feed of all streams reads the log itself).
    store._log.append(attrs.evolve(last, position=last.position + 1, version=last.version + 1, event=bad))
    for _ in range(2):  # the catch-up, then the rebuild of the projection it dropped
        status, _, body = call(app, "/all.md")
        assert status.startswith("503"), status
        assert b"the log cannot be folded" in body

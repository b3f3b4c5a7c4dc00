"""Timeline: order of fuzzy dates, as_of, corrections, retractions, streams, windows."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from timeline.errors import ValidationError
from timeline.events import Event, Meeting, Statement
from timeline.projections import Timeline, Window
from timeline.testing import T0, recorded_batches
from timeline.when import When

from ._helpers import append_later, ev

if TYPE_CHECKING:
    from timeline.store import EventStore


def said(event_id: str, when: str, text: str = "said", by: str = "Nayib Bukele") -> Event:
    return ev({"type": "statement", "id": event_id, "when": when, "by": by, "text": text})


def fix(target: str, changes: dict[str, object], event_id: str, reason: str = "a better source") -> Event:
    return ev({"type": "correction", "id": event_id, "target": target, "changes": changes, "reason": reason})


def drop(target: str, event_id: str, reason: str = "source withdrawn") -> Event:
    return ev({"type": "retraction", "id": event_id, "target": target, "reason": reason})


# The documented order (Timeline's docstring), by hand: earliest day first; on one day the finer precision
# first (date-times by instant, then days, months, years); then the EDTF text; then the position.
ORDERED = [
    ("dec", "2024-12"),
    ("t-08z", "2025-01-01T08:00:00Z"),
    ("t-10z", "2025-01-01T06:00:00-04:00"),
    ("before-jan1", "../2025-01-01"),
    ("jan1", "2025-01-01"),
    ("jan", "2025-01"),
    ("year", "2025"),
    ("about-year", "2025~"),
    ("late-jan-to-feb", "2025-01-20/2025-02~"),
    ("march-a", "2025-03"),
    ("march-b", "2025-03"),
    ("mid-march", "2025-03-15"),
]


def test_order_of_fuzzy_dates() -> None:
    by_id = dict(ORDERED)
    shuffled = [
        "mid-march",
        "year",
        "march-a",
        "jan",
        "t-10z",
        "dec",
        "about-year",
        "jan1",
        "march-b",
        "late-jan-to-feb",
        "before-jan1",
        "t-08z",
    ]
    timeline = Timeline.from_records(recorded_batches(("s", [said(i, by_id[i]) for i in shuffled])))
    assert [entry.id for entry in timeline] == [event_id for event_id, _ in ORDERED]
    assert [entry.id for entry in timeline.entries] == [entry.id for entry in timeline]
    assert len(timeline) == len(ORDERED)
    doc = " ".join((Timeline.__doc__ or "").split())
    assert "the earliest possible day comes first" in doc
    assert "the finer precision comes first" in doc
    assert "the position" in doc


def test_entry_fields_without_amendments() -> None:
    event = said("a", "2025-03")
    (entry,) = Timeline.from_records(recorded_batches(("story", [event])))
    assert (entry.id, entry.stream, entry.position, entry.revision) == ("a", "story", 1, 1)
    assert entry.event is event
    assert entry.original is event
    assert entry.when == When.parse("2025-03")
    assert entry.first_recorded == entry.last_changed == T0
    assert entry.history == ()
    assert not entry.retracted


def test_corrections_give_revision_history_and_last_changed() -> None:
    log = recorded_batches(
        ("s", [said("a", "2025-03"), said("b", "2025-04")]),
        ("s", [fix("a", {"text": "said more"}, "fix-1", "reason one")]),
        ("s", [fix("a", {"when": "2025-05", "title": "moved"}, "fix-2", "reason two")]),
    )
    timeline = Timeline.from_records(log)
    assert [entry.id for entry in timeline] == ["b", "a"]  # the corrected `when` moved it
    entry = timeline.get("a")
    assert entry is not None
    assert entry.revision == 3
    assert isinstance(entry.event, Statement)
    assert (entry.event.text, entry.event.title, str(entry.when)) == ("said more", "moved", "2025-05")
    assert entry.original == said("a", "2025-03")
    assert entry.first_recorded == T0
    assert entry.last_changed == T0 + timedelta(minutes=2)
    assert [(c.kind, c.event_id, c.position, c.reason, dict(c.changes)) for c in entry.history] == [
        ("correction", "fix-1", 3, "reason one", {"text": "said more"}),
        ("correction", "fix-2", 4, "reason two", {"when": "2025-05", "title": "moved"}),
    ]
    assert [c.recorded_at for c in entry.history] == [T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)]
    other = timeline.get("b")
    assert other is not None
    assert (other.revision, other.last_changed) == (1, T0)
    assert timeline.last_changed == T0 + timedelta(minutes=2)


def test_retracted_entries_are_left_out_unless_asked_for() -> None:
    log = recorded_batches(
        ("s", [said("a", "2025-03"), said("b", "2025-04")]),
        ("s", [fix("a", {"text": "x"}, "fix-1")]),
        ("s", [drop("a", "drop-1", "withdrawn")]),
    )
    timeline = Timeline.from_records(log)
    assert [entry.id for entry in timeline] == ["b"]
    assert timeline.get("a") is None
    assert timeline.last_changed == T0 + timedelta(minutes=2)  # the retraction changed the timeline
    shown = Timeline.from_records(log, include_retracted=True)
    assert [(entry.id, entry.retracted) for entry in shown] == [("a", True), ("b", False)]
    entry = shown.get("a")
    assert entry is not None
    assert entry.revision == 2  # a retraction is no correction
    assert [(c.kind, c.event_id, c.reason, dict(c.changes)) for c in entry.history] == [
        ("correction", "fix-1", "a better source", {"text": "x"}),
        ("retraction", "drop-1", "withdrawn", {}),
    ]
    assert entry.last_changed == T0 + timedelta(minutes=2)


def test_amendments_of_unknown_or_retracted_targets_are_ignored() -> None:
    log = recorded_batches(
        ("s", [said("a", "2025-03")]),
        ("s", [fix("ghost", {"text": "x"}, "fix-1"), drop("a", "drop-1")]),
        ("s", [fix("a", {"text": "too late"}, "fix-2"), drop("a", "drop-2")]),
    )
    (entry,) = Timeline.from_records(log, include_retracted=True)
    assert [change.event_id for change in entry.history] == ["drop-1"]


def test_an_invalid_correction_in_records_raises_and_keeps_what_was_folded() -> None:
    log = recorded_batches(
        ("s", [said("a", "2025-03"), said("b", "2025"), fix("a", {"when": "nope"}, "bad")])
    )
    timeline = Timeline()
    with pytest.raises(ValidationError, match="'bad'") as caught:
        timeline.fold(log)
    assert caught.value.path == "changes.when"
    assert [entry.id for entry in timeline] == ["b", "a"]
    assert timeline.position == 2


def test_stream_filter() -> None:
    log = recorded_batches(
        ("a", [said("a1", "2025-03")]), ("b", [said("b1", "2025-01")]), ("a", [said("a2", "2025")])
    )
    assert [entry.id for entry in Timeline.from_records(log, stream="a")] == ["a2", "a1"]
    assert [entry.id for entry in Timeline.from_records(log, stream="b")] == ["b1"]
    assert [entry.id for entry in Timeline.from_records(log)] == ["b1", "a2", "a1"]  # a month before its year
    assert Timeline.from_records(log, stream="a").position == 3
    assert Timeline.from_records(log, stream="b").position == 2


def test_as_of_on_records_is_inclusive() -> None:
    log = recorded_batches(
        ("s", [said("a", "2025-03")]),
        ("s", [fix("a", {"text": "x"}, "fix-1")]),
        ("s", [said("b", "2025-04")]),
    )
    at_fix = Timeline.from_records(log, as_of=T0 + timedelta(minutes=1))
    assert [(entry.id, entry.revision) for entry in at_fix] == [("a", 2)]
    before_fix = Timeline.from_records(log, as_of=T0 + timedelta(minutes=1) - timedelta(microseconds=1))
    assert [(entry.id, entry.revision) for entry in before_fix] == [("a", 1)]
    assert before_fix.last_changed == T0
    assert len(Timeline.from_records(log, as_of=T0 - timedelta(microseconds=1))) == 0


def test_as_of_on_a_store(store: EventStore) -> None:
    first = store.append("s", [said("a", "2025-03"), said("b", "2025-04")])
    second = append_later(store, "s", [fix("a", {"text": "x"}, "fix-1"), drop("b", "drop-1")])
    append_later(store, "s", [said("c", "2025-05")])
    t1, t2 = first[0].recorded_at, second[0].recorded_at
    assert t1 < t2
    now = Timeline.from_store(store, stream="s")
    assert [(entry.id, entry.revision) for entry in now] == [("a", 2), ("c", 1)]
    then = Timeline.from_store(store, stream="s", as_of=t1)
    assert [(entry.id, entry.revision) for entry in then] == [("a", 1), ("b", 1)]
    assert then.position == 2
    assert then.as_of == t1
    on_t2 = Timeline.from_store(store, as_of=t2)
    assert [(entry.id, entry.revision) for entry in on_t2] == [("a", 2)]
    assert then.catch_up(store) == 0  # records after as_of never count


def test_as_of_must_be_aware() -> None:
    with pytest.raises(ValidationError) as caught:
        Timeline(as_of=datetime(2025, 4, 1))  # naive on purpose
    assert caught.value.path == "as_of"


def test_between_is_an_overlap_with_open_ends_unbounded() -> None:
    whens = {
        "march": "2025-03",
        "mid-march": "2025-03-15",
        "feb-to-apr": "2025-02/2025-04",
        "before-apr14": "../2025-04-14",
        "from-2025": "2025/..",
        "year": "2025",
        "march-time": "2025-03-31T23:00:00Z",
        "april": "2025-04-14",
        "feb": "2025-02",
        "after-apr": "2025-04/..",
        "before-feb": "../2025-02-28",
    }
    timeline = Timeline.from_records(recorded_batches(("s", [said(i, w) for i, w in whens.items()])))
    march = {entry.id for entry in timeline.between("2025-03")}
    assert march == {"march", "mid-march", "feb-to-apr", "before-apr14", "from-2025", "year", "march-time"}
    assert [entry.id for entry in timeline.between("2025-03")] == [
        entry.id for entry in timeline if entry.id in march
    ]
    assert {entry.id for entry in timeline.between(date(2025, 2, 28))} == {
        "feb-to-apr",
        "before-apr14",
        "from-2025",
        "year",
        "feb",
        "before-feb",
    }
    assert {entry.id for entry in timeline.between("2025-04-14", When.parse("2025-04-30"))} == {
        "feb-to-apr",
        "before-apr14",
        "from-2025",
        "year",
        "april",
        "after-apr",
    }
    assert {entry.id for entry in timeline.between("2026/..")} == {"from-2025", "after-apr"}


def test_window_bounds() -> None:
    assert Window.of("2025-03") == Window(start=date(2025, 3, 1), end=date(2025, 3, 31))
    assert Window.of("2025-03", "2025-04") == Window(start=date(2025, 3, 1), end=date(2025, 4, 30))
    assert Window.of("../2025-04-14") == Window(start=None, end=date(2025, 4, 14))
    with pytest.raises(ValidationError, match="after it ends"):
        Window.of("2025-04", "2025-03")
    with pytest.raises(ValidationError, match="not a datetime"):
        Window.of(T0)
    with pytest.raises(ValidationError, match="not a valid EDTF"):
        Window.of("March")
    with pytest.raises(ValidationError, match="expected a When"):
        Window.of(2025)  # type: ignore[arg-type]


def test_entries_are_immutable_snapshots() -> None:
    timeline = Timeline.from_records(recorded_batches(("s", [said("a", "2025")])))
    entries = timeline.entries
    timeline.fold(recorded_batches(("s", [said("a", "2025")]), ("s", [said("b", "2024")])))
    assert [entry.id for entry in entries] == ["a"]
    assert [entry.id for entry in timeline.entries] == ["b", "a"]
    assert isinstance(timeline.entries, tuple)


def test_event_types_are_kept() -> None:
    meeting = ev({"type": "meeting", "id": "m", "when": "2025-04-14", "participants": ["A", "B"]})
    (entry,) = Timeline.from_records(recorded_batches(("s", [meeting])))
    assert isinstance(entry.event, Meeting)


def sourced(event_id: str, when: str, *published: str) -> Event:
    sources = [{"title": f"report {n}", "published": p} for n, p in enumerate(published)]
    return ev({"type": "statement", "id": event_id, "when": when, "by": "X", "text": "t", "sources": sources})


def test_reported_by_counts_an_event_from_its_first_dated_source() -> None:
    # Recorded long after the fact: as_of cannot ask "what had been reported by 1 April 2025".
    log = recorded_batches(
        ("s", [sourced("early", "2025-03", "2025-03-20"), sourced("late", "2025-03", "2025-04-14")]),
        ("s", [sourced("both", "2025-02", "2025-05-01", "2025-03-31")]),
        ("s", [said("undated", "2025-01")]),  # no dated source: counts from when it was recorded (T0 + 2 min)
        start=datetime(2026, 12, 1, tzinfo=T0.tzinfo),
    )
    by_april = Timeline.from_records(log, reported_by=date(2025, 4, 1))
    assert [entry.id for entry in by_april] == ["both", "early"]
    assert by_april.reported_by == date(2025, 4, 1)
    by_14th = Timeline.from_records(log, reported_by=date(2025, 4, 14))
    assert [e.id for e in by_14th] == ["both", "early", "late"]
    everything = Timeline.from_records(log, reported_by=date(2026, 12, 1))
    assert [entry.id for entry in everything] == ["undated", "both", "early", "late"]


def test_reported_by_applies_to_corrections_and_a_month_counts_from_its_last_day() -> None:
    correction = ev(
        {
            "type": "correction",
            "id": "fix",
            "target": "a",
            "changes": {"text": "corrected"},
            "reason": "a later report",
            "sources": [{"title": "follow-up", "published": "2025-05"}],
        }
    )
    log = recorded_batches(("s", [sourced("a", "2025-03", "2025-03-02")]), ("s", [correction]))
    assert [e.revision for e in Timeline.from_records(log, reported_by=date(2025, 5, 30))] == [1]
    assert [e.revision for e in Timeline.from_records(log, reported_by=date(2025, 5, 31))] == [2]


def test_reported_by_must_be_a_date() -> None:
    with pytest.raises(ValidationError) as caught:
        Timeline(reported_by="2025-04-01")  # type: ignore[arg-type]
    assert caught.value.path == "reported_by"

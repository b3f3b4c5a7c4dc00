"""The reference story (`timeline.testing.story`), then a correction and a retraction with PLACEHOLDER text.

The correction and the retraction are not facts of the story: their changes and reasons are placeholders
that only exercise the projection.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from timeline.projections import Actors, Ledger, Movements, Timeline
from timeline.testing import story

from ._helpers import append_later, ev

if TYPE_CHECKING:
    from timeline.events import Event
    from timeline.store import EventStore

#: The reference story's five events (`timeline.testing.story`), without its correction.
STORY: list[Event] = [ev(data) for data in story.EVENTS]


def story_amendments() -> list[list[Event]]:
    """Two batches: a PLACEHOLDER correction of the invocation's title, then a PLACEHOLDER retraction."""
    return [
        [
            ev(
                {
                    "type": "correction",
                    "id": "story-placeholder-correction",
                    "target": "story-01-invocation",
                    "changes": {"title": "placeholder corrected title"},
                    "reason": "placeholder reason",
                }
            )
        ],
        [
            ev(
                {
                    "type": "retraction",
                    "id": "story-placeholder-retraction",
                    "target": "story-05-statement",
                    "reason": "placeholder reason",
                }
            )
        ],
    ]


def test_the_story_now_and_as_of_before_the_correction(store: EventStore) -> None:
    first = store.append("el-salvador-deportations", STORY)
    correction, retraction = story_amendments()
    fixed = append_later(store, "el-salvador-deportations", correction)
    append_later(store, "el-salvador-deportations", retraction)

    now = Timeline.from_store(store, stream="el-salvador-deportations")
    assert [(entry.id, entry.revision, entry.when.human()) for entry in now] == [
        ("story-01-invocation", 2, "March 2025"),
        ("story-02-transfer", 1, "March 2025"),
        ("story-03-payment", 1, "before 14 April 2025"),
        ("story-04-meeting", 1, "14 April 2025"),
    ]
    invocation = now.entries[0]
    assert invocation.event.headline() == "placeholder corrected title"
    assert invocation.original.title is None
    assert invocation.last_changed == fixed[0].recorded_at > invocation.first_recorded
    assert now.last_changed is not None
    assert now.last_changed > fixed[0].recorded_at  # the retraction

    before = Timeline.from_store(store, stream="el-salvador-deportations", as_of=first[0].recorded_at)
    assert [(entry.id, entry.revision) for entry in before] == [
        ("story-05-statement", 1),
        ("story-01-invocation", 1),
        ("story-02-transfer", 1),
        ("story-03-payment", 1),
        ("story-04-meeting", 1),
    ]
    assert (
        before.entries[1].event.headline()
        == "Donald Trump invokes Alien Enemies Act of 1798 against Tren de Aragua"
    )
    assert before.last_changed == first[0].recorded_at

    (line,) = Ledger.from_timeline(now).lines
    assert (line.payer, line.payee, line.currency, line.total, line.approximate) == (
        "United States",
        "El Salvador",
        "USD",
        Decimal("6000000"),
        True,
    )
    (moved,) = Movements.from_timeline(now).lines
    assert (moved.origin, moved.destination, moved.total, moved.approximate) == (
        "United States",
        "CECOT, El Salvador",
        250,
        True,
    )
    assert [entry.id for entry in Actors.from_timeline(now).names["Nayib Bukele"]] == ["story-04-meeting"]
    assert [entry.id for entry in Actors.from_timeline(before).names["Nayib Bukele"]] == [
        "story-05-statement",
        "story-04-meeting",
    ]
    assert [entry.id for entry in now.between("2025-02")] == ["story-03-payment"]
    assert [entry.id for entry in before.between("2025-02")] == ["story-05-statement", "story-03-payment"]

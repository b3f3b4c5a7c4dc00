"""`timeline.amendments`: the correction and retraction rules the store's append check and the fold share."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from timeline.amendments import FIXED_FIELDS, apply_changes, check_batch, corrected, refusal
from timeline.errors import ValidationError
from timeline.events import Correction, Event, Retraction, Statement
from timeline.projections import Timeline
from timeline.store import MemoryStore, Recorded
from timeline.when import When

SAID = Statement(id="said", by="A", text="hello", when=When.parse("2025-03"))


def fix(target: str = "said", **changes: object) -> Correction:
    return Correction(id=f"fix-{target}", target=target, changes=changes or {"text": "hi"}, reason="typo")


def test_apply_changes_replaces_whole_fields_and_never_the_fixed_ones() -> None:
    assert apply_changes(SAID, {"text": "bye"}) == Statement(id="said", by="A", text="bye", when=SAID.when)
    assert {"type", "id"} == FIXED_FIELDS
    for name in FIXED_FIELDS:
        with pytest.raises(ValidationError, match="cannot be corrected") as info:
            apply_changes(SAID, {name: "x"})
        assert info.value.path == f"changes.{name}"


def test_corrected_names_the_change_at_fault() -> None:
    assert corrected(SAID, fix(text="bye")).text == "bye"  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as info:
        corrected(SAID, fix(when="not a date"))
    assert info.value.path == "changes.when"


def test_refusal_says_why_an_amendment_cannot_take_effect() -> None:
    retraction = Retraction(id="r", target="said", reason="wrong")
    assert refusal(retraction, "s", SAID, "s", retracted=False) is None
    assert "no event with id 'said'" in str(refusal(retraction, "s", None, None, retracted=False))
    assert "is in stream 't'" in str(refusal(retraction, "s", SAID, "t", retracted=False))
    assert "only occurrences" in str(refusal(retraction, "s", fix(), "s", retracted=False))
    assert "is retracted" in str(refusal(retraction, "s", SAID, "s", retracted=True))


def test_check_batch_uses_the_stored_target_and_its_stored_amendments() -> None:
    stored: dict[str, tuple[str, Event]] = {"said": ("s", SAID)}
    amendments: dict[str, list[Event]] = {"said": [Retraction(id="r0", target="said", reason="gone")]}
    check_batch("s", [fix()], (), stored.get, lambda _: [])  # a plain correction passes
    with pytest.raises(ValidationError, match="is retracted") as info:
        check_batch(
            "s",
            [SAID.__class__(id="x", by="B", text="t", when=SAID.when), fix()],
            (),
            stored.get,
            lambda target: amendments.get(target, []),
        )
    assert info.value.path == "[1].correction.target"
    with pytest.raises(ValidationError, match="no event with id 'other'"):
        check_batch("s", [fix("other")], (), stored.get, lambda _: [])
    # An amendment already stored (a retried batch) was checked when it was appended.
    check_batch("s", [fix("other")], {"fix-other"}, stored.get, lambda _: [])


def test_the_fold_ignores_what_the_store_refuses() -> None:
    """Records the store would refuse (written by another tool): the fold applies the same rule and skips."""
    moment = datetime(2025, 5, 1, tzinfo=UTC)
    log = [
        SAID,
        Retraction(id="r1", target="said", reason="gone"),
        fix(),
        Retraction(id="r2", target="nope", reason="x"),
    ]
    records = [
        Recorded(position=i, stream="s", version=i, recorded_at=moment, event=event)
        for i, event in enumerate(log, start=1)
    ]
    timeline = Timeline.from_records(records, include_retracted=True)
    (entry,) = timeline.entries
    assert entry.retracted
    assert entry.event == SAID
    assert [change.event_id for change in entry.history] == ["r1"]
    store = MemoryStore()
    store.append("s", [SAID, Retraction(id="r1", target="said", reason="gone")])
    for refused in log[2:]:
        with pytest.raises(ValidationError):
            store.append("s", [refused])

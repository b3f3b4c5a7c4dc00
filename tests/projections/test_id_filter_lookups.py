"""A restored Timeline's id filter told a catch-up's ids first (`IdFilter.expect`): the same answers as its
sets, and a catch-up of new occurrences from a store of rows builds neither the sets nor a map of ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.events import Correction
from timeline.projections import Timeline
from timeline.projections._byid import EntriesById
from timeline.projections._idfilter import IdFilter, id_crc
from timeline.store import SqliteStore

from .test_lazy_snapshots import blocks_of
from .test_snapshots import shown

IDS = st.text(min_size=1, max_size=6)


@settings(max_examples=80)
@given(
    base=st.lists(IDS, max_size=30),
    recent=st.lists(IDS, max_size=10),
    told=st.lists(st.lists(IDS, max_size=12), max_size=3),
    asked=st.lists(IDS, max_size=20),
)
def test_a_filter_told_the_ids_first_answers_as_its_sets_do(
    base: list[str], recent: list[str], told: list[list[str]], asked: list[str]
) -> None:
    known = IdFilter(_image_of(base), None, _image_of(recent))  # as a load reads it
    held = {id_crc(event_id) for event_id in base + recent}
    for ids in told:
        known.expect(ids)
        assert all(known.may_hold(event_id) == (id_crc(event_id) in held) for event_id in ids)
    assert all(known.may_hold(event_id) == (id_crc(event_id) in held) for event_id in asked + base + recent)


def _image_of(ids: list[str]) -> bytes:
    made = IdFilter.empty().adding(ids)
    return bytes(made.base_image) + made.recent_image


def _meeting(i: int, when: str) -> Any:
    from timeline.codec import from_json

    return from_json({"type": "meeting", "id": f"m-{i:04d}", "when": when, "participants": ["A"]})


def test_a_catch_up_of_new_occurrences_from_rows_builds_no_set_of_the_filter(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "s.db"))
    store.append("s", [_meeting(i, f"20{10 + i % 15}") for i in range(400)])
    with blocks_of(20):
        restored = Timeline.from_checkpoint(Timeline.from_store(store).checkpoint())
        store.append("s", [_meeting(i, "2013") for i in range(400, 420)])
        assert restored.catch_up(store) == 20
        by_id = restored._by_id
        assert type(by_id) is EntriesById
        assert not by_id.mapped
        assert by_id.known is not None
        assert by_id.known._base is None  # answered from the ids told, no set of every CRC-32
        correction = Correction(id="c-1", target="m-0005", reason="r", changes={"when": "2014"})
        store.append("s", [correction, _meeting(420, "2014")])  # an old entry's id: found in its block
        assert restored.catch_up(store) == 2
        assert restored.get("m-0005").when.text == "2014"  # type: ignore[union-attr]
    assert shown(restored) == shown(Timeline.from_store(store))
    store.close()

"""A restored Timeline's id filter told a catch-up's ids first (`IdFilter.expect`): the same answers as its
sets, and a catch-up of new occurrences from a store of rows builds neither the sets nor a map of ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
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


@pytest.mark.parametrize("page", [7, 10_000])
def test_a_catch_up_of_new_occurrences_from_rows_builds_no_set_of_the_filter(
    page: int, tmp_path: Path
) -> None:
    from unittest import mock

    from timeline.projections import _rawfold

    store = SqliteStore(str(tmp_path / "s.db"))
    store.append("s", [_meeting(i, f"20{10 + i % 15}") for i in range(400)])
    with blocks_of(20), mock.patch.object(_rawfold, "_PAGE", page):  # the ids told in pages of `page`
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


# -- the block of an id found by a search of the ids images (`_idsearch`), the map built only later ------

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ("get", "contains", "missing", "set", "set new", "delete", "len", "keep", "changed", "values")
        ),
        st.integers(0, 59),
    ),
    max_size=30,
)


@settings(max_examples=80)
@given(operations=OPERATIONS, size=st.integers(1, 9), searches=st.integers(0, 4))
def test_entries_by_id_found_by_searches_behave_as_a_dict(
    operations: list[tuple[str, int]], size: int, searches: int, tmp_path_factory: Any
) -> None:
    from unittest import mock

    from timeline.projections import _byid

    store = SqliteStore(str(tmp_path_factory.mktemp("s") / "s.db"))
    store.append("s", [_meeting(i, f"20{10 + i % 7}") for i in range(50)])
    with blocks_of(size), mock.patch.object(_byid, "MAX_SEARCHES", searches):
        rebuilt = Timeline.from_store(store)
        by_id = Timeline.from_checkpoint(rebuilt.checkpoint())._by_id
        model = dict(rebuilt._by_id)
        for operation, number in operations:
            key = f"m-{number:04d}"  # 50 to 59: in no block
            if operation == "get":
                assert by_id.get(key) == model.get(key)
            elif operation == "contains":
                assert (key in by_id) == (key in model)
            elif operation == "missing" and key not in model:
                with pytest.raises(KeyError):
                    by_id[key]
            elif operation == "missing":
                assert by_id[key] == model[key]
            elif operation.startswith("set"):
                value = rebuilt._by_id[f"m-{number % 50:04d}"]
                if operation == "set":  # as the fold writes: after reading it ("set new": without)
                    by_id.get(key)
                by_id[key] = model[key] = value
            elif operation == "delete" and key in model:
                del by_id[key], model[key]
            elif operation == "len":
                assert len(by_id) == len(model)
            elif operation == "keep":
                kept, decoded = by_id.kept_hidden()  # type: ignore[attr-defined]
                assert not kept  # nothing is retracted here: no hidden block
                assert sorted(map(id, decoded)) == sorted(map(id, dict.values(by_id)))
            elif operation == "changed":  # the blocks holding records after it decoded, nothing undone
                after = 10 * number
                changed = list(by_id.changed_after(after))  # type: ignore[attr-defined]
                assert all(dict.get(by_id, k) == v for k, v in model.items() if v.position > after)
                assert sorted(map(id, changed)) == sorted(map(id, dict.values(by_id)))
            else:
                assert sorted(by_id.values(), key=str) == sorted(model.values(), key=str)
        assert len(by_id) == len(model)
        assert dict(by_id.items()) == model
    store.close()


def test_the_map_is_built_after_so_many_searches(tmp_path: Path) -> None:
    from timeline.projections._idsearch import MAX_SEARCHES

    store = SqliteStore(str(tmp_path / "s.db"))
    store.append("s", [_meeting(i, "2013") for i in range(400)])
    with blocks_of(20):
        by_id = Timeline.from_checkpoint(Timeline.from_store(store).checkpoint())._by_id
        assert type(by_id) is EntriesById
        for number in range(MAX_SEARCHES):
            assert by_id.get(f"m-{20 * number:04d}") is not None  # each in a block of its own: decoded
        assert not by_id.mapped
        assert dict.__len__(by_id) == 20 * MAX_SEARCHES
        assert "m-0399" in by_id
        assert by_id.mapped
        assert len(by_id) == 400
    store.close()

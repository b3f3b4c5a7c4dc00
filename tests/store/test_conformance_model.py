"""The store contract, continued (see test_conformance.py): random appends against a model of it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hypothesis import given
from hypothesis import strategies as st

from timeline.codec import dumps
from timeline.errors import ConcurrencyError, DuplicateEventError, ValidationError
from timeline.store import (
    ANY,
    NO_STREAM,
    EventStore,
    Expected,
)

from ._events import note

if TYPE_CHECKING:
    pass

from ._conformance import PER_BACKEND, StoreFactory, assert_gapless, summary

# -- the whole contract against a model ---------------------------------------------------------------------

Outcome = tuple[Any, ...]


class Model:
    """The append contract in a few lines: what the store must answer, and what the log must then hold."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str, int]] = []  # (id, stream, content variant) by position - 1
        self.where: dict[str, int] = {}  # id -> position
        self.versions: dict[str, int] = {}

    def append(self, stream: str, batch: list[tuple[str, int]], expected: Expected) -> Outcome:
        if not batch:
            return ("ok", [])
        seen: set[str] = set()
        for index, (event_id, _) in enumerate(batch):
            if event_id in seen:
                return ("invalid", f"[{index}].id")
            seen.add(event_id)
        for index, (event_id, variant) in enumerate(batch):
            position = self.where.get(event_id)
            if position is not None and self.log[position - 1][1:] != (stream, variant):
                return ("duplicate", f"[{index}].id")
        fresh = [(i, v) for i, v in batch if i not in self.where]
        version = self.versions.get(stream, 0)
        if fresh and (
            (expected is NO_STREAM and version != 0) or (isinstance(expected, int) and expected != version)
        ):
            return ("conflict", expected, version)
        for event_id, variant in fresh:
            self.log.append((event_id, stream, variant))
            self.where[event_id] = len(self.log)
        if fresh:
            self.versions[stream] = version + len(fresh)
        return ("ok", [self._summary(self.where[i]) for i, _ in batch])

    def _summary(self, position: int) -> tuple[int, str, int, str]:
        event_id, stream, _ = self.log[position - 1]
        version = sum(1 for _, s, _ in self.log[:position] if s == stream)
        return (position, stream, version, event_id)


def attempt(store: EventStore, stream: str, batch: list[tuple[str, int]], expected: Expected) -> Outcome:
    try:
        records = store.append(stream, [note(i, f"variant {v}") for i, v in batch], expected_version=expected)
    except ConcurrencyError as exc:
        return ("conflict", exc.expected, exc.actual)
    except DuplicateEventError as exc:
        return ("duplicate", exc.path)
    except ValidationError as exc:
        return ("invalid", exc.path)
    return ("ok", summary(records))


operations = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.lists(st.tuples(st.sampled_from("pqrstuvw"), st.integers(0, 1)), max_size=4),
        st.sampled_from(["any", "none", "current", "current", "current-1", "current+1"]),
    ),
    max_size=12,
)


@PER_BACKEND
@given(ops=operations)
def test_appends_agree_with_the_model(
    new_store: StoreFactory, ops: list[tuple[str, list[tuple[str, int]], str]]
) -> None:
    store, model = new_store(), Model()
    for stream, batch, expectation in ops:
        version = model.versions.get(stream, 0)
        choices: dict[str, Expected] = {
            "any": ANY,
            "none": NO_STREAM,
            "current": version,
            "current-1": max(version - 1, 0),
            "current+1": version + 1,
        }
        expected = choices[expectation]
        assert attempt(store, stream, batch, expected) == model.append(stream, batch, expected)
    log = assert_gapless(store)
    assert [(r.event.id, r.stream, dumps(r.event)) for r in log] == [
        (i, s, dumps(note(i, f"variant {v}"))) for i, s, v in model.log
    ]
    assert store.streams() == sorted(model.versions)
    moments = [r.recorded_at for r in log]
    assert moments == sorted(moments)

"""What the conformance tests share: the store factory type, hypothesis settings per backend, and
checks of a log."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, settings

from timeline.store import (
    EventStore,
    Recorded,
)

if TYPE_CHECKING:
    pass

StoreFactory = Callable[[], EventStore]
PER_BACKEND = settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])


def summary(records: list[Recorded]) -> list[tuple[int, str, int, str]]:
    return [(r.position, r.stream, r.version, r.event.id) for r in records]


def assert_gapless(store: EventStore) -> list[Recorded]:
    log = list(store.read_all())
    assert [r.position for r in log] == list(range(1, len(log) + 1))
    assert store.head() == len(log)
    for name in store.streams():
        assert [r.version for r in store.read(name)] == list(range(1, store.version(name) + 1))
    return log

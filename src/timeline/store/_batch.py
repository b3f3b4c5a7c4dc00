"""A batch made ready to append: every event checked and given its canonical JSON text, before anything is
written (a batch that fails appends nothing).

The common batch (events only, distinct ids, text every store can keep) takes a path of C-level loops: map
and set over the whole batch, a few classes' encoders looked up once. Anything wrong sends the batch through
the careful loop, one event at a time, which names the first event at fault exactly as it always has.
"""

from __future__ import annotations

import json
import operator
from typing import TYPE_CHECKING

from timeline._fastcodec import dumper
from timeline.amendments import AMENDMENTS
from timeline.codec import dumps, to_json
from timeline.errors import ValidationError
from timeline.events import Event

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["Batch", "prepare_batch"]

#: The events of a batch, each with its canonical JSON text.
Batch = list[tuple[Event, str]]

_event_id = operator.attrgetter("id")


def prepare_batch(events: Iterable[Event], offset: int = 0) -> tuple[Batch, bool]:
    """The batch with each event's canonical JSON, and whether it holds corrections or retractions; a
    ValidationError naming the first event at fault (``[index]``, `offset` the index of the first event
    in the whole batch): not an event, an id twice in the batch, text no store can keep."""
    events = list(events)
    ready = _prepare_common(events)
    return ready if ready is not None else _prepare_carefully(events, offset)


def _prepare_common(events: list[Event]) -> tuple[Batch, bool] | None:
    """`prepare_batch` for a batch with nothing wrong; None (and no error) when something is."""
    dumpers: dict[type, Callable[[Event], str]] = {}
    for cls in set(map(type, events)):
        if not issubclass(cls, Event):
            return None
        dumpers[cls] = dumper(cls) or dumps
    ids = list(map(_event_id, events))
    if len(set(ids)) != len(ids):
        return None
    if len(dumpers) == 1:
        texts = list(map(next(iter(dumpers.values())), events))
    else:
        texts = [dumpers[type(event)](event) for event in events]
    if not all(map(str.isascii, texts)):
        try:  # one call for the whole batch: a lone surrogate anywhere fails it
            "".join(text for text in texts if not text.isascii()).encode("utf-8")
        except UnicodeEncodeError:
            return None
    amends = any(issubclass(cls, AMENDMENTS) for cls in dumpers)
    return list(zip(events, texts, strict=True)), amends


def _prepare_carefully(events: list[Event], offset: int) -> tuple[Batch, bool]:
    """`prepare_batch` one event at a time, stopping at the first one at fault."""
    batch: Batch = []
    seen: dict[str, int] = {}
    amends = False
    # The checks and the encoder lookup once per class rather than per event: a batch has few classes.
    dumpers: dict[type, Callable[[Event], str]] = {}
    for index, event in enumerate(events, start=offset):
        cls = type(event)
        dump = dumpers.get(cls)
        if dump is None:
            if not isinstance(event, Event):
                raise ValidationError(f"expected an event, got {cls.__name__}", path=f"[{index}]")
            dump = dumpers[cls] = dumper(cls) or dumps
            amends = amends or issubclass(cls, AMENDMENTS)
        event_id = event.id
        if event_id in seen:
            raise ValidationError(
                f"event id {event_id!r} appears twice in the batch (also at [{seen[event_id]}])",
                path=f"[{index}].id",
            )
        seen[event_id] = index
        data = dump(event)
        if not data.isascii():
            _check_encodable(event, data, index)
        batch.append((event, data))
    return batch, amends


def _check_encodable(event: Event, data: str, index: int) -> None:
    """Refuse text with a lone surrogate (json.loads makes one of "\\ud800"): no UTF-8 store can keep it."""
    try:
        data.encode("utf-8")
    except UnicodeEncodeError:
        for name, value in to_json(event).items():
            try:
                json.dumps(value, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                raise ValidationError(
                    "contains a lone surrogate, which is not Unicode text", path=f"[{index}].{name}"
                ) from None
        raise ValidationError(
            "contains a lone surrogate, which is not Unicode text", path=f"[{index}]"
        ) from None

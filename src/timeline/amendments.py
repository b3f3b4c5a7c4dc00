"""The rules of corrections and retractions, in one place for the store and the projections.

A correction replaces whole top-level fields of an earlier occurrence (never ``type`` or ``id``); a retraction
withdraws one. Both must name an occurrence of their own stream that is not retracted. The store refuses an
amendment that breaks a rule when it is appended (`check_batch`); a fold ignores one it meets anyway (a log
written by another tool, or records folded without a store), using the same rule (`refusal`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from timeline.codec import from_json, to_json
from timeline.errors import ValidationError
from timeline.events import Correction, Event, Occurrence, Retraction

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence

__all__ = ["AMENDMENTS", "FIXED_FIELDS", "apply_changes", "check_batch", "corrected", "refusal"]

#: Fields a correction may never change.
FIXED_FIELDS = frozenset({"type", "id"})

#: The event classes that amend an earlier occurrence.
AMENDMENTS = (Correction, Retraction)


def apply_changes(event: Event, changes: Mapping[str, Any]) -> Event:
    """The event with whole top-level fields replaced by `changes` (JSON values), validated like input."""
    fixed = FIXED_FIELDS.intersection(changes)
    if fixed:
        name = sorted(fixed)[0]
        raise ValidationError("this field cannot be corrected", path=f"changes.{name}")
    data = to_json(event)
    data.update(changes)
    try:
        return from_json(data)
    except ValidationError as exc:
        # from_json names the target's type first: say instead which change is at fault.
        path = exc.path.split(".", 1)[1] if "." in exc.path else exc.path
        raise ValidationError(exc.reason, path=f"changes.{path}") from None


def corrected(target: Occurrence, correction: Correction) -> Occurrence:
    """The occurrence `target` with `correction` applied; a ValidationError naming the change at fault."""
    effective = apply_changes(target, correction.changes)
    if not isinstance(effective, Occurrence):  # apply_changes keeps the type: this only narrows it
        raise ValidationError(f"a correction turned {target.id!r} into a {effective.TYPE}", path="changes")
    return effective


def refusal(
    amendment: Correction | Retraction,
    stream: str,
    target: Event | None,
    target_stream: str | None,
    *,
    retracted: bool,
) -> str | None:
    """Why `amendment`, recorded in `stream`, cannot take effect on `target`; None when it can.

    `target` is the event it names (None when there is none), `target_stream` that event's stream and
    `retracted` whether it is retracted already.
    """
    target_id = amendment.target
    if target is None:
        return f"no event with id {target_id!r} in stream {stream!r}"
    if target_stream != stream:
        return f"event {target_id!r} is in stream {target_stream!r}, not {stream!r}"
    if not isinstance(target, Occurrence):
        return f"event {target_id!r} is a {target.TYPE}: only occurrences can be amended"
    if retracted:
        return f"event {target_id!r} is retracted: it cannot be corrected or retracted again"
    return None


def check_batch(
    stream: str,
    batch: Sequence[Event],
    stored_ids: Collection[str],
    find: Callable[[str], tuple[str, Event] | None],
    stored_amendments: Callable[[str], Sequence[Event]],
    *,
    offset: int = 0,
) -> None:
    """Refuse (ValidationError naming ``[index].kind.field``) the first amendment in `batch`, a batch about to
    be appended to `stream`, that breaks a rule: its target is missing, in another stream, not an occurrence,
    retracted (by the store or earlier in the batch), or made invalid by the changes.

    `stored_ids` are the ids of the batch already stored (a retry: checked when they were appended);
    `find(id)` gives a stored event and its stream; `stored_amendments(id)` the stored corrections and
    retractions of an event, in position order. `offset` is the index of `batch[0]` in the whole batch (a
    batch checked a chunk at a time).
    """
    in_batch = {event.id: event for event in batch}
    current: dict[str, Event] = {}  # target id -> its effective event so far
    retracted: set[str] = set()
    for index, event in enumerate(batch, start=offset):
        if not isinstance(event, AMENDMENTS) or event.id in stored_ids:
            continue  # an amendment already stored was checked then, and stored_amendments applies it
        kind = event.TYPE
        target_id = event.target
        if target_id not in current:
            found = (stream, in_batch[target_id]) if target_id in in_batch else find(target_id)
            target_stream, target = (None, None) if found is None else found
            why = refusal(event, stream, target, target_stream, retracted=False)
            if why is not None:
                raise ValidationError(why, path=f"[{index}].{kind}.target")
            assert target is not None  # refusal said so
            for amendment in stored_amendments(target_id):
                if isinstance(amendment, Retraction):
                    retracted.add(target_id)
                elif isinstance(amendment, Correction):
                    target = apply_changes(target, amendment.changes)
            current[target_id] = target
        if target_id in retracted:
            why = refusal(event, stream, current[target_id], stream, retracted=True)
            raise ValidationError(str(why), path=f"[{index}].{kind}.target")
        if isinstance(event, Retraction):
            retracted.add(target_id)
            continue
        try:
            current[target_id] = apply_changes(current[target_id], event.changes)
        except ValidationError as exc:
            raise ValidationError(exc.reason, path=f"[{index}].{kind}.{exc.path}") from None

"""Reading events from JSON Lines: one event in its JSON form per line, blank lines ignored."""

from __future__ import annotations

import json
from array import array
from typing import TYPE_CHECKING

from timeline.codec import from_json
from timeline.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from timeline.events import Event


class BatchError(ValidationError):
    """Several lines of one input are bad; `errors` holds one `ValidationError` per bad line."""

    def __init__(self, errors: list[ValidationError]) -> None:
        self.errors = errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more bad line(s))" if len(errors) > 1 else ""
        super().__init__(first.reason + more, path=first.path, line=first.line)


class EventReader:
    """The events of JSON Lines, parsed one line at a time as it is iterated (a big file is never held whole).

    Every bad line is reported, none skipped: once the input is exhausted (or `max_errors` bad lines are
    found), iterating raises `BatchError` listing them, so an `EventStore.append_stream` fed by it rolls
    the whole batch back. `line_numbers[i]` is the input line of the i-th event.
    """

    def __init__(self, lines: Iterable[str], *, max_errors: int = 20) -> None:
        self._lines = lines
        self._max_errors = max_errors
        self.line_numbers = array("L")

    def __iter__(self) -> Iterator[Event]:
        errors: list[ValidationError] = []
        for number, line in enumerate(self._lines, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(ValidationError(f"invalid JSON: {exc.msg} (column {exc.colno})", line=number))
            else:
                try:
                    event = from_json(data)
                except ValidationError as exc:
                    errors.append(exc.at_line(number))
                else:
                    if not errors:  # after a bad line nothing will be stored: stop handing events out
                        self.line_numbers.append(number)
                        yield event
            if len(errors) >= self._max_errors:
                break
        if errors:
            raise BatchError(errors)


def read_events(lines: Iterable[str], *, max_errors: int = 20) -> tuple[list[Event], list[int]]:
    """Parse JSON Lines into events and the line number of each; every bad line is reported, none is skipped.

    Raises `BatchError` listing up to `max_errors` bad lines (each names its line and field path).
    """
    reader = EventReader(lines, max_errors=max_errors)
    events = list(reader)
    return events, list(reader.line_numbers)

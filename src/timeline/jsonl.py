"""Reading events from JSON Lines: one event in its JSON form per line, blank lines ignored."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from timeline.codec import from_json
from timeline.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from timeline.events import Event


class BatchError(ValidationError):
    """Several lines of one input are bad; `errors` holds one `ValidationError` per bad line."""

    def __init__(self, errors: list[ValidationError]) -> None:
        self.errors = errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more bad line(s))" if len(errors) > 1 else ""
        super().__init__(first.reason + more, path=first.path, line=first.line)


def read_events(lines: Iterable[str], *, max_errors: int = 20) -> tuple[list[Event], list[int]]:
    """Parse JSON Lines into events and the line number of each; every bad line is reported, none is skipped.

    Raises `BatchError` listing up to `max_errors` bad lines (each names its line and field path).
    """
    events: list[Event] = []
    line_numbers: list[int] = []
    errors: list[ValidationError] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(ValidationError(f"invalid JSON: {exc.msg} (column {exc.colno})", line=number))
        else:
            try:
                events.append(from_json(data))
                line_numbers.append(number)
            except ValidationError as exc:
                errors.append(exc.at_line(number))
        if len(errors) >= max_errors:
            break
    if errors:
        raise BatchError(errors)
    return events, line_numbers

"""Reading events from JSON Lines: one JSON object per line, blank lines ignored.

Lines may be bytes (a file opened in binary: a line that is not UTF-8 is named) or text; a UTF-8 byte order
mark at the start is accepted. A file that is not JSON Lines at all (CSV, a pretty-printed JSON document or
array) gets one message saying what it looks like, not an error per line.
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING

from timeline._jsonline import decode_line, parse_line
from timeline.codec import from_json
from timeline.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from timeline.events import Event

EXPECTED = "expected JSON Lines: one JSON object per line, each an event"


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
    the whole batch back; input that looks like another format stops at its first line with one message.
    `line_numbers[i]` is the input line of the i-th event; `missing_ids` the lines of events that gave no
    ``id`` (they get a random one, so appending them twice stores them twice).
    """

    def __init__(self, lines: Iterable[bytes | str], *, max_errors: int = 20) -> None:
        self._lines = lines
        self._max_errors = max_errors
        self.line_numbers = array("L")
        self.missing_ids: list[int] = []

    def __iter__(self) -> Iterator[Event]:
        errors: list[ValidationError] = []
        seen_content = False
        for number, raw in enumerate(self._lines, start=1):
            try:
                text = decode_line(raw, first=number == 1)
                if not text.strip():
                    continue
                is_first, seen_content = not seen_content, True
                try:
                    data = parse_line(text)
                except ValidationError:
                    if is_first:
                        _refuse_other_format(text, None, number)
                    raise
                if is_first and not isinstance(data, dict):
                    _refuse_other_format(text, data, number)
                event = from_json(data)
            except BatchError:
                raise
            except ValidationError as exc:
                errors.append(exc.at_line(number))
            else:
                if not errors:  # after a bad line nothing will be stored: stop handing events out
                    self.line_numbers.append(number)
                    if "id" not in data:
                        self.missing_ids.append(number)
                    yield event
            if len(errors) >= self._max_errors:
                break
        if errors:
            raise BatchError(errors)


def read_events(
    lines: Iterable[bytes | str], *, max_errors: int = 20, missing_ids: list[int] | None = None
) -> tuple[list[Event], list[int]]:
    """Parse JSON Lines into events and the line number of each; every bad line is reported, none is skipped.

    Raises `BatchError` as `EventReader` does. The lines of events that gave no ``id`` go into `missing_ids`.
    """
    reader = EventReader(lines, max_errors=max_errors)
    events = list(reader)
    if missing_ids is not None:
        missing_ids.extend(reader.missing_ids)
    return events, list(reader.line_numbers)


def _refuse_other_format(text: str, data: object, number: int) -> None:
    hint = _looks_like(text, data)
    if hint:
        raise BatchError([ValidationError(f"{hint}; {EXPECTED}", line=number)])


def _looks_like(text: str, data: object) -> str:
    """What the first line says the input is, if not JSON Lines; empty if it might be."""
    stripped = text.strip()
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return "a JSON array of objects on one line; write each on its own line (jq -c '.[]' FILE does)"
    if stripped in ("[", "{") or (stripped[:1] in "[{" and stripped[-1:] in ",[{"):
        kind = "array" if stripped.startswith("[") else "document"
        return f"this looks like a pretty-printed JSON {kind} (one value over many lines)"
    if stripped[:1] not in "[{" and data is None and any(sep in stripped for sep in ",;\t"):
        return "this looks like CSV (values separated by commas, semicolons or tabs)"
    return ""

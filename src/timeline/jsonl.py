"""Reading events from JSON Lines: one JSON object per line, blank lines ignored.

Lines may be bytes (a file opened in binary: a line that is not UTF-8 is named) or text; a UTF-8 byte order
mark at the start is accepted. A file that is not JSON Lines at all (CSV, a pretty-printed JSON document or
array) gets one message saying what it looks like, not an error per line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from timeline._jsonline import decode_line, parse_line
from timeline.codec import from_json
from timeline.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from timeline.events import Event

EXPECTED = "expected JSON Lines: one JSON object per line, each an event"


class BatchError(ValidationError):
    """Several lines of one input are bad; `errors` holds one `ValidationError` per bad line."""

    def __init__(self, errors: list[ValidationError]) -> None:
        self.errors = errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more bad line(s))" if len(errors) > 1 else ""
        super().__init__(first.reason + more, path=first.path, line=first.line)


def read_events(
    lines: Iterable[bytes | str], *, max_errors: int = 20, missing_ids: list[int] | None = None
) -> tuple[list[Event], list[int]]:
    """Parse JSON Lines into events and the line number of each; every bad line is reported, none is skipped.

    Raises `BatchError` listing up to `max_errors` bad lines (each names its line and field path), or naming
    only the first line when the whole input looks like another format. The line numbers of events that gave
    no ``id`` (they get a random one, so appending them twice stores them twice) go into `missing_ids`.
    """
    events: list[Event] = []
    line_numbers: list[int] = []
    errors: list[ValidationError] = []
    seen_content = False
    for number, raw in enumerate(lines, start=1):
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
            events.append(from_json(data))
            line_numbers.append(number)
            if missing_ids is not None and "id" not in data:
                missing_ids.append(number)
        except ValidationError as exc:
            if isinstance(exc, BatchError):
                raise
            errors.append(exc.at_line(number))
        if len(errors) >= max_errors:
            break
    if errors:
        raise BatchError(errors)
    return events, line_numbers


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

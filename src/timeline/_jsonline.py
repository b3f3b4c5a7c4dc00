"""One line of JSON Lines input, parsed strictly: the reasons a line is refused are the user's to read.

Python's `json` accepts what JSON forbids (``NaN``, ``Infinity``, repeated keys, the last one winning) and
fails with a traceback on what is merely hostile (nesting thousands deep: `RecursionError`; a 5,000-digit
number: `ValueError` from the int conversion limit). Here each is a `ValidationError` naming the problem.
"""

from __future__ import annotations

import json
from typing import Any

from timeline.errors import ValidationError

#: Events are shallow (an event, its sources, a source): deeper JSON is a mistake or an attack.
MAX_DEPTH = 20
#: No count, version or amount needs more digits; Python refuses to convert more than 4,300 anyway.
MAX_NUMBER_DIGITS = 40

_BOM = "\ufeff"


class _Refused(Exception):
    """Raised from inside the decoder's hooks; turned into a ValidationError with the JSON's position."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(f"duplicate key {json.dumps(key, ensure_ascii=False)} in one object")
            seen.add(key)
    return result


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number (JSON has no NaN or Infinity)")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _Refused(f"a number with more than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _bounded_float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS + 10:
        raise _Refused(f"a number with more than {MAX_NUMBER_DIGITS} digits")
    return float(text)


_decoder = json.JSONDecoder(
    object_pairs_hook=_unique_keys,
    parse_constant=_no_constant,
    parse_int=_bounded_int,
    parse_float=_bounded_float,
)


def _depth(text: str) -> int:
    """The deepest nesting of arrays and objects in `text`, brackets inside strings not counted."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def decode_line(raw: bytes | str, *, first: bool = False) -> str:
    """The text of one input line; a ValidationError naming the byte if it is not UTF-8.

    The first line of a file may start with a UTF-8 byte order mark (editors on Windows write one): it is
    dropped.
    """
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at column {exc.start + 1} ({exc.reason})"
            ) from None
    else:
        text = raw
    return text[1:] if first and text.startswith(_BOM) else text


def parse_line(text: str) -> Any:
    """The JSON value of one line, refusing what JSON forbids and what no event needs."""
    # Cheap first: most lines hold a handful of brackets, and only then is the exact depth worth counting.
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth(text) > MAX_DEPTH:
        raise ValidationError(f"invalid JSON: nested more than {MAX_DEPTH} levels deep")
    try:
        return _decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except _Refused as exc:
        raise ValidationError(f"invalid JSON: {exc}") from None
    except (RecursionError, ValueError) as exc:  # a backstop: the checks above should catch these first
        raise ValidationError(f"invalid JSON: {exc}") from None

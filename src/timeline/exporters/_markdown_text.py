"""User text made inert in CommonMark + GFM tables: it renders as itself and creates no markup.

Every character that could start emphasis, code, a link, an entity, raw HTML, strikethrough, math or a table
cell boundary is backslash-escaped (CommonMark lets any ASCII punctuation be escaped); ``|`` is escaped even
where a code span could have hidden it, since GFM splits cells before it looks for code. Line breaks become
``<br>``.

GFM's autolinks are broken up too, invisibly: ``://`` and ``www.`` by an escaped ``:`` or ``.`` (cmark-gfm
matches them in the source text), and an e-mail address's ``@`` and a ``:name:`` (which GitHub's emoji filter
finds in the rendered text) by an empty ``<wbr>`` element that splits the text node. ``<br>`` and ``<wbr>``
are the only HTML we write ourselves.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_SPECIAL = "\\`*_[]<>|~&$#!"
_TABLE = {ord(c): "\\" + c for c in _SPECIAL} | {ord("\n"): "<br>"}
_NEEDS_ESCAPING = re.compile(r"[\\`*_\[\]<>|~&$#!\r\n]|[:@]|www\.", re.IGNORECASE)
# What GFM would autolink, matched after the backslash escapes above (so "_" is "\_" here).
_AUTOLINK = re.compile(r"(?<=www)\.|:(?=//)|@(?=\\?[\w-])|:(?=(?:[a-z0-9+-]|\\_)+:)", re.IGNORECASE)
# In a link destination only these are left as they are; the rest is percent-encoded, so a URL can close
# neither the link nor the table cell.
_URL_SAFE = ":/?#@!$&'*+,;=%~-._[]"
# A URL made only of what `quote` leaves as it is (ASCII letters and digits, "_.-~", and _URL_SAFE): the usual
# case, which then skips quote's per-character work.
_URL_PLAIN = re.compile(r"[A-Za-z0-9_.\-~:/?#@!$&'*+,;=%\[\]]*")


def escape(text: str) -> str:
    """`text` as inline Markdown that shows exactly `text` (line breaks as ``<br>``)."""
    if _NEEDS_ESCAPING.search(text) is None:
        return text
    if "\r" in text:  # every line break as "\n", which the table turns into "<br>"
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_TABLE)
    return _AUTOLINK.sub(_break_autolink, text) if ":" in text or "@" in text or "." in text else text


def _break_autolink(match: re.Match[str]) -> str:
    found = match.group()
    if found == ".":
        return "\\."
    if found == "@":
        return "@<wbr>"
    return "\\:" if match.string.startswith("//", match.end()) else ":<wbr>"


def escape_line(text: str) -> str:
    """Like `escape`, for a heading: line breaks become spaces (a heading is one line)."""
    return escape(text.replace("\r\n", " ").replace("\r", " ").replace("\n", " "))


def link(text: str, url: str | None) -> str:
    """``[text](url)`` for an http(s) URL; otherwise the escaped text (and the URL, as plain text)."""
    label = escape(text)
    if url is None:
        return label
    if url.lower().startswith(("https://", "http://")):
        written = url if _URL_PLAIN.fullmatch(url) else quote(url, safe=_URL_SAFE)
        return f"[{label}]({written})"
    return f"{label} ({escape(url)})" if text != url else label

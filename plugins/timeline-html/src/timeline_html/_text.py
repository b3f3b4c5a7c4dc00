"""User text made inert in HTML: escaped so it shows as written, and isolated from the text around it.

Every piece of text that comes from events goes through `escape` (text content and attribute values alike:
``& < > " '`` become character references, so it can neither open an element nor leave an attribute).
`isolated` also wraps it in ``<bdi>``: a right-to-left override or a lone RTL name inside cannot reorder the
words around it.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["escape", "isolated", "json_attribute"]


def escape(text: str) -> str:
    """`text` as HTML text or as a quoted attribute value that means exactly `text`."""
    return html.escape(text, quote=True)


def isolated(text: str) -> str:
    """`text` escaped inside ``<bdi>``, so its direction does not leak into the surrounding sentence."""
    return f"<bdi>{html.escape(text, quote=True)}</bdi>"


def json_attribute(values: Iterable[str]) -> str:
    """The values as a JSON array, escaped for a quoted attribute (the filter script reads it back)."""
    return html.escape(json.dumps(list(values), ensure_ascii=False), quote=True)

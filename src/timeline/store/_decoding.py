"""Decoding a stored row when the fast path refused it: the validating codec, and a StoreError naming the
row when even that fails (a damaged store, or one written by a newer timeline)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from timeline.codec import decode
from timeline.errors import StoreError, ValidationError

if TYPE_CHECKING:
    from timeline.events import Event

__all__ = ["decode_stored"]


def decode_stored(where: str, position: int, type_tag: str, schema_version: int, data: str) -> Event:
    """The event stored at `position` of the store `where`, decoded through the validating codec."""
    try:
        return decode(type_tag, schema_version, json.loads(data))
    except (ValidationError, ValueError, TypeError) as exc:
        raise StoreError(
            f"{where}: the event stored at position {position} cannot be read ({exc});"
            " the store is damaged or was written by a newer timeline"
        ) from exc

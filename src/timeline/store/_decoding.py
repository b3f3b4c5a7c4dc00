"""Decoding stored rows: the parser and builder for each type (`row_reader`), and, when the fast path
refused a row, the validating codec, with a StoreError naming the row when even that fails (a damaged store,
or one written by a newer timeline)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import orjson

from timeline import _fastcodec
from timeline.codec import decode, decoder_for, event_class
from timeline.errors import StoreError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Callable

    from timeline.events import Event

__all__ = ["decode_stored", "row_reader"]


def row_reader(type_tag: str, schema_version: int) -> tuple[Callable[[str], Any], Callable[[Any], Event]]:
    """(parse, build) for the stored JSON text of one type and schema version: `decoder_for`'s function, and
    `orjson.loads` (2.6x `json.loads` on events) where that is the fast decoder, which refuses the float
    orjson makes of a whole number past 64 bits (the row then goes to `decode_stored`). Everything else keeps
    `json.loads` and its exact numbers: free-form values (a correction's changes), the data of a type no
    plugin provides, rows of an older schema version for the upcasters."""
    build = decoder_for(type_tag, schema_version)
    try:
        cls = event_class(type_tag)
    except ValidationError:
        return json.loads, build
    fast = _fastcodec.decoder(cls) if schema_version == cls.SCHEMA_VERSION else None
    if fast is None or _fastcodec.holds_free_form(cls):
        return json.loads, build
    return orjson.loads, build


def decode_stored(where: str, position: int, type_tag: str, schema_version: int, data: str) -> Event:
    """The event stored at `position` of the store `where`, decoded through the validating codec."""
    try:
        return decode(type_tag, schema_version, json.loads(data))
    except (ValidationError, ValueError, TypeError) as exc:
        raise StoreError(
            f"{where}: the event stored at position {position} cannot be read ({exc});"
            " the store is damaged or was written by a newer timeline"
        ) from exc

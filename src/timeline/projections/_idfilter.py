"""The ids a restored Timeline's snapshot blocks may hold, as sorted CRC-32s: "surely not" without a map.

A catch-up asks of each new record whether its id is already an entry. Answering that from a dict of
every id in the snapshot's blocks costs a dict of every id (hashed, inserted) on each restore; this filter
answers "surely not" from the CRC-32 of the id and a bisection of two sorted arrays, and "maybe" for an id
whose CRC-32 is there (then `EntriesById` builds its map after all: a correction, or one id in about
4,000 at 1,000,000 entries). The arrays may hold more than the blocks do (an id moved to another block is
still there), never less. `base` is the large array, kept as it is (its image and origin too, so a store
keeping parts apart does not write it again); `recent` the CRC-32s added since, merged into `base` once
they are an eighth of it.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from bisect import bisect_left
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["IdFilter", "id_crc"]

_LITTLE = sys.byteorder == "little"
_RECENT_MINIMUM = 4096  # CRC-32s kept apart before a merge into the base, however small it is


def id_crc(event_id: str) -> int:
    """The CRC-32 of an id's UTF-8 bytes (lone surrogates as they are)."""
    return zlib.crc32(event_id.encode("utf-8", "surrogatepass"))


def _array(image: bytes | memoryview) -> array[int]:
    found = array("I")
    found.frombytes(image)
    if not _LITTLE:
        found.byteswap()
    return found


def _image(values: array[int]) -> bytes:
    if _LITTLE:
        return values.tobytes()
    copy = array("I", values)
    copy.byteswap()
    return copy.tobytes()


class IdFilter:
    """Sorted CRC-32s of every id in some snapshot blocks (perhaps of a few more)."""

    __slots__ = ("base", "base_image", "base_origin", "recent")

    def __init__(
        self, base: array[int], recent: array[int], base_image: bytes | memoryview, base_origin: Any
    ) -> None:
        self.base = base
        self.recent = recent
        self.base_image = base_image
        self.base_origin = base_origin

    @classmethod
    def of_images(cls, base: bytes | memoryview, base_origin: Any, recent: bytes | memoryview) -> IdFilter:
        """The filter of the little-endian images of its two arrays (a ValueError if not whole)."""
        if len(base) % 4 or len(recent) % 4:
            raise ValueError("an id filter's image is not of 4-byte values")
        return cls(_array(base), _array(recent), base, base_origin)

    @classmethod
    def empty(cls) -> IdFilter:
        """A filter of no id."""
        return cls(array("I"), array("I"), b"", None)

    def may_hold(self, event_id: str) -> bool:
        """False if no block holds `event_id`; True if one may."""
        crc = id_crc(event_id)
        for values in (self.recent, self.base):
            at = bisect_left(values, crc)
            if at < len(values) and values[at] == crc:
                return True
        return False

    def adding(self, ids: Iterable[str]) -> IdFilter:
        """This filter and `ids` (a new one; this one is unchanged)."""
        crcs = [id_crc(event_id) for event_id in ids]
        if not crcs:
            return self
        recent = sorted([*self.recent, *crcs])
        if len(recent) <= max(_RECENT_MINIMUM, len(self.base) // 8):
            return IdFilter(self.base, array("I", recent), self.base_image, self.base_origin)
        base = array("I", sorted({*self.base, *recent}))
        return IdFilter(base, array("I"), _image(base), None)

    def images(self) -> tuple[bytes | memoryview, Any, bytes]:
        """(the base's image, its origin, the recent CRC-32s' image)."""
        return self.base_image, self.base_origin, _image(self.recent)

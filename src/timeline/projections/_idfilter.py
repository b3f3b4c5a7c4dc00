"""The ids a restored Timeline's snapshot blocks may hold, as CRC-32s: "surely not" without a map of ids.

A catch-up asks of each new record whether its id is already an entry. Answering that from a dict of
every id in the snapshot's blocks costs that dict (every id hashed and inserted: the most of a restore);
this filter answers "surely not" from the CRC-32 of the id and a set of ints, and "maybe" for an id whose
CRC-32 is there (then `EntriesById` builds its map after all: a correction, or one new id in about 4,000
at 1,000,000 entries). It may hold more than the blocks do (an id moved to another block is still there),
never less. Its image is an array of 4-byte little-endian values in no order (sorting them, or dropping
repeated ones, would cost a full save more than the set costs a restore), in two parts: `base`, kept as
it is (its image and origin too, so a store keeping parts apart does not write it again), and `recent`,
the CRC-32s added since, appended to `base` once they are an eighth of it. The sets are made when first
asked, unless the ids to be asked were told first (`expect`: a catch-up's new ids): then the CRC-32s
held are looked up among those ids' only, the images read once without a set of them (at 100,000 ids
the sets cost 10-14 ms, that look-up 5); an id not told (a correction's target) is looked up alone, by a
search of the images' bytes (0.3 ms at 100,000), until so many were that the sets cost less.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["IdFilter", "crcs_of", "id_crc"]

_LITTLE = sys.byteorder == "little"
_RECENT_MINIMUM = 4096  # CRC-32s kept apart before a merge into the base, however small it is
_SINGLE_LOOK_UPS = 32  # ids looked up alone, by a search of the images, before the sets are made


def id_crc(event_id: str) -> int:
    """The CRC-32 of an id's UTF-8 bytes (lone surrogates as they are)."""
    return zlib.crc32(event_id.encode("utf-8", "surrogatepass"))


def crcs_of(ids: Iterable[str]) -> list[int]:
    """The `id_crc` of each of `ids`, in order (in C-level loops when every id encodes plainly)."""
    ids = ids if isinstance(ids, list) else list(ids)
    try:
        return list(map(zlib.crc32, map(str.encode, ids)))
    except UnicodeEncodeError:  # a lone surrogate
        return list(map(id_crc, ids))


def _array(image: bytes | memoryview) -> array[int]:
    found = array("I")
    found.frombytes(image)
    if not _LITTLE:
        found.byteswap()
    return found


def _image(values: Iterable[int]) -> bytes:
    found = array("I", values)
    if not _LITTLE:
        found.byteswap()
    return found.tobytes()


class IdFilter:
    """CRC-32s of every id in some snapshot blocks (perhaps of a few more)."""

    __slots__ = (
        "_asked",
        "_base",
        "_flat",
        "_held",
        "_recent",
        "_singles",
        "base_image",
        "base_origin",
        "recent_image",
    )

    def __init__(self, base_image: bytes | memoryview, base_origin: Any, recent_image: bytes) -> None:
        if len(base_image) % 4 or len(recent_image) % 4:
            raise ValueError("an id filter's image is not of 4-byte values")
        self.base_image = base_image
        self.base_origin = base_origin
        self.recent_image = recent_image
        self._base: frozenset[int] | None = None
        self._recent: frozenset[int] | None = None
        self._asked: set[int] = set()  # CRC-32s `expect` looked up (without the sets)
        self._held: set[int] = set()  # those of them it holds
        self._flat: bytes | None = None  # both images as one bytes object, for single look-ups
        self._singles = 0

    @classmethod
    def empty(cls) -> IdFilter:
        """A filter of no id."""
        return cls(b"", None, b"")

    def _sets(self) -> tuple[frozenset[int], frozenset[int]]:
        if self._base is None or self._recent is None:
            self._base = frozenset(_array(self.base_image))
            self._recent = frozenset(_array(self.recent_image))
        return self._base, self._recent

    def expect(self, ids: Iterable[str]) -> None:
        """Look up the CRC-32s of `ids` now, all at once: `may_hold` is about to be asked of them."""
        if self._base is not None:
            return
        asked = set(crcs_of(ids)) - self._asked
        if (len(self._asked) + len(asked)) * 8 > len(self):  # that many: the sets cost less
            self._sets()
            return
        held = asked.intersection(_array(self.base_image))
        held.update(asked.intersection(_array(self.recent_image)))
        self._asked |= asked
        self._held |= held

    def may_hold(self, event_id: str) -> bool:
        """False if no block holds `event_id`; True if one may."""
        crc = id_crc(event_id)
        if self._base is None:
            if crc in self._asked:
                return crc in self._held
            if self._singles < _SINGLE_LOOK_UPS:
                self._singles += 1
                return self._found(crc)
        base, recent = self._sets()
        return crc in recent or crc in base

    def _found(self, crc: int) -> bool:
        """Whether `crc` is in the images, searched for in their bytes (at a 4-byte boundary)."""
        flat = self._flat
        if flat is None:
            flat = self._flat = bytes(self.base_image) + self.recent_image
        needle = _image((crc,))
        at = flat.find(needle)
        while at >= 0 and at % 4:
            at = flat.find(needle, at + 1)
        return at >= 0

    def __len__(self) -> int:
        """How many CRC-32s it holds (an id moved to another block more than once)."""
        return (len(self.base_image) + len(self.recent_image)) // 4

    def adding(self, ids: Iterable[str]) -> IdFilter:
        """This filter and `ids` (a new one; this one is unchanged)."""
        recent = _image(crcs_of(ids))
        if not recent:
            return self
        recent = self.recent_image + recent
        if len(recent) <= max(4 * _RECENT_MINIMUM, len(self.base_image) // 8):
            return IdFilter(self.base_image, self.base_origin, recent)
        return IdFilter(bytes(self.base_image) + recent, None, b"")

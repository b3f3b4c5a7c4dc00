"""The cache files' layout: an index naming each entry's state and piece, and checksummed data blocks.

An index holds, for the entries of the last export in their order, their keys in bulk (`EntryKeys`: one
machine word each and their ids joined in one string, so comparing a whole export's keys is a handful
of memcmp calls, not a Python loop), where each piece lies in the data file (start, end), its tag, and the
slots where a run of bytes breaks (a tag change, or a piece not next to the one before in the data file).
The data file is checked by CRC-32 per block of `BLOCK` bytes, and only the blocks an export reads are.
The index is one marshal payload (strings, ints and bytes only: C speed both ways) behind a CRC-32.
"""

from __future__ import annotations

import marshal
import struct
import zlib
from array import array
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from collections.abc import Sequence

    from timeline.projections import Entry

__all__ = ["BLOCK", "FILE_FORMAT", "HEAD", "EntryKeys", "Index", "block_crcs", "decode", "encode"]

FILE_FORMAT = 2
"""The version of the cache files' layout; files of another version are ignored."""

MAGIC = b"TLRCACHE"
HEAD = struct.Struct("<8sIIQ")  # magic, format, CRC-32 of the payload, payload length
BLOCK = 1 << 18
"""Bytes of the data file per CRC-32."""

SEPARATOR = "\x1f"  # between ids; an id holding it makes the joined ids ambiguous (then never trusted)
WIDTH = 1  # machine words per entry in `EntryKeys.stamps`
_STAMPED = attrgetter("position", "last_changed")
_ID = attrgetter("id")


@attrs.frozen(kw_only=True)
class EntryKeys:
    """The states of a sequence of entries, in bulk.

    `stamps`: for each entry, the hash of (its global position, the instant of its last change), as
    int64s (an int's and an aware datetime's hash do not depend on the hash seed); `ids`: the ids joined
    by a separator. Within one set of Timeline settings (part of a cache file's scope), an entry's id,
    position and the instant of its last change name its state: every correction and retraction is a
    change with its own instant, the log only grows, and a batch is folded whole; the instant also tells
    another store's entry of the same id apart (a store rebuilt from edited input).
    """

    count: int
    stamps: bytes
    ids: str

    @classmethod
    def of(cls, entries: Sequence[Entry]) -> EntryKeys:
        """The keys of `entries`: two passes over them, each at C speed (a pass over 100,000 entries
        costs about 1% of their JSON export on a loaded machine, so there are no more)."""
        return cls(
            count=len(entries),
            stamps=array("q", map(hash, map(_STAMPED, entries))).tobytes(),
            ids=SEPARATOR.join(map(_ID, entries)),
        )

    def id_list(self) -> list[str] | None:
        """The ids one by one; None when an id holds the separator (the joined string is ambiguous)."""
        if not self.count:
            return []
        ids = self.ids.split(SEPARATOR)
        return ids if len(ids) == self.count else None

    def unambiguous(self) -> bool:
        """Whether the joined ids split back into exactly `count` ids."""
        return self.ids.count(SEPARATOR) == max(self.count - 1, 0)


@attrs.frozen(kw_only=True)
class Index:
    """What an index file says (see the module docstring); arrays as bytes of int64 (CRCs: uint32)."""

    scope: str
    data_name: str
    covered: int  # the data file's bytes the index names: 0..covered
    crcs: bytes  # CRC-32 of each BLOCK of 0..covered
    keys: EntryKeys
    starts: bytes
    ends: bytes
    tags: bytes
    breaks: bytes  # sorted slots where a run breaks (0 first when there are entries)


def block_crcs(data: bytes | memoryview, start: int, crcs: array[int]) -> None:
    """Extend `crcs` (those of a data file's first `start` bytes) with the blocks of `data` appended at
    `start`: the last partial block's CRC is continued, then new blocks follow."""
    done = 0
    if start % BLOCK:
        take = min(BLOCK - start % BLOCK, len(data))
        crcs[-1] = zlib.crc32(data[:take], crcs[-1])
        done = take
    while done < len(data):
        crcs.append(zlib.crc32(data[done : done + BLOCK]))
        done += BLOCK


def encode(index: Index) -> bytes:
    """The index file's bytes."""
    keys = index.keys
    payload = marshal.dumps(
        (
            index.scope,
            index.data_name,
            index.covered,
            index.crcs,
            keys.count,
            keys.stamps,
            keys.ids,
            index.starts,
            index.ends,
            index.tags,
            index.breaks,
        ),
        4,
    )
    return HEAD.pack(MAGIC, FILE_FORMAT, zlib.crc32(payload), len(payload)) + payload


def decode(raw: bytes) -> Index | None:
    """The index in `raw` if it is whole, of this format and consistent; else None."""
    if len(raw) < HEAD.size:
        return None
    magic, version, crc, length = HEAD.unpack_from(raw)
    payload = memoryview(raw)[HEAD.size :]
    if magic != MAGIC or version != FILE_FORMAT or length != len(payload) or zlib.crc32(payload) != crc:
        return None
    loaded: Any = marshal.loads(payload)  # checksummed: what a writer of this format wrote
    if not isinstance(loaded, tuple) or len(loaded) != 11:
        return None
    scope, data_name, covered, crcs, count, stamps, ids, starts, ends, tags, breaks = loaded
    if not all(isinstance(value, str) for value in (scope, data_name, ids)):
        return None
    if not all(isinstance(value, bytes) for value in (crcs, stamps, starts, ends, tags, breaks)):
        return None
    if not (isinstance(count, int) and isinstance(covered, int)) or "/" in data_name or "\0" in data_name:
        return None
    sizes = (len(stamps), len(starts), len(ends), len(tags))
    if sizes != (8 * WIDTH * count, 8 * count, 8 * count, 8 * count):
        return None
    if len(crcs) != 4 * -(-covered // BLOCK) or len(breaks) % 8 or (count and not breaks):
        return None
    keys = EntryKeys(count=count, stamps=stamps, ids=ids)
    return Index(
        scope=scope,
        data_name=data_name,
        covered=covered,
        crcs=crcs,
        keys=keys,
        starts=starts,
        ends=ends,
        tags=tags,
        breaks=breaks,
    )

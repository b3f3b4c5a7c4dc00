"""The cache files' layout: an index naming each entry's state and piece, and checksummed data blocks.

An index holds, for the entries of the last export in their order, their keys in bulk (`EntryKeys`: one
machine word each, so comparing a whole export's keys is a handful of memcmp calls, not a Python loop),
where each piece lies in the data file (start, end), its tag, the slots where a run of bytes breaks (a tag
change, or a piece not next to the one before in the data file), and its `Head`: the last record of the
log that any of its pieces depends on, which a Timeline must hold for the pieces to be its entries'.
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

__all__ = ["BLOCK", "FILE_FORMAT", "HEAD", "EntryKeys", "Head", "Index", "block_crcs", "decode", "encode"]

FILE_FORMAT = 3
"""The version of the cache files' layout; files of another version are ignored (3: keys without the
instants and ids, and the `Head`)."""

MAGIC = b"TLRCACHE"
HEAD = struct.Struct("<8sIIQ")  # magic, format, CRC-32 of the payload, payload length
BLOCK = 1 << 18
"""Bytes of the data file per CRC-32."""

WIDTH = 1  # machine words per entry in `EntryKeys.stamps`
_STATE = attrgetter("position", "revision", "retracted")

Head = tuple[str, int, str, str]
"""A record of the log, as a Timeline can find it: (the id of the entry it made or changed, its position, its
event id, when it was recorded as ISO 8601 text); see `timeline.projections.Timeline.holds_record`."""


@attrs.frozen(kw_only=True)
class EntryKeys:
    """The states of a sequence of entries, in bulk: `stamps` holds, for each entry, the hash of (its global
    position, its revision, whether it is retracted) as an int64 (the hash of a tuple of ints does not
    depend on the hash seed; the Python version is part of a cache file's scope).

    Within one log and one set of Timeline settings (part of the scope), those name an entry's state: the
    position names the occurrence, the log only grows, the corrections are applied in the order they were
    recorded (so the first ``revision - 1`` of them are the same ones whatever was recorded later), and a
    retracted entry changes no more. Which log it is, is the index's `Head`, checked once per export
    instead of an instant per entry (hashing 100,000 aware datetimes cost more than the rest of the keys).
    A differing state whose stamp collides (one chance in 2**64 per comparison) is the one risk left.
    """

    count: int
    stamps: bytes

    @classmethod
    def of(cls, entries: Sequence[Entry]) -> EntryKeys:
        """The keys of `entries`: one pass over them at C speed, reading no object but the entry and its
        position (each other one is a cache miss per entry: the pass is bound by memory, not by hashing)."""
        return cls(count=len(entries), stamps=array("q", map(hash, map(_STATE, entries))).tobytes())


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
    head: Head | None  # None: no pieces depend on any record


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
            index.starts,
            index.ends,
            index.tags,
            index.breaks,
            index.head,
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
    scope, data_name, covered, crcs, count, stamps, starts, ends, tags, breaks, head = loaded
    if not all(isinstance(value, str) for value in (scope, data_name)) or not _is_head(head):
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
    keys = EntryKeys(count=count, stamps=stamps)
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
        head=head,
    )


def _is_head(value: object) -> bool:
    if value is None:
        return True
    if not isinstance(value, tuple) or len(value) != 4:
        return False
    entry_id, position, event_id, recorded_at = value
    return isinstance(position, int) and all(
        isinstance(text, str) for text in (entry_id, event_id, recorded_at)
    )

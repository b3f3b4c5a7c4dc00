"""A Timeline's snapshot: the bytes of a checkpoint's payload (format 5), in blocks decoded when first needed.

Layout: a header (``MAGIC``, the format, the CRC-32 and length of the index image), the index image, the
two images of the id filter (`_idfilter.IdFilter`: the CRC-32s of every id, so that a restore needs
no map of them), then per block the image of its entries' ids and the image of its rows. The
index is a `marshal` image of tuples, strings and ints only (no classes, so nothing is executed or
constructed but those): the Timeline's header tuple, the size and CRC-32 of each filter image, and per
block its number of entries, the size and CRC-32 of each of its two images, the `when` text and
position of its last entry (the sorted chunks' last keys, known without decoding the block), the newest
position of a record that made or changed one of its entries (what changed since a position is found in
the blocks newer than it only), how many of its entries have each event type (a check for types no
plugin provides reads no block: format 4 had neither) and the ids of those whose date is not surely in
years 1 to 9999 (what an iCalendar export checks for each entry, usually none). The ids
have an image of their own so that a save after a small catch-up writes the ids of the blocks changed
only, not those of every entry (format 3 kept them all in the index). The blocks of the entries shown
come chunk by chunk: a sorted chunk is one block, or a few (sorted runs each: a chunk not loaded since
the last restore, its old block and the entries added to it since, merged when it is loaded); retracted
entries the Timeline does not show have blocks of their own. A block's image is the `marshal` image of
its rows (`_snaprows`).

`load` checks every checksum, of the index, the filter and each block, before it returns (a damaged or
truncated snapshot is a ValidationError at once, never a late failure) and decodes no block:
`Block.entries()` does, the first time something needs that block. `dump` copies a block it holds as it
is (its bytes and its CRC), so a checkpoint after a small catch-up encodes only what changed: the chunks
loaded since, and the entries added to the others. The payload is `Segments`: the header and index, the
filter's two images, then two parts per block (its ids, its rows), not joined; a block loaded from parts
keeps them (views of a mapped file, say) and their origins, so a store keeping parts apart
(`FileCheckpointStore`) writes again only the new blocks (and the filter's recent CRC-32s).
"""

from __future__ import annotations

import marshal
import struct
import zlib
from collections import Counter
from typing import TYPE_CHECKING, Any

from timeline._speed import paused_gc
from timeline.checkpoints import Segments
from timeline.errors import ValidationError
from timeline.projections._idfilter import IdFilter
from timeline.projections._snaprows import entries_of, rows_of
from timeline.projections.entry import last_position
from timeline.when import surely_in_python_range

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from timeline.projections.entry import Entry

__all__ = ["FORMAT", "Block", "dump", "id_bytes", "load"]

#: The payload format this module writes and reads (5: each block's newest record and event types in the
#: index; 4 had neither; 3 kept every id in the index; 2 was one image, decoded whole).
FORMAT = 5
MAGIC = b"TLSNAP\x00"
_HEADER = struct.Struct(">7sHIQ")  # magic, format, CRC-32 of the index image, its length
# Version 2: without the back-references of later versions, whose bookkeeping costs more (a third of the
# save here) than the repeated strings they would share.
_MARSHAL_VERSION = 2
_FILTER_SLACK = 1 << 16  # CRC-32s an id filter may hold beyond twice the ids before it is made anew
_DAMAGE = (EOFError, ValueError, TypeError, KeyError, IndexError, AttributeError)


def id_bytes(event_id: str) -> bytes:
    """How `event_id` is written in a block's ids image, after the byte of its type (its length, then its
    UTF-8 bytes): what a search of the image for it looks for (`_idsearch`)."""
    return marshal.dumps(event_id, _MARSHAL_VERSION)[1:]


class Block:
    """The entries of one block of a snapshot, kept as their bytes until `entries()` is first called."""

    __slots__ = (
        "_entries",
        "_ids",
        "count",
        "crc",
        "ids_crc",
        "ids_image",
        "ids_origin",
        "image",
        "last_position",
        "last_when",
        "newest",
        "origin",
        "types",
        "unusual",
    )

    def __init__(
        self,
        image: bytes | memoryview,
        crc: int,
        ids: tuple[str, ...] | None,
        last_when: str,
        last_position: int,
        *,
        count: int,
        ids_image: bytes | memoryview,
        ids_crc: int,
        newest: int,
        types: tuple[tuple[str, int], ...],
        unusual: tuple[str, ...],
        origin: Any = None,
        ids_origin: Any = None,
    ) -> None:
        self.image = image
        self.crc = crc
        self._ids = ids  # None: decoded from `ids_image` when first asked
        self.count = count
        """How many entries it holds."""
        self.ids_image = ids_image
        self.ids_crc = ids_crc
        self.last_when = last_when
        """The effective `when` text of its last entry ("" in a block of entries not shown)."""
        self.last_position = last_position
        """The position of its last entry."""
        self.newest = newest
        """The position of the newest record that made or changed one of its entries."""
        self.types = types
        """(type tag, how many of its entries' effective events have it), by tag."""
        self.unusual = unusual
        """The ids of its entries whose `when` text is not surely in years 1 to 9999
        (`timeline.when.surely_in_python_range`), in order: usually none."""
        self.origin = origin
        """Where the store it was read from keeps its image (see `Segments`), or None."""
        self.ids_origin = ids_origin
        self._entries: tuple[Entry, ...] | None = None

    @classmethod
    def of(cls, entries: Sequence[Entry], micros: dict[datetime, int]) -> Block:
        """The block of `entries` (not empty), encoded now."""
        rows = rows_of(entries, micros)
        image = marshal.dumps(rows, _MARSHAL_VERSION)
        last = entries[-1]
        ids = tuple([entry.id for entry in entries])
        ids_image = marshal.dumps(ids, _MARSHAL_VERSION)
        effective = [row[5] or row[4] for row in rows]  # (type tag, version, JSON, when text)
        texts = [stored[3] for stored in effective]
        odd = {text for text in set(texts) if not surely_in_python_range(text)}
        return cls(
            image,
            zlib.crc32(image),
            ids,
            texts[-1],
            last.position,
            count=len(ids),
            ids_image=ids_image,
            ids_crc=zlib.crc32(ids_image),
            newest=max(map(last_position, entries)),
            types=tuple(sorted(Counter([stored[0] for stored in effective]).items())),
            unusual=tuple(i for i, text in zip(ids, texts, strict=True) if text in odd) if odd else (),
        )

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids of its entries, in their order (decoded on the first call: a restore needs none)."""
        ids = self._ids
        if ids is None:
            try:
                ids = marshal.loads(self.ids_image)
            except _DAMAGE as exc:
                raise ValidationError(f"a snapshot block's ids are damaged ({exc})", path="payload") from None
            if type(ids) is not tuple or len(ids) != self.count:
                raise ValidationError("a snapshot block's ids do not match its entries", path="payload")
            self._ids = ids
        return ids

    def __len__(self) -> int:
        return self.count

    @property
    def decoded(self) -> bool:
        """Whether `entries()` was called."""
        return self._entries is not None

    def entries(self) -> tuple[Entry, ...]:
        """Its entries, decoded on the first call (the same objects on every call)."""
        found = self._entries
        if found is None:
            try:
                with paused_gc():
                    made = entries_of(marshal.loads(self.image), self.ids)
            except _DAMAGE as exc:
                raise ValidationError(
                    f"a snapshot block is damaged ({type(exc).__name__}: {exc})", path="payload"
                ) from None
            found = self._entries = tuple(made)
        return found

    def load(self) -> list[Entry]:
        """Its entries as a new list (what a sorted chunk holds once loaded)."""
        return list(self.entries())


def dump(
    header: tuple[Any, ...],
    shown: Iterable[tuple[Sequence[Any], Sequence[Entry]]],
    hidden: Sequence[Entry],
    hidden_blocks: Iterable[Block] = (),
    *,
    block_size: int,
    known: IdFilter | None = None,
) -> Segments:
    """The payload of `header` (a tuple of marshal-able values), the entries shown, chunk by chunk (blocks
    copied as they are, and entries encoded in one more block), and those kept but not shown: `hidden`
    (encoded in blocks of `block_size`) and `hidden_blocks` (copied); `known`, the filter of the ids of
    the blocks copied (at least), has those of the new blocks added (None: of no block copied)."""
    micros: dict[datetime, int] = {}
    made: list[Block] = []
    with paused_gc():
        chunks: list[list[Block]] = []
        for blocks, entries in shown:
            if any(type(block) is not Block for block in blocks):
                raise TypeError("a chunk not made yet is not a snapshot block")
            if entries:
                made.append(Block.of(entries, micros))
            chunk = [*blocks, made[-1]] if entries else [*blocks]
            if chunk:
                chunks.append(chunk)
        hidden_made = [
            Block.of(hidden[i : i + block_size], micros) for i in range(0, len(hidden), block_size)
        ]
        hidden_all = [*hidden_blocks, *hidden_made]
        made += hidden_made
        blocks = [block for chunk in chunks for block in chunk] + hidden_all
        if known is not None:
            known = known.adding([event_id for block in made for event_id in block.ids])
        if known is None or len(known) > 2 * sum(map(len, blocks)) + _FILTER_SLACK:
            # none given, or grown with the ids of moved entries: one of every block's ids
            known = IdFilter.empty().adding([event_id for block in blocks for event_id in block.ids])
        base, base_origin, recent = known.base_image, known.base_origin, known.recent_image
        index = marshal.dumps(
            (
                header,
                ((len(base), zlib.crc32(base)), (len(recent), zlib.crc32(recent))),
                tuple(tuple(map(_meta, chunk)) for chunk in chunks),
                tuple(map(_meta, hidden_all)),
            ),
            _MARSHAL_VERSION,
        )
        head = _HEADER.pack(MAGIC, FORMAT, zlib.crc32(index), len(index))
        parts: list[bytes | memoryview] = [head + index, base, recent]
        origins: list[Any] = [None, base_origin, None]
        for block in blocks:
            parts += (block.ids_image, block.image)
            origins += (block.ids_origin, block.origin)
        return Segments(parts=tuple(parts), origins=tuple(origins))


def _meta(block: Block) -> tuple[Any, ...]:
    return (
        block.count,
        len(block.ids_image),
        block.ids_crc,
        len(block.image),
        block.crc,
        block.last_when,
        block.last_position,
        block.newest,
        block.types,
        block.unusual,
    )


def load(
    payload: Segments | bytes | None,
) -> tuple[tuple[Any, ...], list[list[Block]], list[Block], IdFilter]:
    """(header, the chunks of the entries shown in order, each in one or more blocks, the blocks of those
    not shown, the filter of their ids) of a payload, every checksum checked, no block decoded; a
    ValidationError if it is not a whole payload of this format. `Segments` cut as `dump` cut them give
    their parts to the blocks as they are (other cuts are joined first)."""
    if isinstance(payload, bytes):
        payload = Segments(parts=(payload,))
    if not isinstance(payload, Segments) or len(payload) < _HEADER.size:
        raise ValidationError("the snapshot is missing or truncated", path="payload")
    parts, origins = payload.parts, payload.origins or (None,) * len(payload.parts)
    first = memoryview(parts[0])
    if len(first) < _HEADER.size:
        parts, origins = (bytes(payload),), (None,)
        first = memoryview(parts[0])
    magic, form, crc, size = _HEADER.unpack_from(first)
    if magic != MAGIC or form != FORMAT:
        raise ValidationError(f"the snapshot is not of format {FORMAT}", path="payload")
    offset = _HEADER.size + size
    index = first[_HEADER.size : offset]
    if len(index) != size or zlib.crc32(index) != crc:
        raise ValidationError("the snapshot is damaged (its checksum does not match)", path="payload")
    try:
        header, filter_meta, shown_meta, hidden_meta = marshal.loads(index)
        metas = (*shown_meta, hidden_meta)
        lengths = [filter_meta[0][0], filter_meta[1][0]]
        lengths += [length for group in metas for meta in group for length in (meta[1], meta[3])]
        if len(parts) != 1 and (len(first) != offset or list(map(len, parts[1:])) != lengths):
            return load(bytes(payload))  # cut otherwise: as one
        if len(parts) == 1:
            images: list[Any] = []
            for length in lengths:
                images.append(first[offset : offset + length])
                offset += length
            if offset != len(first):
                raise ValidationError("the snapshot is damaged (its length does not match)", path="payload")
            found = iter([(image, None) for image in images])
        else:
            found = iter(zip(parts[1:], origins[1:], strict=True))
        known = _filter(filter_meta, next(found), next(found))
        groups = [[_block(meta, next(found), next(found)) for meta in group] for group in metas]
    except _DAMAGE as exc:
        raise ValidationError(
            f"the snapshot is damaged ({type(exc).__name__}: {exc})", path="payload"
        ) from None
    if type(header) is not tuple:
        raise ValidationError("the snapshot is damaged (its header is not a tuple)", path="payload")
    if not all(groups[:-1]):
        raise ValidationError("the snapshot is damaged (a chunk without blocks)", path="payload")
    return header, groups[:-1], groups[-1], known


def _filter(meta: tuple[Any, ...], base: tuple[Any, Any], recent: tuple[Any, Any]) -> IdFilter:
    """The id filter of its (image, origin) parts, their checksums checked."""
    for (length, crc), (image, _) in zip(meta, (base, recent), strict=True):
        if len(image) != length or zlib.crc32(image) != crc:
            raise ValidationError("the snapshot is damaged (its id filter does not match)", path="payload")
    return IdFilter(base[0], base[1], bytes(recent[0]))


def _block(meta: tuple[Any, ...], ids_part: tuple[Any, Any], part: tuple[Any, Any]) -> Block:
    """The block of index entry `meta` over its (image, origin) parts, their checksums checked."""
    count, ids_length, ids_crc, length, crc, last_when, last_position, newest, types, unusual = meta
    (ids_image, ids_origin), (image, origin) = ids_part, part
    if len(ids_image) != ids_length or zlib.crc32(ids_image) != ids_crc:
        raise ValidationError("the snapshot is damaged (a block's ids do not match)", path="payload")
    if len(image) != length or zlib.crc32(image) != crc:
        raise ValidationError("the snapshot is damaged (a block's checksum does not match)", path="payload")
    if type(count) is not int or count < 1:
        raise ValidationError("the snapshot is damaged (a block without entries)", path="payload")
    if type(newest) is not int or type(types) is not tuple or sum(n for _, n in types) != count:
        raise ValidationError("the snapshot is damaged (a block's summary does not match)", path="payload")
    if type(unusual) is not tuple or len(unusual) > count:
        raise ValidationError("the snapshot is damaged (a block's summary does not match)", path="payload")
    return Block(
        image,
        crc,
        None,
        last_when,
        last_position,
        count=count,
        ids_image=ids_image,
        ids_crc=ids_crc,
        newest=newest,
        types=types,
        unusual=unusual,
        origin=origin,
        ids_origin=ids_origin,
    )

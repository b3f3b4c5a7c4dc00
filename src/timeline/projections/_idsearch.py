"""The snapshot block holding an id, found without a map of every id: a search of the blocks' ids images.

A restored Timeline's catch-up that corrects or retracts an old entry must find the block of its id.
Mapping every id to its block costs what a restore saves (at 100,000 entries: 37 ms, every block's ids
decoded and put in a dict); the ids images hold each id as `_snapshot.id_bytes` writes it, so a search
of their bytes (joined once: 1.8 MB at 100,000 entries, searched in about a millisecond) finds the
candidates, and decoding the ids of a candidate's block tells for sure. An id found in no block is in
none (an id filter's "maybe" that was a CRC-32 shared by another id). After `MAX_SEARCHES` searches the
map costs less than more searches would: `EntriesById` builds it then.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from timeline.projections._snapshot import id_bytes

if TYPE_CHECKING:
    from collections.abc import Iterable

    from timeline.projections._snapshot import Block

__all__ = ["MAX_SEARCHES", "IdSearch"]

MAX_SEARCHES = 16


class IdSearch:
    """A search for the block holding an id, among some snapshot blocks."""

    __slots__ = ("_blocks", "_joined", "_starts", "searches")

    def __init__(self, blocks: Iterable[Block]) -> None:
        self._blocks = list(blocks)
        self._joined: bytes | None = None  # every ids image, joined on the first search
        self._starts: list[int] = []  # where each block's image starts in `_joined`
        self.searches = 0
        """How many searches were made."""

    def block_of(self, event_id: str) -> Block | None:
        """The block whose ids hold `event_id`, or None if none does."""
        self.searches += 1
        joined = self._joined
        if joined is None:
            images = [block.ids_image for block in self._blocks]
            at = 0
            for image in images:
                self._starts.append(at)
                at += len(image)
            joined = self._joined = b"".join(images)
        needle = id_bytes(event_id)
        at = joined.find(needle)
        while at >= 0:
            block = self._blocks[bisect_right(self._starts, at) - 1]
            if event_id in block.ids:
                return block
            at = joined.find(needle, at + 1)
        return None

"""A restored Timeline's entries by id: a dict of the entries decoded so far, and the snapshot blocks
(`timeline.projections._snapshot.Block`) of the others, each decoded the first time one of its ids is read.

It is the one place that knows some entries are not decoded yet: membership (``id in``) and `len` count
every entry and decode nothing; reading an entry (``[id]``, `get`) decodes its block; the views (`values`,
`items`, `keys`, iteration) decode every block first. The fold reads its dict only so, and writes an id
only after reading it or for a new one; a write still drops the id from its block, so a block decoded
later never brings back an older entry. A Timeline rebuilt from its log uses a plain dict.

The map of each pending id to its block is built the first time it is needed, not on restore: given the
snapshot's `IdFilter`, an id it surely does not hold (a new occurrence's, in a catch-up) is answered and
written without the map, and `len` counts the blocks' ids; an id it may hold (a correction's target) is
searched for in the blocks' ids images (`_idsearch`: a block is decoded then, the map still not built,
up to `_idsearch.MAX_SEARCHES` searches); anything else builds it first. Without the map, no id of a
block not decoded is in the dict: writing one builds the map first.
"""

from __future__ import annotations

from itertools import chain, repeat
from typing import TYPE_CHECKING, Any

from timeline._speed import paused_gc
from timeline.projections._folding import freeze_after_bulk
from timeline.projections._idsearch import MAX_SEARCHES, IdSearch
from timeline.projections.entry import Entry

if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_keys, dict_values
    from collections.abc import Iterable, Iterator

    from timeline.projections._idfilter import IdFilter
    from timeline.projections._snapshot import Block

__all__ = ["EntriesById"]

_MISSING: Any = object()


class EntriesById(dict[str, Entry]):
    """Entries by id, those of `blocks` decoded when first read (see the module docstring)."""

    __slots__ = (
        "_absent",
        "_block_of",
        "_blocks",
        "_count",
        "_decoded",
        "_every",
        "_hidden",
        "_search",
        "known",
    )

    def __init__(
        self, blocks: Iterable[Block], hidden: Iterable[Block], known: IdFilter | None = None
    ) -> None:
        super().__init__()
        self._blocks = list(blocks)
        self._hidden = list(hidden)
        self._every = [*self._blocks, *self._hidden]  # kept: `_blocks` is emptied when the map is built
        self._count = sum(map(len, self._blocks)) + sum(map(len, self._hidden))
        self.known = known
        """The snapshot's filter of the ids its blocks hold (None: none was given)."""
        self._absent: str | None = None  # the last id found in no block (the fold writes it next)
        self._block_of: dict[str, Block] | None = None
        self._decoded: set[Block] = set()  # the blocks decoded before the map was built
        self._search: IdSearch | None = None
        if known is None:
            self._pending()

    @property
    def mapped(self) -> bool:
        """Whether the map of each pending id to its block is built (on the first look-up the filter cannot
        answer)."""
        return self._block_of is not None

    def _pending(self) -> dict[str, Block]:
        """The block of each id not decoded yet (built on the first call)."""
        block_of = self._block_of
        if block_of is None:
            block_of = self._block_of = {}
            decoded = self._decoded
            for block in chain(self._blocks, self._hidden):  # one insert per id (fromkeys then update: two)
                if block not in decoded:
                    block_of.update(zip(block.ids, repeat(block)))
            self._blocks, self._search = [], None
        return block_of

    def _block_for(self, key: str) -> Block | None:
        """The block still holding `key`, if any (without building the map when the filter says none)."""
        if self._block_of is None and type(key) is str:
            known = self.known
            if known is not None and not known.may_hold(key):
                self._absent = key
                return None
            search = self._search
            if known is not None and (search is None or search.searches < MAX_SEARCHES):
                if search is None:
                    search = self._search = IdSearch(chain(self._blocks, self._hidden))
                block = search.block_of(key)
                if block is None:
                    self._absent = key
                return None if block in self._decoded else block  # (decoded: its ids are in the dict)
        return self._pending().get(key)

    def expect(self, ids: Iterable[str]) -> None:
        """Tell the filter the ids about to be looked up (a catch-up's, new ones mostly: see
        `IdFilter.expect`)."""
        if self._block_of is None and self.known is not None:
            self.known.expect(ids)

    def _decode(self, block: Block) -> None:
        put = dict.__setitem__
        if self._block_of is None:  # no id of a block not decoded yet is in the dict
            if block in self._decoded:
                return
            for entry in block.entries():
                put(self, entry.id, entry)
            self._decoded.add(block)
            self._count -= len(block)
            return
        pending = self._block_of
        for entry in block.entries():
            if pending.pop(entry.id, None) is block:
                put(self, entry.id, entry)

    def decode_all(self) -> None:
        """Decode every block not decoded yet."""
        blocks = dict.fromkeys(self._pending().values())  # each block once, in order
        with paused_gc():  # what is made now stays alive: collections would only traverse it again
            for block in blocks:
                self._decode(block)
        freeze_after_bulk(sum(map(len, blocks)))

    def changed_after(self, position: int) -> Iterable[Entry]:
        """The entries that records after `position` may have made or changed: those decoded or written so
        far, the blocks holding a record newer than it decoded first (the others hold their entries as
        the snapshot took them, made or changed at `Block.newest` at the latest)."""
        newer = [block for block in self._every if block.newest > position]
        if newer:
            with paused_gc():
                for block in newer:
                    self._decode(block)
        return dict.values(self)

    @property
    def complete(self) -> bool:
        """Whether every entry is decoded."""
        return not self._count if self._block_of is None else not self._block_of

    def kept_hidden(self) -> tuple[list[Block], list[Entry]]:
        """The blocks of entries not shown that still hold what this dict does (`_snapshot.dump` copies
        them: a retracted entry never changes again), and the decoded entries not in those blocks."""
        if self._block_of is None and not self._decoded:  # no block decoded, no id of one written
            return list(self._hidden), list(dict.values(self))
        kept: list[Block] = []
        for block in self._hidden:
            if self._holds(block):
                kept.append(block)
            else:  # an entry of it was replaced: the others are encoded again, with the dict's
                self._decode(block)
        inside = {event_id for block in kept if block.decoded for event_id in block.ids}
        return kept, [entry for entry in dict.values(self) if entry.id not in inside]

    def _holds(self, block: Block) -> bool:
        """Whether each entry of `block` is still in it, or decoded from it and not replaced since."""
        pending = self._pending()
        if not block.decoded:
            return all(pending.get(event_id) is block for event_id in block.ids)
        return all(dict.get(self, entry.id) is entry for entry in block.entries())

    # -- reading one entry: its block decoded first ----------------------------------------------------

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        return self._block_for(key) is not None  # type: ignore[arg-type]

    def __missing__(self, key: str) -> Entry:
        block = self._block_for(key)
        if block is None:
            raise KeyError(key)
        self._decode(block)
        return dict.__getitem__(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        found = dict.get(self, key, _MISSING)
        if found is _MISSING:
            block = self._block_for(key)
            if block is None:
                return default
            self._decode(block)
            found = dict.__getitem__(self, key)
        return found

    def __len__(self) -> int:
        pending = self._block_of
        return dict.__len__(self) + (self._count if pending is None else len(pending))

    def __bool__(self) -> bool:
        return len(self) > 0

    # -- writing: the id leaves its block ------------------------------------------------------------

    def __setitem__(self, key: str, value: Entry) -> None:
        if not dict.__contains__(self, key):  # (an id in the dict is in no block's pending ids)
            pending = self._block_of
            if pending is None and key is not self._absent and self._block_for(key) is not None:
                pending = self._pending()  # an id of a block not decoded, written without reading it
            if pending:
                pending.pop(key, None)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: str) -> None:
        if self._pending().pop(key, None) is None:
            dict.__delitem__(self, key)
        else:
            dict.pop(self, key, None)

    # -- every entry: every block decoded first --------------------------------------------------------

    def values(self) -> dict_values[str, Entry]:
        self.decode_all()
        return dict.values(self)

    def items(self) -> dict_items[str, Entry]:
        self.decode_all()
        return dict.items(self)

    def keys(self) -> dict_keys[str, Entry]:
        self.decode_all()
        return dict.keys(self)

    def __iter__(self) -> Iterator[str]:
        self.decode_all()
        return dict.__iter__(self)

    def __eq__(self, other: object) -> bool:
        self.decode_all()
        return dict.__eq__(self, other)

    __hash__ = None

    def copy(self) -> dict[str, Entry]:
        self.decode_all()
        return dict(dict.items(self))

    def pop(self, *args: Any) -> Any:
        self.decode_all()
        return dict.pop(self, *args)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.decode_all()
        return dict.setdefault(self, key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.decode_all()
        dict.update(self, *args, **kwargs)

    def __repr__(self) -> str:
        pending = self._count if self._block_of is None else len(self._block_of)
        return f"EntriesById({dict.__len__(self)} decoded, {pending} in blocks)"

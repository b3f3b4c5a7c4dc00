"""A list kept sorted by a key, stored in chunks so that one insert or removal moves at most one chunk.

A plain sorted list costs O(n) per insert (the memmove): a catch-up of k records over n entries would cost
O(k * n). Chunks bound that to O(k * (log n + CHUNK)), so catching up costs what is new, not what is stored.
Keys must be distinct (the Timeline's keys end in the event's global position). Keys are computed when
needed rather than stored: that keeps the memory per item to one pointer.

A chunk may also be `Unloaded` (a restored snapshot's block, `projections._snapshot.Block`): its items
are made the first time the chunk is read or changed, and until then only its last key (given) is known.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from itertools import accumulate, chain
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, overload

from timeline._speed import paused_gc
from timeline.projections._folding import freeze_after_bulk

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

T = TypeVar("T")

#: Items per chunk after a reset; a chunk twice this size is split in two.
CHUNK = 1000
#: A chunk not made yet, in this many parts or more, is made (merged) when its parts are asked for.
MAX_PARTS = 8


class Unloaded(Protocol[T]):
    """A chunk whose items are made when first needed."""

    def __len__(self) -> int: ...

    def load(self) -> list[T]:
        """Its items, in order, as a new list."""


class SortedChunks(Generic[T]):
    """Items sorted by `key(item)` (distinct keys), in chunks of at most ``2 * chunk`` items."""

    __slots__ = ("_chunk", "_chunks", "_key", "_len", "_maxes", "_order")

    def __init__(
        self,
        key: Callable[[T], Any],
        items: Iterable[T] = (),
        *,
        chunk: int | None = None,
        order: Callable[[list[T]], list[T]] | None = None,
    ) -> None:
        self._key = key
        self._order = order  # `reset`'s sort, where the owner knows a faster one than by `key`
        self._chunk = CHUNK if chunk is None else chunk
        self._chunks: list[Any] = []  # each a list[T], an Unloaded[T] or a _Gathering[T]
        self._maxes: list[Any] = []  # the key of each chunk's last item, to find a chunk by bisection
        self._len = 0
        self.reset(items)

    def reset(self, items: Iterable[T]) -> None:
        """Replace the contents with `items` (sorted once: cheaper than inserting one by one)."""
        ordered = sorted(items, key=self._key) if self._order is None else self._order(list(items))
        size = self._chunk
        chunks = [ordered[i : i + size] for i in range(0, len(ordered), size)]
        self._maxes = [self._key(chunk[-1]) for chunk in chunks]
        self._chunks = list(chunks)
        self._len = len(ordered)

    def load(self, chunks: Iterable[Sequence[Unloaded[T]]], maxes: list[Any]) -> None:
        """Replace the contents with `chunks`, in order, each made when first needed from its parts (sorted
        runs, merged then); `maxes` are the keys of their last items."""
        self._chunks = [parts[0] if len(parts) == 1 else _Gathering(parts) for parts in chunks]
        self._maxes = maxes
        self._len = sum(map(len, self._chunks))

    @property
    def chunk_size(self) -> int:
        """Items per chunk after a reset."""
        return self._chunk

    def parts(self) -> Iterator[tuple[Sequence[Unloaded[T]], list[T]]]:
        """Each chunk as (its parts not made yet, its items made): (), its items once made; else its parts,
        and the items added to it since, sorted. One of many parts is made first (`MAX_PARTS`)."""
        for index, chunk in enumerate(self._chunks):
            if type(chunk) is list:
                yield (), chunk
            elif type(chunk) is _Gathering:
                if len(chunk.parts) >= MAX_PARTS:
                    yield (), self._loaded(index)
                else:
                    yield chunk.parts, sorted(chunk.added, key=self._key)
            else:
                yield (chunk,), []

    def pieces(self) -> Iterator[tuple[Sequence[Unloaded[T]], Sequence[T]]]:
        """Each chunk as (its parts not made yet, its items made or added since), making none."""
        for chunk in self._chunks:
            if type(chunk) is list:
                yield (), chunk
            elif type(chunk) is _Gathering:
                yield chunk.parts, chunk.added
            else:
                yield (chunk,), ()

    def index_of(self, item: T) -> int | None:
        """The index of `item` (itself, not an equal one) in the order; None if it is not there. Makes the
        one chunk it is in, no other."""
        key = self._key
        k = key(item)
        index = bisect.bisect_left(self._maxes, k)
        if index == len(self._maxes):
            return None
        chunk = self._loaded(index)
        at = bisect.bisect_left(chunk, k, key=key)
        if at == len(chunk) or chunk[at] is not item:
            return None
        return sum(map(len, self._chunks[:index])) + at

    def view(self) -> ChunksView[T]:
        """The items as a sequence that makes a chunk only when an index in it is read (valid until the
        next change)."""
        return ChunksView(self)

    def _loaded(self, index: int) -> list[T]:
        chunk = self._chunks[index]
        if type(chunk) is list:
            return chunk
        if type(chunk) is _Gathering:
            items = []
            for part in chunk.parts:
                items += part.load()
            items += chunk.added
            items.sort(key=self._key)  # sorted runs: timsort merges them
        else:
            items = chunk.load()
        self._chunks[index] = items
        return items

    def _gathered(self, index: int, new: list[T], keys: list[Any]) -> bool:
        """Add `new` (their `keys` beside) to chunk `index` without making it, if it is not made yet and
        stays small enough not to be split; whether that was done."""
        chunk = self._chunks[index]
        if type(chunk) is list or len(chunk) + len(new) > 2 * self._chunk:
            return False
        if type(chunk) is not _Gathering:
            chunk = self._chunks[index] = _Gathering((chunk,))
        chunk.added += new
        self._maxes[index] = max(self._maxes[index], *keys)
        self._len += len(new)
        return True

    def add(self, item: T) -> None:
        """Insert `item` at its place."""
        key = self._key
        k = key(item)
        if not self._chunks:
            self._chunks.append([item])
            self._maxes.append(k)
            self._len = 1
            return
        index = min(bisect.bisect_left(self._maxes, k), len(self._maxes) - 1)
        if self._gathered(index, [item], [k]):
            return
        chunk = self._loaded(index)
        chunk.insert(bisect.bisect_left(chunk, k, key=key), item)
        self._maxes[index] = key(chunk[-1])
        self._len += 1
        if len(chunk) > 2 * self._chunk:
            half = len(chunk) // 2
            self._chunks[index : index + 1] = [chunk[:half], chunk[half:]]
            self._maxes[index : index + 1] = [key(chunk[half - 1]), self._maxes[index]]

    def update(self, items: Iterable[T]) -> None:
        """Insert many items, chunk by chunk: a chunk that gets many is sorted once (timsort merges the runs).

        Cheaper than `add` one by one when many land in the same chunk, as new events usually do.
        """
        key = self._key
        if not self._chunks:
            self.reset(items)
            return
        maxes, last = self._maxes, len(self._maxes) - 1
        groups: dict[int, tuple[list[T], list[Any]]] = {}
        for item in items:
            k = key(item)
            group = groups.get(index := min(bisect.bisect_left(maxes, k), last))
            if group is None:
                group = groups[index] = ([], [])
            group[0].append(item)
            group[1].append(k)
        size = self._chunk
        for index in sorted(groups, reverse=True):  # from the end: a split shifts only later chunks
            new, keys = groups[index]
            if self._gathered(index, new, keys):  # a chunk not made yet stays so
                continue
            chunk = self._loaded(index)
            if len(new) * 4 < len(chunk):  # a few: bisect each (a sort would compute every key of the chunk)
                for item in new:
                    chunk.insert(bisect.bisect_left(chunk, key(item), key=key), item)
            else:
                chunk.extend(new)
                chunk.sort(key=key)
            self._len += len(new)
            pieces = (
                [chunk[i : i + size] for i in range(0, len(chunk), size)]
                if len(chunk) > 2 * size
                else [chunk]
            )
            self._chunks[index : index + 1] = pieces
            self._maxes[index : index + 1] = [key(piece[-1]) for piece in pieces]

    def remove(self, item: T) -> None:
        """Remove `item` (found by its key); a KeyError if it is not there."""
        key = self._key
        k = key(item)
        index = bisect.bisect_left(self._maxes, k)
        if index < len(self._maxes):
            chunk = self._loaded(index)
            at = bisect.bisect_left(chunk, k, key=key)
            if at < len(chunk) and key(chunk[at]) == k:
                del chunk[at]
                self._len -= 1
                if chunk:
                    self._maxes[index] = key(chunk[-1])
                else:
                    del self._chunks[index], self._maxes[index]
                return
        raise KeyError(k)

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[T]:
        unloaded = [index for index, chunk in enumerate(self._chunks) if type(chunk) is not list]
        if unloaded:
            with paused_gc():  # what is made now stays alive: collections would only traverse it again
                for index in unloaded:
                    self._loaded(index)
            freeze_after_bulk(sum(len(self._chunks[index]) for index in unloaded))
        return chain.from_iterable(self._chunks)


class _Gathering(Generic[T]):
    """A chunk not made yet: its `parts` (sorted runs of its items) and the items `added` to it since,
    merged when it is made."""

    __slots__ = ("added", "parts")

    def __init__(self, parts: Sequence[Unloaded[T]]) -> None:
        self.parts = parts
        self.added: list[T] = []

    def __len__(self) -> int:
        return sum(map(len, self.parts)) + len(self.added)


class ChunksView(Sequence[T]):
    """The items of a `SortedChunks` in order, each chunk made when an index in it is first read: what a
    re-export needs of a restored Timeline whose blocks it mostly copies (`SortedChunks.view`)."""

    __slots__ = ("_sorted", "_starts")

    def __init__(self, chunks: SortedChunks[T]) -> None:
        self._sorted = chunks
        self._starts = list(accumulate(map(len, chunks._chunks), initial=0))

    def __len__(self) -> int:
        return self._starts[-1]

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        number = bisect.bisect_right(self._starts, index) - 1
        return self._sorted._loaded(number)[index - self._starts[number]]

    def __iter__(self) -> Iterator[T]:
        return iter(self._sorted)

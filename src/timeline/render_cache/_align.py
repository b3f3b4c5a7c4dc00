"""Which entries of an export are, in the same state and order, entries of the last one: matching runs.

The keys are compared in bulk (`timeline.render_cache._index.EntryKeys`): the common prefix of two runs of
records is found by galloping over slices of bytes (each comparison a memcmp), so an export whose entries
are the last export's with a few inserted, removed or changed costs a few dozen comparisons, not a Python
loop over the entries. Many differences at once fall back to a map from each old record to its slot.
A record is an entry's stamp (its position, revision and retracted flag, hashed: see `EntryKeys`).
"""

from __future__ import annotations

import struct
from itertools import count
from typing import TYPE_CHECKING

from timeline.render_cache._index import WIDTH, EntryKeys

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Run", "matching_runs"]

Run = tuple[int, int, int]
"""(first entry now, first entry in the last export, how many): the same entries in the same states."""

Fields = tuple[bytes, ...]  # the int64 fields compared, one bytes string each (the stamps)
_RECORD = 8 * WIDTH
_GAPS = 64  # differences galloping handles before the map takes over
_SYNC = 8  # how far ahead a difference looks for the other side's next entry (insertions, removals)


def matching_runs(now: EntryKeys, last: EntryKeys) -> list[Run]:
    """The runs of entries of `now` that are entries of `last` in the same state, in order of `now`."""
    if not now.count or not last.count:
        return []
    a, b = (now.stamps,), (last.stamps,)
    runs = _gallop(a, b, now.count, last.count)
    return _by_map(a, b) if runs is None else runs


def _same(a: Fields, b: Fields, i: int, j: int, k: int) -> bool:
    """Whether records i..i+k-1 of `a` equal records j..j+k-1 of `b` (in every field)."""
    x, y, size = i * _RECORD, j * _RECORD, k * _RECORD
    return all(p[x : x + size] == q[y : y + size] for p, q in zip(a, b, strict=True))


def _common(a: Fields, b: Fields, i: int, j: int, limit: int) -> int:
    """How many records of `a` from `i` equal those of `b` from `j` (at most `limit`)."""
    got, step = 0, 1
    while got < limit:
        k = min(step, limit - got)
        if _same(a, b, i + got, j + got, k):
            got += k
            step <<= 1
            continue
        low, high = 0, k  # records got..got+low-1 are equal; the first difference is before got+high
        while high - low > 1:
            middle = (low + high) // 2
            if _same(a, b, i + got + low, j + got + low, middle - low):
                low = middle
            else:
                high = middle
        return got + low
    return got


def _gallop(a: Fields, b: Fields, n: int, m: int) -> list[Run] | None:
    """Matching runs found by common prefixes, stepping over each difference; None if there are many."""
    runs: list[Run] = []
    i = j = gaps = 0
    while i < n and j < m:
        length = _common(a, b, i, j, min(n - i, m - j))
        if length:
            runs.append((i, j, length))
            i += length
            j += length
            continue
        gaps += 1
        if gaps > _GAPS:
            return None
        for d in range(1, _SYNC + 1):
            if j + d < m and _same(a, b, i, j + d, 1):
                j += d  # entries of the last export left out now
                break
            if i + d < n and _same(a, b, i + d, j, 1):
                i += d  # new entries (or moved ones) before it
                break
        else:
            i += 1  # this entry changed
            j += 1
    return runs


def _by_map(a: Fields, b: Fields) -> list[Run]:
    """Matching runs found by looking each record of `a` up among those of `b`."""
    form = f"{WIDTH}q"

    def records(fields: Fields) -> Iterator[tuple[tuple[int, ...], ...]]:
        return zip(*(struct.iter_unpack(form, field) for field in fields), strict=True)

    where = dict(zip(records(b), count()))
    found = list(map(where.get, records(a)))
    runs: list[Run] = []
    k, n = 0, len(found)
    while k < n:
        j = found[k]
        if j is None:
            k += 1
            continue
        start = k
        k += 1
        while k < n and found[k] == j + k - start:
            k += 1
        runs.append((start, j, k - start))
    return runs

"""Which entries of an export are, in the same state and order, entries of the last one: matching runs.

The keys are compared in bulk (`timeline.render_cache._index.EntryKeys`): the common prefix of two runs of
records is found by galloping over slices of bytes (each comparison a memcmp), so an export whose entries
are the last export's with a few inserted, removed or changed costs a few dozen comparisons, not a Python
loop over the entries. Many differences at once fall back to a map from each old record to its slot.
Every run found is then checked against the entries' ids and last-change stamps.
"""

from __future__ import annotations

import struct
from itertools import count

from timeline.render_cache._index import WIDTH, EntryKeys

__all__ = ["Run", "matching_runs"]

Run = tuple[int, int, int]
"""(first entry now, first entry in the last export, how many): the same entries in the same states."""

_RECORD = 8 * WIDTH
_GAPS = 64  # differences galloping handles before the map takes over
_SYNC = 8  # how far ahead a difference looks for the other side's next entry (insertions, removals)


def matching_runs(now: EntryKeys, last: EntryKeys) -> list[Run]:
    """The runs of entries of `now` that are entries of `last` in the same state, in order of `now`."""
    if not now.count or not last.count:
        return []
    runs = _gallop(now.states, last.states, now.count, last.count)
    if runs is None:
        runs = _by_map(now.states, last.states)
    return _checked(runs, now, last)


def _common(a: bytes, b: bytes, i: int, j: int, limit: int) -> int:
    """How many records of `a` from `i` equal those of `b` from `j` (at most `limit`)."""
    size = _RECORD
    got, step = 0, 1
    while got < limit:
        k = min(step, limit - got)
        x, y = (i + got) * size, (j + got) * size
        if a[x : x + k * size] == b[y : y + k * size]:
            got += k
            step <<= 1
            continue
        low, high = 0, k  # records got..got+low-1 are equal; the first difference is before got+high
        while high - low > 1:
            middle = (low + high) // 2
            if a[x + low * size : x + middle * size] == b[y + low * size : y + middle * size]:
                low = middle
            else:
                high = middle
        return got + low
    return got


def _gallop(a: bytes, b: bytes, n: int, m: int) -> list[Run] | None:
    """Matching runs found by common prefixes, stepping over each difference; None if there are many."""
    size = _RECORD
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
        here, there = a[i * size : (i + 1) * size], b[j * size : (j + 1) * size]
        for d in range(1, _SYNC + 1):
            if j + d < m and b[(j + d) * size : (j + d + 1) * size] == here:
                j += d  # entries of the last export left out now
                break
            if i + d < n and a[(i + d) * size : (i + d + 1) * size] == there:
                i += d  # new entries (or moved ones) before it
                break
        else:
            i += 1  # this entry changed
            j += 1
    return runs


def _by_map(a: bytes, b: bytes) -> list[Run]:
    """Matching runs found by looking each record of `a` up among those of `b`."""
    form = f"{WIDTH}q"
    where = dict(zip(struct.iter_unpack(form, b), count()))
    found = list(map(where.get, struct.iter_unpack(form, a)))
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


def _checked(runs: list[Run], now: EntryKeys, last: EntryKeys) -> list[Run]:
    """The runs whose ids and stamps match too (a run that does not is dropped whole: rendered again)."""
    kept = [
        (i, j, length)
        for i, j, length in runs
        if now.stamps[8 * i : 8 * (i + length)] == last.stamps[8 * j : 8 * (j + length)]
    ]
    if (
        now.count == last.count
        and all(i == j for i, j, _ in kept)
        and now.ids == last.ids
        and now.unambiguous()
        and last.unambiguous()
    ):
        return kept  # the same ids at the same places
    now_ids, last_ids = now.id_list(), last.id_list()
    if now_ids is None or last_ids is None:
        return []
    return [
        (i, j, length) for i, j, length in kept if now_ids[i : i + length] == last_ids[j : j + length]
    ]

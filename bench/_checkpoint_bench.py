"""Checkpoint figures' helpers for bench_compare.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from timeline.projections import Timeline


def payload_of(timeline: Timeline) -> Callable[[], object]:
    """Take `timeline`'s checkpoint with its payload's bytes joined, as a store of bytes gets them (a
    `FileCheckpointStore` never joins them: it writes the parts not already in its block file)."""
    return lambda: timeline.checkpoint().payload

"""Movements: transfers per origin and destination, with the number of people or things moved."""

from __future__ import annotations

import attrs

from timeline.events import Transfer
from timeline.projections.projection import TimelineView


@attrs.frozen(kw_only=True)
class MovementLine:
    """The transfers from `origin` to `destination` over the timeline.

    `total` is None ("unknown") as soon as one transfer of the line has no count: a sum of the known counts
    would understate it. `counted_total` is that sum anyway (a lower bound), and `uncounted` says how many
    transfers had no count.
    """

    origin: str
    destination: str
    total: int | None
    """The sum of the counts; None if any transfer has no count."""
    approximate: bool
    """True if any count in the sum is approximate."""
    count: int
    """How many transfers (not how many people or things: that is `total`)."""
    entry_ids: tuple[str, ...]
    """The transfers' entry ids, in timeline order."""
    counted_total: int
    """The sum of the counts that are known."""
    uncounted: int
    """How many transfers have no count."""


class Movements(TimelineView[tuple[MovementLine, ...]]):
    """Transfers per origin → destination; one line each, sorted by origin then destination."""

    @property
    def lines(self) -> tuple[MovementLine, ...]:
        """The lines, sorted by (origin, destination)."""
        return self._current()

    def _compute(self) -> tuple[MovementLine, ...]:
        groups: dict[tuple[str, str], list[tuple[str, Transfer]]] = {}
        for entry in self.timeline.entries:
            event = entry.event
            if isinstance(event, Transfer):
                groups.setdefault((event.origin, event.destination), []).append((entry.id, event))
        lines = []
        for key in sorted(groups):
            transfers = [event for _, event in groups[key]]
            counts = [event.count for event in transfers if event.count is not None]
            uncounted = len(transfers) - len(counts)
            counted_total = sum(count.value for count in counts)
            lines.append(
                MovementLine(
                    origin=key[0],
                    destination=key[1],
                    total=None if uncounted else counted_total,
                    approximate=any(count.approximate for count in counts),
                    count=len(transfers),
                    entry_ids=tuple(entry_id for entry_id, _ in groups[key]),
                    counted_total=counted_total,
                    uncounted=uncounted,
                )
            )
        return tuple(lines)

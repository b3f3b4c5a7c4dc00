"""Actors: each name an event involves (by, participants, payer, payee, actors...) and its entries."""

from __future__ import annotations

from timeline.projections.entry import Entry
from timeline.projections.projection import TimelineView


class Actors(TimelineView[dict[str, tuple[Entry, ...]]]):
    """Each name → the entries it appears in (as `Event.involved()` says), in timeline order."""

    @property
    def names(self) -> dict[str, list[Entry]]:
        """Name → entries, names sorted (case-insensitively, then exactly); a fresh dict on each call."""
        return {name: list(entries) for name, entries in self._current().items()}

    def _compute(self) -> dict[str, tuple[Entry, ...]]:
        found: dict[str, list[Entry]] = {}
        for entry in self.timeline.entries:
            for name in entry.event.involved():
                found.setdefault(name, []).append(entry)
        return {name: tuple(found[name]) for name in sorted(found, key=lambda name: (name.casefold(), name))}

"""Per-export memos: a batch appended at once shares its recorded_at, and an entry's first_recorded is often
its last_changed, so formatting each distinct instant once saves most of the work. (Dates are remembered by
each exporter, keyed by their EDTF text: `When`'s attrs-generated hash and equality run in Python.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime


def iso_instants() -> Callable[[datetime], str]:
    """`datetime.isoformat`, remembered for the life of the returned function (one export)."""
    written: dict[datetime, str] = {}

    def iso(moment: datetime) -> str:
        found = written.get(moment)
        if found is None:
            found = written[moment] = moment.isoformat()
        return found

    return iso

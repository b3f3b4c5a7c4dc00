"""Per-export memos: in a timeline many entries share a date, and a batch appended at once shares its
recorded_at, so formatting each distinct value once saves most of the work. Keys are C-hashed values (the
EDTF text, the datetime), not `When` itself, whose attrs-generated hash and equality run in Python."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from timeline.when import When


def human_dates() -> Callable[[When], str]:
    """`When.human`, remembered for the life of the returned function (one export)."""
    said: dict[str, str] = {}

    def human(when: When) -> str:
        text = when.text
        found = said.get(text)
        if found is None:
            found = said[text] = when.human()
        return found

    return human


def iso_instants() -> Callable[[datetime], str]:
    """`datetime.isoformat`, remembered for the life of the returned function (one export)."""
    written: dict[datetime, str] = {}

    def iso(moment: datetime) -> str:
        found = written.get(moment)
        if found is None:
            found = written[moment] = moment.isoformat()
        return found

    return iso

"""Projections: read models folded from the event log. Exporters take these, never the store.

`Timeline` is the main one; `Ledger`, `Movements` and `Actors` are computed from a Timeline, so
corrections, retractions, `stream` and `as_of` apply to them too. Projections catch up (`catch_up(store)`
folds only what is new) and can be checkpointed (`Timeline.save_checkpoint` / `load_checkpoint`, or
`Timeline.resume` with a `CheckpointStore`).
"""

from typing import TYPE_CHECKING

from timeline._lazy_names import lazy_names

if TYPE_CHECKING:
    from timeline.checkpoints import Checkpoint, CheckpointStore, FileCheckpointStore
    from timeline.projections.actors import Actors
    from timeline.projections.entry import Change, Entry
    from timeline.projections.ledger import Ledger, LedgerLine
    from timeline.projections.movements import MovementLine, Movements
    from timeline.projections.projection import Projection, TimelineView
    from timeline.projections.selection import SelectedTimeline, Selection
    from timeline.projections.timeline import Timeline
    from timeline.projections.window import Window

#: Each public name imported on first use (PEP 562) -> its module: a command that shows a Timeline does not
#: import the ledger, the checkpoints or the selection.
_LAZY: dict[str, str] = {
    **dict.fromkeys(("Checkpoint", "CheckpointStore", "FileCheckpointStore"), "timeline.checkpoints"),
    "Actors": "timeline.projections.actors",
    **dict.fromkeys(("Change", "Entry"), "timeline.projections.entry"),
    **dict.fromkeys(("Ledger", "LedgerLine"), "timeline.projections.ledger"),
    **dict.fromkeys(("MovementLine", "Movements"), "timeline.projections.movements"),
    **dict.fromkeys(("Projection", "TimelineView"), "timeline.projections.projection"),
    **dict.fromkeys(("SelectedTimeline", "Selection"), "timeline.projections.selection"),
    "Timeline": "timeline.projections.timeline",
    "Window": "timeline.projections.window",
}

__all__ = [
    "Actors",
    "Change",
    "Checkpoint",
    "CheckpointStore",
    "Entry",
    "FileCheckpointStore",
    "Ledger",
    "LedgerLine",
    "MovementLine",
    "Movements",
    "Projection",
    "SelectedTimeline",
    "Selection",
    "Timeline",
    "TimelineView",
    "Window",
]


if not TYPE_CHECKING:  # mypy sees the imports above; at run time the names arrive on first use
    __getattr__, __dir__ = lazy_names(__name__, _LAZY, globals(), __all__)

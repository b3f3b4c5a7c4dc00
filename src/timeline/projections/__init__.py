"""Projections: read models folded from the event log. Exporters take these, never the store.

`Timeline` is the main one; `Ledger`, `Movements` and `Actors` are computed from a Timeline, so
corrections, retractions, `stream` and `as_of` apply to them too. Projections catch up (`catch_up(store)`
folds only what is new) and can be checkpointed (`Timeline.save_checkpoint` / `load_checkpoint`, or
`Timeline.resume` with a `CheckpointStore`).
"""

from timeline.checkpoints import Checkpoint, CheckpointStore, FileCheckpointStore
from timeline.projections.actors import Actors
from timeline.projections.entry import Change, Entry
from timeline.projections.ledger import Ledger, LedgerLine
from timeline.projections.movements import MovementLine, Movements
from timeline.projections.projection import Projection, TimelineView
from timeline.projections.selection import SelectedTimeline, Selection
from timeline.projections.timeline import Timeline
from timeline.projections.window import Window

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

"""timeline: what happened, when, and who says so, as an append-only log of typed events.

The public API lives here; everything else is an implementation detail that may move.
"""

from timeline.codec import from_json, to_json
from timeline.errors import ConcurrencyError, DuplicateEventError, StoreError, TimelineError, ValidationError
from timeline.events import (
    Correction,
    Event,
    Invocation,
    Meeting,
    Occurrence,
    Payment,
    Retraction,
    Statement,
    Transfer,
    register_event_type,
)
from timeline.hookspecs import hookimpl
from timeline.plugins import export, export_to_path
from timeline.projections import Actors, Change, Entry, Ledger, Movements, Timeline
from timeline.store import ANY, NO_STREAM, EventStore, Recorded, open_store
from timeline.values import Money, Quantity, Source
from timeline.when import Precision, When

__all__ = [
    "ANY",
    "NO_STREAM",
    "Actors",
    "Change",
    "ConcurrencyError",
    "Correction",
    "DuplicateEventError",
    "Entry",
    "Event",
    "EventStore",
    "Invocation",
    "Ledger",
    "Meeting",
    "Money",
    "Movements",
    "Occurrence",
    "Payment",
    "Precision",
    "Quantity",
    "Recorded",
    "Retraction",
    "Source",
    "Statement",
    "StoreError",
    "Timeline",
    "TimelineError",
    "Transfer",
    "ValidationError",
    "When",
    "export",
    "export_to_path",
    "from_json",
    "hookimpl",
    "open_store",
    "register_event_type",
    "to_json",
]

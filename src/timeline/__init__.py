"""timeline: what happened, when, and who says so, as an append-only log of typed events.

The public API is what this package exports (``timeline.__all__``): the event classes and value types, the
stores (`open_store`), the projections (`Timeline`, `Entry`, ...), `export` / `export_to_path`, the errors,
and for plugin authors `hookimpl`, the `Exporter` protocol and the option helpers `check_options`,
`flag_option` and `choice_option`. Besides it, these submodules are supported:

- `timeline.plugins`: the plugin manager (`make_plugin_manager`, `get_plugin_manager`, `formats`, ...).
- `timeline.hookspecs`: the hooks a plugin can implement, each with its documentation.
- `timeline.testing`: test data and the exporter contract (``pip install 'timeline-core[testing]'``).
- `timeline.serve`: the WSGI application of the feeds (`make_app`, `FeedApp`), run by ``timeline serve``.
- `timeline.cli`: the ``timeline`` command (`main`).
- `timeline.facts`: what an event's typed fields say, worded for readers (`facts`), as the exporters show it.
- `timeline.snapshots`: Timelines resumed from a snapshot in the cache folder (`resume_timeline`).

Every other module is an implementation detail that may move or change without notice.
"""

from timeline.codec import from_json, register_upcaster, to_json
from timeline.errors import (
    ConcurrencyError,
    DuplicateEventError,
    OutputError,
    StoreError,
    TimelineError,
    ValidationError,
)
from timeline.events import (
    Correction,
    Event,
    Happening,
    Invocation,
    Meeting,
    Occurrence,
    Payment,
    Retraction,
    Statement,
    Transfer,
    register_event_type,
)
from timeline.exporters.base import Exporter, check_options, choice_option, flag_option
from timeline.exporting import export, export_to_path
from timeline.hookspecs import hookimpl
from timeline.jsonl import BatchError, read_events
from timeline.plugins import PluginError
from timeline.projections import Actors, Change, Entry, Ledger, Movements, Timeline
from timeline.store import ANY, NO_STREAM, EventStore, Recorded, default_store_url, open_store
from timeline.values import Money, Quantity, Source
from timeline.when import Day, Precision, When

__all__ = [
    "ANY",
    "NO_STREAM",
    "Actors",
    "BatchError",
    "Change",
    "ConcurrencyError",
    "Correction",
    "Day",
    "DuplicateEventError",
    "Entry",
    "Event",
    "EventStore",
    "Exporter",
    "Happening",
    "Invocation",
    "Ledger",
    "Meeting",
    "Money",
    "Movements",
    "Occurrence",
    "OutputError",
    "Payment",
    "PluginError",
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
    "check_options",
    "choice_option",
    "default_store_url",
    "export",
    "export_to_path",
    "flag_option",
    "from_json",
    "hookimpl",
    "open_store",
    "read_events",
    "register_event_type",
    "register_upcaster",
    "to_json",
]

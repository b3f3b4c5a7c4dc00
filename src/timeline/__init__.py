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

from typing import TYPE_CHECKING

# First, before any class is made: attrs compiles each class's methods, and the code is the same every run.
from timeline import _code_cache  # noqa: F401  (importing it installs it)
from timeline._lazy_names import lazy_names

# Cheap, and needed by nearly every use: imported now. The rest arrive on first use (`__getattr__` below).
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
from timeline.events import set_type_loader as _set_type_loader
from timeline.values import Money, Quantity, Source
from timeline.when import Day, Precision, When

if TYPE_CHECKING:
    from timeline.codec import from_json, register_upcaster, to_json
    from timeline.exporters.base import Exporter, check_options, choice_option, flag_option
    from timeline.exporting import export, export_to_path
    from timeline.hookspecs import hookimpl
    from timeline.jsonl import BatchError, read_events
    from timeline.plugins import PluginError
    from timeline.projections import Actors, Change, Entry, Ledger, Movements, Selection, Timeline
    from timeline.store import (
        ANY,
        NO_STREAM,
        EventStore,
        Recorded,
        check_stream_name,
        default_store_url,
        open_store,
    )

#: Each public name imported on first use (PEP 562) -> the module defining it: ``import timeline`` stays
#: cheap, and a command pays only for what it uses (showing a timeline loads no cattrs and no plugins).
_LAZY: dict[str, str] = {
    **dict.fromkeys(("from_json", "register_upcaster", "to_json"), "timeline.codec"),
    **dict.fromkeys(("Exporter", "check_options", "choice_option", "flag_option"), "timeline.exporters.base"),
    **dict.fromkeys(("export", "export_to_path"), "timeline.exporting"),
    "hookimpl": "timeline.hookspecs",
    **dict.fromkeys(("BatchError", "read_events"), "timeline.jsonl"),
    "PluginError": "timeline.plugins",
    **dict.fromkeys(
        ("Actors", "Change", "Entry", "Ledger", "Movements", "Selection", "Timeline"), "timeline.projections"
    ),
    **dict.fromkeys(
        ("ANY", "NO_STREAM", "EventStore", "Recorded", "check_stream_name", "default_store_url"),
        "timeline.store",
    ),
    "open_store": "timeline.store",
}


def _load_plugin_event_types() -> object:
    """The event-type loader: a type tag the codec does not know may be a plugin's, so load the plugins."""
    from timeline.plugins import get_plugin_manager

    return get_plugin_manager()


# Set here, not by timeline.plugins: every import of a timeline module runs this first, and the plugins
# (entry points, pluggy's manager) are loaded only on a miss.
_set_type_loader(_load_plugin_event_types)

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
    "Selection",
    "Source",
    "Statement",
    "StoreError",
    "Timeline",
    "TimelineError",
    "Transfer",
    "ValidationError",
    "When",
    "check_options",
    "check_stream_name",
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


if not TYPE_CHECKING:  # mypy sees the imports above; at run time the names arrive on first use
    __getattr__, __dir__ = lazy_names(__name__, _LAZY, globals(), __all__)

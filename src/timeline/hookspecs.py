"""The pluggy hook specifications: what a `timeline` plugin can provide.

A plugin is a module (or object) with functions marked `@timeline.hookimpl` whose names match the hooks below;
third-party plugins are found through the entry-point group ``timeline`` (see `timeline.plugins`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from collections.abc import Callable

    from timeline.events import Event
    from timeline.exporters.base import Exporter

#: The project name pluggy uses to match hook specifications and implementations.
PROJECT = "timeline"

#: Marks the hook specifications below.
hookspec = pluggy.HookspecMarker(PROJECT)
#: Marks a plugin's hook implementations (also `timeline.hookimpl`).
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def timeline_register_exporters(register: Callable[[Exporter], None]) -> None:
    """Call ``register(exporter)`` once for each export format this plugin provides."""


@hookspec
def timeline_register_event_types(register: Callable[[type[Event]], Any]) -> None:
    """Call ``register(cls)`` with each `timeline.events.Event` subclass this plugin adds (its TYPE tag)."""

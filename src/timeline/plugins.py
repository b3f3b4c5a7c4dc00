"""The plugin manager: the built-in exporters, then third-party plugins (entry-point group ``timeline``).

`make_plugin_manager` builds a fresh manager (tests use it to run without whatever happens to be installed);
`get_plugin_manager` is the process's own, built on first use and kept until `reset`. The built-ins in
`DEFAULT_PLUGINS` are registered exactly as third-party plugins are: by name, blockable, isolated.

A plugin that fails to load, names a hook that does not exist, or raises in a hook is reported on standard
error by name and left out (or loses what that hook would have given); the others keep working.
``TIMELINE_DISABLE_PLUGINS="name1,name2"`` blocks plugins by the names `plugin_list` shows (a built-in's name
is its module, e.g. ``timeline.exporters.ical``; a third-party plugin's is its entry-point name).
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import threading
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from timeline import hookspecs
from timeline._distribution import DISTRIBUTION
from timeline.errors import TimelineError, ValidationError
from timeline.events import Event, register_event_type
from timeline.exporters.base import Exporter

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

__all__ = [
    "DEFAULT_PLUGINS",
    "DISABLE_ENV",
    "ENTRY_POINT_GROUP",
    "PluginError",
    "PluginManager",
    "exporters",
    "formats",
    "get_exporter",
    "get_plugin_manager",
    "make_plugin_manager",
    "plugin_list",
    "reset",
    "set_plugin_manager",
]

#: The built-in plugins, registered in this order before any third-party plugin.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "timeline.exporters.ical",
    "timeline.exporters.json",
    "timeline.exporters.markdown",
)
#: The entry-point group third-party plugins declare (name the entry point after the distribution).
ENTRY_POINT_GROUP = "timeline"
#: The environment variable naming plugins to block, separated by commas.
DISABLE_ENV = "TIMELINE_DISABLE_PLUGINS"


class PluginError(TimelineError):
    """Plugins that contradict each other (two claiming one format) or hand over something unusable."""


@attrs.frozen(kw_only=True)
class _Provided:
    plugin: str
    exporter: Exporter


class PluginManager(pluggy.PluginManager):
    """A pluggy manager of timeline's hooks that remembers the plugins left out and their exporters.

    The exporters are collected once, on first use, and again only after a plugin is registered or removed.
    """

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)
        #: Plugin name -> why it was left out, or why one of its hooks failed.
        self.failures: dict[str, str] = {}
        self._provided: dict[str, _Provided] | None = None
        #: Plugin name -> the version of the distribution its entry point came from.
        self.versions: dict[str, str] = {}

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """Register `plugin` as pluggy does; the exporters are collected again on next use."""
        self._provided = None
        return super().register(plugin, name)

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any:
        """Remove a plugin as pluggy does; the exporters are collected again on next use."""
        self._provided = None
        return super().unregister(plugin, name)

    def report(self, name: str, exc: BaseException) -> None:
        """Record and print on standard error that plugin `name` failed with `exc`."""
        why = f"{type(exc).__name__}: {exc}"
        self.failures[name] = why
        print(f"timeline: plugin {name!r} was left out: {why}", file=sys.stderr)

    def exporters(self) -> dict[str, Exporter]:
        """Every available exporter by format name; `PluginError` if two plugins claim one format."""
        return {name: provided.exporter for name, provided in sorted(self._exporters().items())}

    def get_exporter(self, name: str) -> Exporter:
        """The exporter of format `name`; `ValidationError` listing the known formats if there is none."""
        known = self._exporters()
        provided = known.get(name)
        if provided is None:
            listed = ", ".join(sorted(known)) or "none"
            raise ValidationError(f"unknown format {name!r} (known: {listed})", path="format")
        return provided.exporter

    def plugin_of(self, format: str) -> str:
        """The name of the plugin providing `format` (`ValidationError` if none does)."""
        self.get_exporter(format)
        return self._exporters()[format].plugin

    def formats(self) -> list[tuple[str, str, str]]:
        """(format name, media type, providing plugin) for each format, sorted by format name."""
        return [(name, p.exporter.media_type, p.plugin) for name, p in sorted(self._exporters().items())]

    def plugin_list(self) -> list[dict[str, Any]]:
        """Each plugin as a dict: name, hooks, version (when known), and ``error`` for one that failed."""
        distributions = {plugin: dist for plugin, dist in self.list_plugin_distinfo()}
        listed: list[dict[str, Any]] = []
        for name, plugin in self.list_name_plugin():
            if plugin is None:  # a blocked name
                continue
            info: dict[str, Any] = {
                "name": name,
                "hooks": sorted(h.name for h in self.get_hookcallers(plugin) or ()),
            }
            version = self.versions.get(name) or _version(plugin, distributions)
            if version is not None:
                info["version"] = version
            if name in self.failures:  # loaded, but a hook of it failed (an event type it could not add)
                info["error"] = self.failures[name]
            listed.append(info)
        listed.extend(
            {"name": name, "error": why} for name, why in self.failures.items() if not self.has_plugin(name)
        )
        return listed

    def _exporters(self) -> dict[str, _Provided]:
        if self._provided is None:
            self._provided = _collect_exporters(self)
        return self._provided


def make_plugin_manager(
    *,
    builtins: Iterable[str] = DEFAULT_PLUGINS,
    entry_points: bool = True,
    plugins: Mapping[str, object] | None = None,
    blocked: Iterable[str] | None = None,
) -> PluginManager:
    """A fresh manager: the `builtins` (module names), the entry points of group ``timeline`` (unless
    `entry_points` is false), then `plugins` (name -> plugin object), minus the `blocked` names (by default
    those `TIMELINE_DISABLE_PLUGINS` lists). Event types the plugins add are registered with the codec.
    """
    pm = PluginManager()
    for name in _blocked_names() if blocked is None else blocked:
        pm.set_blocked(name)
    for module_name in builtins:
        _register(pm, module_name, functools.partial(importlib.import_module, module_name))
    if entry_points:
        _load_entry_points(pm)
    for name, plugin in (plugins or {}).items():
        _register(pm, name, functools.partial(_same, plugin))
    _drop_unknown_hooks(pm)
    _register_event_types(pm)
    return pm


_default: PluginManager | None = None
_default_lock = threading.Lock()


def get_plugin_manager() -> PluginManager:
    """The process's plugin manager, loaded on first use: built-ins, then entry points, minus blocked ones."""
    global _default
    with _default_lock:
        if _default is None:
            _default = make_plugin_manager()
        return _default


def set_plugin_manager(manager: PluginManager | None) -> None:
    """Make `manager` the process's plugin manager (tests); None: load a fresh one on next use."""
    global _default
    with _default_lock:
        _default = manager


def reset() -> None:
    """Forget the loaded plugins: the next use loads them again (for tests, or after installing a plugin)."""
    set_plugin_manager(None)


def exporters() -> dict[str, Exporter]:
    """Every exporter of the process's plugins by format name (see `PluginManager.exporters`)."""
    return get_plugin_manager().exporters()


def get_exporter(name: str) -> Exporter:
    """The exporter of format `name` among the process's plugins (see `PluginManager.get_exporter`)."""
    return get_plugin_manager().get_exporter(name)


def formats() -> list[tuple[str, str, str]]:
    """(format name, media type, providing plugin) of the process's plugins, sorted by format name."""
    return get_plugin_manager().formats()


def plugin_list() -> list[dict[str, Any]]:
    """The process's plugins as dicts: name, hooks, version, ``error`` (see `PluginManager.plugin_list`)."""
    return get_plugin_manager().plugin_list()


def _load_entry_points(pm: PluginManager) -> None:
    """Register the plugins of group ``timeline``, the first of each name, one at a time (pluggy's own loop
    stops at the first that fails to import, and scans every installed distribution again for each name)."""
    from importlib import metadata  # here, not at the top: importing it costs more than showing a timeline

    found: dict[str, metadata.EntryPoint] = {}
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry_point.name, entry_point)
    for name, entry_point in sorted(found.items()):
        if pm.is_blocked(name) or pm.has_plugin(name):
            continue
        _guarded(pm, name, functools.partial(_register_entry_point, pm, name, entry_point))


def _register_entry_point(pm: PluginManager, name: str, entry_point: Any) -> None:
    pm.register(entry_point.load(), name=name)
    if entry_point.dist is not None:
        pm.versions[name] = str(entry_point.dist.version)


def _blocked_names() -> list[str]:
    return [name.strip() for name in os.environ.get(DISABLE_ENV, "").split(",") if name.strip()]


def _same(plugin: object) -> object:
    return plugin


def _guarded(pm: PluginManager, name: str, load: Callable[[], object]) -> None:
    try:
        load()
    except Exception as exc:  # a broken plugin (built-in or not) must not take the others down
        pm.report(name, exc)


def _register(pm: PluginManager, name: str, load: Callable[[], object]) -> None:
    if not (pm.is_blocked(name) or pm.has_plugin(name)):
        _guarded(pm, name, lambda: pm.register(load(), name=name))


def _drop_unknown_hooks(pm: PluginManager) -> None:
    """Leave out, by name, each plugin implementing a hook no spec declares (a misspelled hook name)."""
    while True:
        try:
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            name = pm.get_name(exc.plugin) or repr(exc.plugin)
            pm.unregister(exc.plugin)
            pm.report(name, exc)
        else:
            return


def _each_plugin(pm: PluginManager, hook_name: str) -> Iterator[tuple[str, pluggy.HookCaller]]:
    """Per plugin implementing `hook_name`, in registration order: its name and a pluggy caller reaching only
    its implementation (and every hook wrapper), so that a plugin that raises is isolated and named."""
    hook: pluggy.HookCaller = getattr(pm.hook, hook_name)
    impls = [impl for impl in hook.get_hookimpls() if not (impl.hookwrapper or impl.wrapper)]
    for impl in impls:
        others = [other.plugin for other in impls if other.plugin is not impl.plugin]
        yield impl.plugin_name, pm.subset_hook_caller(hook_name, remove_plugins=others)


def _register_event_types(pm: PluginManager) -> None:
    def register(cls: Any) -> Any:
        if not (isinstance(cls, type) and issubclass(cls, Event)):
            raise PluginError(f"{cls!r} is not a subclass of timeline.events.Event")
        return register_event_type(cls)

    for plugin, call in _each_plugin(pm, "timeline_register_event_types"):
        try:
            call(register=register)
        except Exception as exc:
            pm.report(plugin, exc)


def _check_exporter(plugin: str, exporter: Any) -> Exporter:
    if not isinstance(exporter, Exporter):
        raise PluginError(
            f"plugin {plugin!r} registered {exporter!r}, which is not an exporter "
            "(it needs name, media_type, extension, description, options and export)"
        )
    name = exporter.name
    if not isinstance(name, str) or not name or name != name.strip() or "=" in name:
        raise PluginError(f"plugin {plugin!r} registered an exporter with an invalid format name {name!r}")
    return exporter


def _collect(plugin: str, into: list[Exporter], exporter: Any) -> None:
    into.append(_check_exporter(plugin, exporter))


def _collect_exporters(pm: PluginManager) -> dict[str, _Provided]:
    found: dict[str, _Provided] = {}
    for plugin, call in _each_plugin(pm, "timeline_register_exporters"):
        mine: list[Exporter] = []
        try:
            call(register=functools.partial(_collect, plugin, mine))
        except Exception as exc:  # a broken plugin loses its formats, the others keep theirs
            print(
                f"timeline: plugin {plugin!r}: its formats were left out: {type(exc).__name__}: {exc}",
                file=sys.stderr,
            )
            continue
        for exporter in mine:
            other = found.get(exporter.name)
            if other is not None:
                who = (
                    f"plugin {plugin!r}"
                    if other.plugin == plugin
                    else f"plugins {other.plugin!r} and {plugin!r}"
                )
                raise PluginError(
                    f"format {exporter.name!r} is claimed by {who}: "
                    f"block one with {DISABLE_ENV}=<plugin name>"
                )
            found[exporter.name] = _Provided(plugin=plugin, exporter=exporter)
    return found


def _version(plugin: object, distributions: Mapping[object, Any]) -> str | None:
    dist = distributions.get(plugin)
    if dist is not None:
        return str(dist.version)
    module = getattr(plugin, "__name__", "")
    if isinstance(module, str) and module.startswith("timeline."):  # a built-in: the library's own version
        from importlib import metadata

        try:
            return metadata.version(DISTRIBUTION)
        except metadata.PackageNotFoundError:
            return None
    return None

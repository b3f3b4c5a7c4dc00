"""The plugin manager: the built-in exporters, then third-party plugins (entry-point group ``timeline``).

A plugin that fails to load is reported on standard error by name and left out; the others keep working.
``TIMELINE_DISABLE_PLUGINS="name1,name2"`` blocks plugins by the names `plugin_list` shows (a built-in's name
is its module, e.g. ``timeline.exporters.ical``; a third-party plugin's is its entry-point name).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.metadata
import os
import secrets
import sys
from typing import TYPE_CHECKING, Any, BinaryIO

import attrs
import pluggy

from timeline import hookspecs
from timeline.errors import TimelineError, ValidationError
from timeline.events import Event, register_event_type, set_type_loader
from timeline.exporters.base import Exporter, check_options

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from timeline.projections import Timeline

__all__ = [
    "DEFAULT_PLUGINS",
    "DISABLE_ENV",
    "ENTRY_POINT_GROUP",
    "PluginError",
    "export",
    "export_to_path",
    "exporters",
    "formats",
    "get_exporter",
    "get_plugin_manager",
    "plugin_list",
    "reset",
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
class _Loaded:
    pm: pluggy.PluginManager
    failures: dict[str, str]  # plugin name -> why it was left out


@attrs.frozen(kw_only=True)
class _Provided:
    plugin: str
    exporter: Exporter


def get_plugin_manager() -> pluggy.PluginManager:
    """The process's plugin manager, loaded on first use: built-ins, then entry points, minus blocked ones."""
    return _load().pm


set_type_loader(get_plugin_manager)  # an event type the codec does not know may come from a plugin


def reset() -> None:
    """Forget the loaded plugins: the next call loads them again (for tests, or after installing a plugin)."""
    _load.cache_clear()


def _blocked_names() -> list[str]:
    return [name.strip() for name in os.environ.get(DISABLE_ENV, "").split(",") if name.strip()]


def _report(failures: dict[str, str], name: str, exc: BaseException) -> None:
    why = f"{type(exc).__name__}: {exc}"
    failures[name] = why
    print(f"timeline: plugin {name!r} was left out: {why}", file=sys.stderr)


@functools.cache
def _load() -> _Loaded:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in _blocked_names():
        pm.set_blocked(name)
    failures: dict[str, str] = {}
    for module_name in DEFAULT_PLUGINS:
        if pm.is_blocked(module_name):
            continue
        try:
            pm.register(importlib.import_module(module_name), name=module_name)
        except Exception as exc:  # a broken built-in must not take the plugins down either
            _report(failures, module_name, exc)
    # One entry point at a time: pluggy's own loop stops at the first plugin that fails to import.
    names = sorted({ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)})
    for name in names:
        if pm.is_blocked(name) or pm.has_plugin(name):
            continue
        try:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=name)
        except Exception as exc:
            _report(failures, name, exc)
    _register_event_types(pm, failures)
    return _Loaded(pm=pm, failures=failures)


def _hookimpls(
    pm: pluggy.PluginManager, hook_name: str
) -> Iterator[tuple[str, Callable[..., Any], list[str]]]:
    """(plugin name, function, argument names) of each implementation, in registration order."""
    caller: pluggy.HookCaller = getattr(pm.hook, hook_name)
    for impl in caller.get_hookimpls():
        if not (impl.hookwrapper or impl.wrapper):
            yield impl.plugin_name, impl.function, list(impl.argnames)


def _call(function: Callable[..., Any], argnames: list[str], register: Callable[[Any], Any]) -> None:
    # pluggy lets an implementation take fewer arguments than the spec: pass only what it asks for.
    function(**{name: register for name in argnames if name == "register"})


def _register_event_types(pm: pluggy.PluginManager, failures: dict[str, str]) -> None:
    def register(cls: Any) -> Any:
        if not (isinstance(cls, type) and issubclass(cls, Event)):
            raise PluginError(f"{cls!r} is not a subclass of timeline.events.Event")
        return register_event_type(cls)

    for plugin, function, argnames in _hookimpls(pm, "timeline_register_event_types"):
        try:
            _call(function, argnames, register)
        except Exception as exc:
            _report(failures, plugin, exc)


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


def _provided() -> dict[str, _Provided]:
    found: dict[str, _Provided] = {}
    for plugin, function, argnames in _hookimpls(get_plugin_manager(), "timeline_register_exporters"):
        mine: list[Exporter] = []
        try:
            _call(function, argnames, functools.partial(_collect, plugin, mine))
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


def exporters() -> dict[str, Exporter]:
    """Every available exporter by format name; `PluginError` if two plugins claim one format."""
    return {name: provided.exporter for name, provided in sorted(_provided().items())}


def get_exporter(name: str) -> Exporter:
    """The exporter of format `name`; `ValidationError` listing the known formats if there is none."""
    known = exporters()
    exporter = known.get(name)
    if exporter is None:
        listed = ", ".join(known) or "none"
        raise ValidationError(f"unknown format {name!r} (known: {listed})", path="format")
    return exporter


def formats() -> list[tuple[str, str, str]]:
    """(format name, media type, providing plugin) for each format, sorted by format name."""
    return [(name, p.exporter.media_type, p.plugin) for name, p in sorted(_provided().items())]


def _version(plugin: object, distributions: Mapping[object, Any]) -> str | None:
    dist = distributions.get(plugin)
    if dist is not None:
        return str(dist.version)
    module = getattr(plugin, "__name__", "")
    if isinstance(module, str) and module.startswith("timeline."):  # a built-in: the library's own version
        try:
            return importlib.metadata.version("timeline")
        except importlib.metadata.PackageNotFoundError:
            return None
    return None


def plugin_list() -> list[dict[str, Any]]:
    """Each plugin as a dict: name, hooks, version (when known), and ``error`` for one that failed."""
    loaded = _load()
    pm = loaded.pm
    distributions = {plugin: dist for plugin, dist in pm.list_plugin_distinfo()}
    listed: list[dict[str, Any]] = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:  # a blocked name
            continue
        info: dict[str, Any] = {
            "name": name,
            "hooks": sorted(h.name for h in pm.get_hookcallers(plugin) or ()),
        }
        version = _version(plugin, distributions)
        if version is not None:
            info["version"] = version
        if name in loaded.failures:  # loaded, but a hook of it failed (an event type it could not add)
            info["error"] = loaded.failures[name]
        listed.append(info)
    listed.extend(
        {"name": name, "error": why} for name, why in loaded.failures.items() if not pm.has_plugin(name)
    )
    return listed


def export(timeline: Timeline, format: str, out: BinaryIO, **options: str) -> None:
    """Write `timeline` to the binary file `out` in `format`; options as the exporter lists them (strings)."""
    exporter = get_exporter(format)
    check_options(exporter, options)
    exporter.export(timeline, out, options)


def export_to_path(timeline: Timeline, format: str, path: str | os.PathLike[str], **options: str) -> None:
    """Like `export`, into the file at `path`, atomically: on any error an old file there stays as it was."""
    exporter = get_exporter(format)
    check_options(exporter, options)
    target = os.path.abspath(os.fspath(path))
    folder, base = os.path.split(target)
    temp = os.path.join(folder, f".{base}.{secrets.token_hex(6)}.tmp")
    # os.open with 0o666 lets the umask decide the mode, as for any new file (tempfile would force 0o600).
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            exporter.export(timeline, out, options)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileNotFoundError):  # replacing a file keeps its mode
            os.chmod(temp, os.stat(target).st_mode & 0o7777)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Make the rename durable; not every platform can open a folder, and then there is nothing to do."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

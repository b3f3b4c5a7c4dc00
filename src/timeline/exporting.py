"""The export API: a timeline written in a format some plugin provides, to a binary file or to a path.

`export_to_path` looks at what the path is. A regular file is replaced atomically
(`timeline._files.write_atomically`): the export goes to a temporary file in the same folder, with the mode of
the file it replaces, which is renamed over it only when complete and only when its bytes differ, so an
unchanged feed keeps its inode and mtime. Through a symlink, the file the link points to is replaced and the
link stays. A FIFO, a character device and an open descriptor (``/dev/stdout``, ``/dev/fd/N``) are written
into directly.
Temporary files left by a killed export are removed by the next export of the same path.

Filters: export ``Selection(tags=[...]).apply(timeline)`` (`timeline.projections.Selection`). Its render
cache is named by the selection too, so exports of one path with and without a selection (or with another
one) never take, nor replace, each other's pieces.
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
from typing import TYPE_CHECKING, BinaryIO

from timeline._files import CHUNK, Descriptor, write_atomically
from timeline.errors import OutputError, TimelineError
from timeline.exporters.base import check_options
from timeline.plugins import PluginError, get_plugin_manager

if TYPE_CHECKING:
    from collections.abc import Mapping

    from timeline import render_cache
    from timeline.exporters.base import Exporter
    from timeline.projections import Timeline

__all__ = ["export", "export_to_path"]

_SUFFIX = ".timeline-tmp"
_STANDARD_STREAMS = {"/dev/stdout": 1, "/dev/stderr": 2}
_FD_PATH = re.compile(r"/(?:dev/fd|proc/self/fd)/(\d+)")


def export(timeline: Timeline, format: str, out: BinaryIO, **options: str) -> None:
    """Write `timeline` to the binary file `out` in `format`; options as the exporter lists them (strings).

    An exporter that fails (or writes str) is a `PluginError` naming its plugin.
    """
    exporter = _exporter(format, options)
    _run(exporter, timeline, out, options)


def export_to_path(timeline: Timeline, format: str, path: str | os.PathLike[str], **options: str) -> None:
    """Like `export`, into the file at `path` (see the module's documentation for what kind of file is
    written how); an `OutputError` naming `path` when it cannot be written, the old file as it was."""
    exporter = _exporter(format, options)
    shown = os.fspath(path)
    try:
        _write(exporter, timeline, shown, options)
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from exc


def _exporter(format: str, options: Mapping[str, str]) -> Exporter:
    exporter = get_plugin_manager().get_exporter(format)
    check_options(exporter, options)
    return exporter


def _run(
    exporter: Exporter,
    timeline: Timeline,
    out: BinaryIO,
    options: Mapping[str, str],
    cache_file: render_cache.RenderCacheFile | None = None,
) -> None:
    try:
        if cache_file is None:
            exporter.export(timeline, out, options)
        else:  # only what changed since the last export of this file is rendered (timeline.render_cache)
            from timeline.render_cache import export_cached

            export_cached(timeline, exporter, out, options, cache_file)
    except (TimelineError, OSError):  # bad option values, or the file itself failing
        raise
    except Exception as exc:
        plugin = get_plugin_manager().plugin_of(exporter.name)
        raise PluginError(
            f"plugin {plugin!r} failed to export format {exporter.name!r}: {type(exc).__name__}: {exc}"
        ) from exc


def _write(exporter: Exporter, timeline: Timeline, path: str, options: Mapping[str, str]) -> None:
    descriptor = _descriptor(path)
    if descriptor is not None:  # an open descriptor: write at its offset, in its mode, as a shell would
        with io.BufferedWriter(Descriptor(os.dup(descriptor)), CHUNK) as out:
            _run(exporter, timeline, out, options)
        return
    try:
        old = os.stat(path)  # through symlinks
    except FileNotFoundError:
        old = None
    if old is not None and stat.S_ISDIR(old.st_mode):
        raise IsADirectoryError(errno.EISDIR, "it is a folder")
    if old is not None and not stat.S_ISREG(old.st_mode):
        with io.BufferedWriter(Descriptor(os.open(path, os.O_WRONLY)), CHUNK) as out:  # a FIFO, a device
            _run(exporter, timeline, out, options)
        return
    folder = os.path.dirname(os.path.realpath(path))  # through a symlink: the file it points to
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, f"no such folder {folder}")
    from timeline.render_cache import RenderCacheFile  # here: an export to standard output has no cache

    cache_file = RenderCacheFile.for_output(os.path.realpath(path), _cache_name(exporter, timeline))
    write_atomically(path, lambda out: _run(exporter, timeline, out, options, cache_file))


def _cache_name(exporter: Exporter, timeline: Timeline) -> str:
    """What an output's render cache is named by besides its path: the format, and the selection if any."""
    from timeline.projections.selection import SelectedTimeline  # here: its classes need inspect (attrs)

    if isinstance(timeline, SelectedTimeline) and timeline.selection:
        return f"{exporter.name}?{timeline.selection.scope}"
    return exporter.name


def _descriptor(path: str) -> int | None:
    """The file descriptor `path` names (/dev/stdout, /dev/fd/N, /proc/self/fd/N), if it names one."""
    if path in _STANDARD_STREAMS:
        return _STANDARD_STREAMS[path]
    found = _FD_PATH.fullmatch(path)
    return int(found.group(1)) if found else None

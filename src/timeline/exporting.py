"""The export API: a timeline written in a format some plugin provides, to a binary file or to a path.

`export_to_path` looks at what the path is. A regular file is replaced atomically: the export goes to a
temporary file in the same folder (named by `temporary_name`, with the mode of the file it replaces), which
is renamed over it only when complete and only when its bytes differ, so an unchanged feed keeps its inode
and mtime. Through a symlink, the file the link points to is replaced and the link stays. A FIFO, a
character device and an open descriptor (``/dev/stdout``, ``/dev/fd/N``) are written into directly.
Temporary files left by a killed export are removed by the next export of the same path.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import secrets
import stat
from typing import TYPE_CHECKING, BinaryIO

from timeline.errors import OutputError, TimelineError
from timeline.exporters.base import check_options
from timeline.plugins import PluginError, get_plugin_manager

if TYPE_CHECKING:
    from collections.abc import Mapping

    from timeline.exporters.base import Exporter
    from timeline.projections import Timeline

__all__ = ["export", "export_to_path", "is_temporary_file", "temporary_name"]

_SUFFIX = ".timeline-tmp"
_STANDARD_STREAMS = {"/dev/stdout": 1, "/dev/stderr": 2}
_FD_PATH = re.compile(r"/(?:dev/fd|proc/self/fd)/(\d+)")
_CHUNK = 1 << 16


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


def temporary_name(base: str, *, pid: int | None = None) -> str:
    """The name of a temporary file for the file named `base`: ``.BASE.PID.RANDOM.timeline-tmp``."""
    return f".{base}.{os.getpid() if pid is None else pid}.{secrets.token_hex(4)}{_SUFFIX}"


def is_temporary_file(name: str, base: str) -> bool:
    """Whether `name` is a temporary file `export_to_path` makes for the file named `base`."""
    return _temporary_pid(name, base) is not None


def _temporary_pid(name: str, base: str) -> int | None:
    found = re.fullmatch(rf"\.{re.escape(base)}\.(\d+)\.[0-9a-f]{{8}}{re.escape(_SUFFIX)}", name)
    return int(found.group(1)) if found else None


def _exporter(format: str, options: Mapping[str, str]) -> Exporter:
    exporter = get_plugin_manager().get_exporter(format)
    check_options(exporter, options)
    return exporter


def _run(exporter: Exporter, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
    try:
        exporter.export(timeline, out, options)
    except (TimelineError, OSError):  # bad option values, or the file itself failing
        raise
    except Exception as exc:
        plugin = get_plugin_manager().plugin_of(exporter.name)
        raise PluginError(
            f"plugin {plugin!r} failed to export format {exporter.name!r}: {type(exc).__name__}: {exc}"
        ) from exc


def _write(exporter: Exporter, timeline: Timeline, path: str, options: Mapping[str, str]) -> None:
    descriptor = _descriptor(path)
    if (
        descriptor is not None
    ):  # an open descriptor: write to it (its offset, its append mode), as a shell would
        with io.BufferedWriter(_Descriptor(os.dup(descriptor)), _CHUNK) as out:
            _run(exporter, timeline, out, options)
        return
    try:
        old = os.stat(path)  # through symlinks
    except FileNotFoundError:
        old = None
    if old is not None and stat.S_ISDIR(old.st_mode):
        raise IsADirectoryError(errno.EISDIR, "it is a folder")
    if old is not None and not stat.S_ISREG(old.st_mode):
        with io.BufferedWriter(_Descriptor(os.open(path, os.O_WRONLY)), _CHUNK) as out:  # a FIFO, a device
            _run(exporter, timeline, out, options)
        return
    folder, base = os.path.split(os.path.realpath(path))  # through a symlink: the file it points to
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, f"no such folder {folder}")
    _remove_stale_temporaries(folder, base)
    _replace(exporter, timeline, options, folder, base, old)


def _descriptor(path: str) -> int | None:
    """The file descriptor `path` names (/dev/stdout, /dev/fd/N, /proc/self/fd/N), if it names one."""
    if path in _STANDARD_STREAMS:
        return _STANDARD_STREAMS[path]
    found = _FD_PATH.fullmatch(path)
    return int(found.group(1)) if found else None


def _replace(
    exporter: Exporter,
    timeline: Timeline,
    options: Mapping[str, str],
    folder: str,
    base: str,
    old: os.stat_result | None,
) -> None:
    target = os.path.join(folder, base)
    temp = os.path.join(folder, temporary_name(base))
    # 0o666: the umask decides a new file's mode, as for any new file; a replaced one keeps its own.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with io.BufferedWriter(_Descriptor(fd), _CHUNK) as out:
            if old is not None:
                os.fchmod(fd, stat.S_IMODE(old.st_mode))
            _run(exporter, timeline, out, options)
            out.flush()
            os.fsync(fd)
        if old is not None and _same_bytes(temp, target):
            os.unlink(temp)  # an unchanged feed keeps its inode and mtime
            return
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_folder(folder)


class _Descriptor(io.RawIOBase):
    """A raw binary file over a descriptor, written with `os.write` (which reports a full disk as such)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def writable(self) -> bool:
        return True

    def write(self, data: object, /) -> int:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"a bytes-like object is required, not {type(data).__name__!r}")
        return os.write(self._fd, data)

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


def _same_bytes(a: str, b: str) -> bool:
    try:
        return _compare(a, b)
    except OSError:  # an old file we may replace but not read: replace it
        return False


def _compare(a: str, b: str) -> bool:
    if os.path.getsize(a) != os.path.getsize(b):
        return False
    with open(a, "rb") as left, open(b, "rb") as right:
        while True:
            chunk = left.read(_CHUNK)
            if chunk != right.read(_CHUNK):
                return False
            if not chunk:
                return True


def _remove_stale_temporaries(folder: str, base: str) -> None:
    """Remove the temporary files for `base` whose process is gone (a killed export)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            pid = _temporary_pid(entry.name, base)
            if pid is not None and pid != os.getpid() and not _alive(pid):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


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

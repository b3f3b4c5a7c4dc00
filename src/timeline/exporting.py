"""The export API: a timeline written in a format some plugin provides, to a binary file or a path."""

from __future__ import annotations

import contextlib
import os
import secrets
from typing import TYPE_CHECKING, BinaryIO

from timeline import render_cache
from timeline.exporters.base import check_options
from timeline.plugins import get_exporter

if TYPE_CHECKING:
    from timeline.projections import Timeline

__all__ = ["export", "export_to_path"]


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
            # The render cache of this output (timeline.render_cache): only what changed is rendered.
            cache_file = render_cache.RenderCacheFile.for_output(target, exporter.name)
            render_cache.export_cached(timeline, exporter, out, options, cache_file)
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

"""Files replaced atomically: the one place that writes a temporary file, syncs it and renames it.

A crash (or an error while writing) leaves the old file or the new one, never a mix; the rename is synced
too (the folder's fsync), so a power cut cannot bring the old file back after the call returned.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import BinaryIO

__all__ = ["sync_folder", "write_atomically"]


def write_atomically(path: str | os.PathLike[str], write: Callable[[BinaryIO], None]) -> None:
    """Replace the file at `path`, atomically, with what `write` writes into the file it gets.

    The new file gets the mode of the file it replaces (a new one: what the umask allows).
    On any error the temporary file is removed and the old file stays as it was.
    """
    target = os.path.abspath(os.fspath(path))
    folder, base = os.path.split(target)
    temp = os.path.join(folder, f".{base}.{secrets.token_hex(6)}.tmp")
    # os.open with 0o666 lets the umask decide the mode, as for any new file (tempfile would force 0o600).
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileNotFoundError):  # replacing a file keeps its mode
            os.chmod(temp, os.stat(target).st_mode & 0o7777)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    sync_folder(folder)


def sync_folder(folder: str | os.PathLike[str]) -> None:
    """Make a rename in `folder` durable; where a folder cannot be opened or synced there is nothing to do."""
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

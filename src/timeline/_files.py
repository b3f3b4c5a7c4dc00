"""Files replaced atomically: the one place that writes a temporary file, syncs it and renames it.

A crash (or an error while writing) leaves the old file or the new one, never a mix; the rename is synced
too (the folder's fsync), so a power cut cannot bring the old file back after the call returned. The
temporary file (`temporary_name`: ``.NAME.PID.RANDOM.timeline-tmp``) has the mode of the file it replaces
from the start; one left by a killed process is removed by the next write of the same path; and a file
whose bytes would not change is left alone (same inode, same mtime).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import BinaryIO

__all__ = ["Descriptor", "is_temporary_file", "locked", "sync_folder", "temporary_name", "write_atomically"]

_SUFFIX = ".timeline-tmp"
CHUNK = 1 << 16


def write_atomically(path: str | os.PathLike[str], write: Callable[[BinaryIO], None]) -> bool:
    """Replace the file at `path`, atomically, with what `write` writes into the file it gets; False if
    the file already held exactly those bytes (it is then left as it was).

    Through a symlink, the file it points to is replaced. On any error the temporary file is removed and the
    old file stays as it was.
    """
    target = os.path.realpath(os.fspath(path))
    folder, base = os.path.split(target)
    try:
        old: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        old = None
    _remove_stale_temporaries(folder, base)
    temp = os.path.join(folder, temporary_name(base))
    # 0o666: the umask decides a new file's mode, as for any new file (tempfile would force 0o600).
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with io.BufferedWriter(Descriptor(fd), CHUNK) as out:
            if old is not None:  # a replaced file keeps its mode, and is never readable by more meanwhile
                os.fchmod(fd, stat.S_IMODE(old.st_mode))
            write(out)
            out.flush()
            os.fsync(fd)
        if old is not None and _same_bytes(temp, target):
            os.unlink(temp)
            return False
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    sync_folder(folder)
    return True


def temporary_name(base: str, *, pid: int | None = None) -> str:
    """The name of a temporary file for the file named `base`, made by process `pid` (by default this one)."""
    # os.urandom as secrets.token_hex uses it: importing secrets (hmac, hashlib) would cost every start-up.
    return f".{base}.{os.getpid() if pid is None else pid}.{os.urandom(4).hex()}{_SUFFIX}"


def is_temporary_file(name: str, base: str) -> bool:
    """Whether `name` is a temporary file `write_atomically` makes for the file named `base`."""
    return _temporary_pid(name, base) is not None


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


class Descriptor(io.RawIOBase):
    """A raw binary file over a descriptor it owns, written with `os.write` (a full disk is an OSError)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def writable(self) -> bool:
        """Always: it is opened for writing."""
        return True

    def write(self, data: object, /) -> int:
        """Write bytes-like `data` (a `TypeError` for anything else, e.g. str); return the count written."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"a bytes-like object is required, not {type(data).__name__!r}")
        return os.write(self._fd, data)

    def close(self) -> None:
        """Close the descriptor (once)."""
        if not self.closed:
            os.close(self._fd)
        super().close()


def _temporary_pid(name: str, base: str) -> int | None:
    found = re.fullmatch(rf"\.{re.escape(base)}\.(\d+)\.[0-9a-f]{{8}}{re.escape(_SUFFIX)}", name)
    return int(found.group(1)) if found else None


def _remove_stale_temporaries(folder: str, base: str) -> None:
    """Remove the temporary files for `base` whose process is gone (a killed write)."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return  # no folder: creating the temporary file will say so
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
    except PermissionError:  # another user's process
        return True
    return True


def _same_bytes(a: str, b: str) -> bool:
    try:
        if os.path.getsize(a) != os.path.getsize(b):
            return False
        with open(a, "rb") as left, open(b, "rb") as right:
            while True:
                chunk = left.read(CHUNK)
                if chunk != right.read(CHUNK):
                    return False
                if not chunk:
                    return True
    except OSError:  # an old file that may be replaced but not read: replace it
        return False


@contextlib.contextmanager
def locked(path: str | os.PathLike[str], *, wait: bool = True, mode: int = 0o666) -> Iterator[bool]:
    """An exclusive advisory lock (`flock`) on the file at `path` (created with `mode` if missing), held
    inside the block; yields whether it was taken: always when `wait`, else only if nobody held it. Where
    there are no advisory locks (no `fcntl`: Windows) it yields True without one."""
    try:
        import fcntl
    except ImportError:
        yield True
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, mode)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing releases the lock

"""Compiled regular expressions kept between runs of the command, as pyc files keep a module's code.

`re` parses and compiles every pattern in Python (``re._parser``, ``re._compiler``) before the C engine
(``_sre``) makes the pattern object of the result. The modules a command imports compile about thirty
patterns at every start (json's scanner, gettext's plural forms, platform's version parser, argparse's, the
EDTF grammar of `timeline.when`): 5% of the instructions of ``timeline show`` on a small store, for a
result that is the same on every run. `install()` makes ``re._compiler.compile`` give the engine what an
earlier run computed for the same pattern and flags, from a cache file; on a miss it computes it as
``re._compiler.compile`` does (the same steps, kept beside it in CPython 3.11 to 3.13) and keeps it.

The engine checks the code it is given (a corrupt entry raises, and is computed again); the file's header
names the interpreter (its version, the engine's ``MAGIC``, the cache tag), so another interpreter's
file is read as empty. It lives where the interpreter writes bytecode, and is written as
`timeline._code_cache` writes its own: only when bytecode would be (not under ``PYTHONDONTWRITEBYTECODE``),
at exit after a run that compiled something new, atomically. Installed only by the console script.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import re
import sys

TYPE_CHECKING = False  # not typing's: imported before the collector is off (see _timeline_console)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

# Private modules of re (loaded with it), which have no type stubs; None where the interpreter has none.
_compiler: Any = sys.modules.get("re._compiler")
_parser: Any = sys.modules.get("re._parser")
_sre: Any = sys.modules.get("_sre")

__all__ = ["cache_path", "compile_cached", "install"]

#: The first entry of the file: what the entries in it were computed by.
_HEADER = (
    "timeline compiled patterns 1",
    sys.version,
    getattr(_sre, "MAGIC", None),
    sys.implementation.cache_tag,
)
#: At most this many entries are kept; past it, a run writes only what it used.
_MOST = 1000

_Key = tuple[str | bytes, int]  # (pattern, flags)
# What _sre.compile takes after the pattern: flags, code, groups - 1, group index, index group.
_Entry = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
_cache: dict[_Key, _Entry] = {}
_used: dict[_Key, _Entry] = {}
_dirty = False
_original: Callable[..., Any] | None = None


def cache_path() -> str | None:
    """Where the cache file is (or would be); None if the interpreter has no bytecode cache tag."""
    tag = sys.implementation.cache_tag
    if tag is None:
        return None
    folder = os.path.dirname(os.path.abspath(__file__))
    prefix = sys.pycache_prefix
    cache_folder = (
        os.path.join(prefix, folder.lstrip(os.sep)) if prefix else os.path.join(folder, "__pycache__")
    )
    return os.path.join(cache_folder, f"compiled-patterns.{tag}.marshal")


def install() -> None:
    """Make ``re`` compile the patterns it does not hold yet through `compile_cached` (once; nothing where
    ``re._compiler`` is not as expected)."""
    global _original, _cache
    if _original is not None or not callable(getattr(_sre, "compile", None)):
        return
    if not callable(getattr(_compiler, "_code", None)) or not callable(getattr(_parser, "parse", None)):
        return
    _cache = _load()
    _original = _compiler.compile
    _compiler.compile = compile_cached


def _load() -> dict[_Key, _Entry]:
    path = cache_path()
    if path is None:
        return {}
    try:
        with open(path, "rb") as file:
            header, entries = marshal.loads(file.read())
    except (OSError, EOFError, ValueError, TypeError):  # none yet, or not a file this module wrote
        return {}
    if header != _HEADER or not isinstance(entries, dict):
        return {}
    return entries


def compile_cached(pattern: Any, flags: int = 0) -> Any:
    """``re._compiler.compile(pattern, flags)``, from the cache file when an earlier run compiled the same."""
    global _dirty
    assert _original is not None
    if not isinstance(pattern, (str, bytes)) or flags & re.DEBUG:  # parsed already, or to be printed
        return _original(pattern, flags)
    key = (pattern, int(flags))
    entry = _cache.get(key)
    if entry is not None:
        try:
            made = _sre.compile(pattern, entry[0], entry[1], entry[2], dict(entry[3]), entry[4])
        except (RuntimeError, TypeError, ValueError, IndexError):  # a corrupt entry: computed again
            entry = None
        else:
            _used[key] = entry
            return made
    entry = _computed(pattern, flags)
    _cache[key] = _used[key] = entry
    if not _dirty and not sys.dont_write_bytecode:
        import atexit

        atexit.register(_save)
    _dirty = True
    return _sre.compile(pattern, entry[0], entry[1], entry[2], dict(entry[3]), entry[4])


def _computed(pattern: str | bytes, flags: int) -> _Entry:
    """What ``re._compiler.compile`` hands ``_sre.compile`` for `pattern` (re.error if it is not one)."""
    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    # As plain ints: the opcodes are int subclasses, which marshal does not write.
    return (int(flags | parsed.state.flags), [int(op) for op in code], parsed.state.groups - 1,
            groupindex, tuple(indexgroup))  # fmt: skip


def _save() -> None:
    """Write the cache file (at exit, after a run that compiled something new); never fails the run."""
    path = cache_path()
    if path is None or sys.dont_write_bytecode:
        return
    entries = _cache if len(_cache) <= _MOST else _used
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as file:
            file.write(marshal.dumps((_HEADER, entries)))
        os.replace(temporary, path)  # a reader sees the old file or the new one, never half of one
    except (OSError, ValueError):  # a read-only installation: compiled again next time, as without a cache
        with contextlib.suppress(OSError):
            os.unlink(temporary)

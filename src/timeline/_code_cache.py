"""Compiled code of generated source kept between runs, as pyc files keep a module's: start-up (issue 11).

attrs writes the source of each class's methods (``__init__``, ``__repr__``, ``__eq__``, ...) and compiles it
when the class is made, and the fast codec compiles a decoder per event class: the parser and compiler were a
quarter of the instructions of ``timeline show`` on a small store, for code that is the same on every run.

`compile_cached(source, filename, mode)` answers from a cache file what `compile` answered before for the
same source, file name and mode; `install()`, run when this module is imported (``timeline/__init__``
imports it before any class is made), makes attrs compile the methods of timeline's classes (and its
plugins', ``timeline_*``, and attrs's own when it imports attrs) through it. The cache is keyed by the whole
source text, so a changed class (a new field, another attrs version) simply misses; each file is for one
interpreter (its cache tag, version and optimisation level in the header). It lives where the interpreter
writes bytecode (``__pycache__`` beside this package, or under ``sys.pycache_prefix``) and is written only
when bytecode would be (not under ``PYTHONDONTWRITEBYTECODE``): once, at exit, after a run that compiled
something new, atomically (a temporary file renamed over it). A missing, stale, foreign or corrupt file is
read as empty: the code is compiled again.
"""

from __future__ import annotations

import builtins
import contextlib
import marshal
import os
import sys
from types import CodeType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

__all__ = ["cache_path", "compile_cached", "install"]

#: The first entry of the file: what the code objects in it were compiled by.
_HEADER = ("timeline generated code 1", sys.implementation.cache_tag, sys.version, sys.flags.optimize)
#: The modules whose attrs classes have their generated methods cached: timeline's, its plugins' and attrs's
#: own (made when attrs is imported: see `install`).
_CACHED_MODULES = ("timeline.", "timeline_", "attr.")
#: At most this many entries are kept; past it, a run writes only what it used.
_MOST = 2000

#: A number that no `hash` returns (their magnitude is below 2**63): the stand-in for one that varies by run.
_STAND_IN = 2**63

_Key = tuple[str, str]  # (file name, mode)
_Entry = tuple[str, CodeType, tuple[tuple[int, ...], ...]]  # (source, its code, where the stand-in is)
_cache: dict[_Key, _Entry] | None = None
_used: dict[_Key, _Entry] = {}
_dirty = False
#: The builtin, kept: `install` stands in for it while attrs is imported.
_BUILTIN_COMPILE = builtins.compile


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
    return os.path.join(cache_folder, f"generated-code.{tag}.marshal")


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


def compile_cached(source: str, filename: str, mode: str, *, varying: int | None = None) -> CodeType:
    """``compile(source, filename, mode)``, from the cache file when an earlier run compiled the same.

    `varying`: a number the source holds that differs from run to run (attrs writes ``hash(name)`` into a
    ``__hash__``, and string hashes are randomised per process): cached with a stand-in, put back on use.
    """
    global _cache, _dirty
    if _cache is None:
        _cache = _load()
    if varying is not None:
        source = source.replace(str(varying), str(_STAND_IN))
    key = (filename, mode)
    entry = _cache.get(key)
    if entry is None or len(entry) != 3 or entry[0] != source or not isinstance(entry[1], CodeType):
        code = _BUILTIN_COMPILE(source, filename, mode)
        entry = (source, code, tuple(_stand_ins(code)) if varying is not None else ())
        _cache[key] = entry
        if not _dirty and not sys.dont_write_bytecode:
            import atexit

            atexit.register(_save)
        _dirty = True
    _used[key] = entry
    code = entry[1]
    if varying is not None:
        for path in entry[2]:
            code = _put_back(code, path, varying)
    return code


def _stand_ins(const: object) -> list[tuple[int, ...]]:
    """Where the stand-in is in `const`: each a path of indices through constants (code objects, tuples)."""
    if type(const) is int and const == _STAND_IN:
        return [()]
    items = const.co_consts if isinstance(const, CodeType) else const if type(const) is tuple else ()
    return [(index, *path) for index, item in enumerate(items) for path in _stand_ins(item)]


def _put_back(const: Any, path: tuple[int, ...], number: int) -> Any:
    """`const` with `number` at `path` (one of `_stand_ins`), rebuilt along it."""
    if not path:
        return number
    items = list(const.co_consts if isinstance(const, CodeType) else const)
    items[path[0]] = _put_back(items[path[0]], path[1:], number)
    return const.replace(co_consts=tuple(items)) if isinstance(const, CodeType) else tuple(items)


def _save() -> None:
    """Write the cache file (at exit, after a run that compiled something new); never fails the run."""
    path = cache_path()
    if path is None or _cache is None or sys.dont_write_bytecode:
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


def _attrs_compile(source: Any, filename: Any, mode: Any, *args: Any, **kwargs: Any) -> Any:
    """What attrs' method builder calls for `compile`: cached for the classes of `_CACHED_MODULES`, the
    builtin for anything else."""
    if (
        not args
        and not kwargs
        and isinstance(source, str)
        and isinstance(filename, str)
        and filename.startswith("<attrs generated ")
        and filename.rpartition(" ")[2].startswith(_CACHED_MODULES)
    ):
        # What attrs puts in a __hash__: the hash of a name made as the file name is (attr._make).
        hashed = hash("<attrs generated hash " + filename.rpartition(" ")[2])
        return compile_cached(source, filename, mode, varying=hashed if str(hashed) in source else None)
    return _BUILTIN_COMPILE(source, filename, mode, *args, **kwargs)


def install() -> None:
    """Make attrs compile the methods of the classes made from now on through `compile_cached`.

    attrs looks `compile` up in its module's globals before the builtins; the name is set there only if the
    module is the one expected (it compiles generated methods) and has no `compile` of its own. If attrs is
    not imported yet, it is imported here with the builtin `compile` standing for `_attrs_compile` meanwhile:
    attrs makes its own classes (validators, ``Attribute``...) as it is imported, a sixth of a short
    command's instructions without the cache. The builtin is given back as soon as attrs is imported, and
    `_attrs_compile` passes every other call to it unchanged.
    """
    if "attr" not in sys.modules:
        namespace = vars(builtins)
        namespace["compile"] = _attrs_compile
        try:
            import attr  # noqa: F401  (its own classes' methods, compiled through the cache)
        finally:
            namespace["compile"] = _BUILTIN_COMPILE
    from attr import _make

    namespace = vars(_make)
    if "compile" not in namespace and "_compile_and_eval" in namespace:
        namespace["compile"] = _attrs_compile


install()

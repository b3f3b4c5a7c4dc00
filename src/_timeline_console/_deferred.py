"""Modules the command's imports name but a short command never uses, loaded on first use instead.

``import attrs`` imports `inspect` (and with it ast, dis and tokenize, a tenth of the instructions of
``timeline show`` on a small store), and its validators module, whose classes are made at once and call
``inspect.signature``; timeline uses neither when reading and showing a store. `defer(name)` puts in
``sys.modules`` a module object that runs the module's code the first time any attribute of it is read (or
set, or deleted), as `importlib.util.LazyLoader` does; so ``import inspect`` and ``from attr import
validators`` only bind it, and ``inspect.signature`` or ``from inspect import signature`` load it and work.
Unlike the LazyLoader it answers ``__spec__`` without loading: every ``import`` statement reads it (to
see if the module is being initialised), so a LazyLoader module is loaded by the next ``import`` of it.

Used by the console script only (a process of its own), never by ``import timeline``.
"""

from __future__ import annotations

import _thread
import sys
import types

TYPE_CHECKING = False  # not typing's: imported before the collector is off (see _timeline_console)
if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec
    from typing import Any

__all__ = ["DeferredModule", "defer"]

#: One lock for every first use: a thread that reads a module another thread is loading waits for it.
_LOCK = _thread.RLock()
#: The names being loaded now: a read from the module's own code (the loading thread) is a plain read.
_LOADING: set[str] = set()


class DeferredModule(types.ModuleType):
    """A module whose code runs at the first read, write or deletion of an attribute (``__spec__`` aside);
    then it is a plain module, the same object."""

    def __getattribute__(self, attr: str) -> Any:
        namespace = object.__getattribute__(self, "__dict__")
        if attr == "__spec__":
            return namespace["__spec__"]
        _load(self, namespace)
        return types.ModuleType.__getattribute__(self, attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        _load(self, object.__getattribute__(self, "__dict__"))
        types.ModuleType.__setattr__(self, attr, value)

    def __delattr__(self, attr: str) -> None:
        _load(self, object.__getattribute__(self, "__dict__"))
        types.ModuleType.__delattr__(self, attr)


def _load(module: DeferredModule, namespace: dict[str, Any]) -> None:
    """Run the module's code, once, unless it has run (or is running in this thread)."""
    name = namespace["__name__"]
    with _LOCK:
        if object.__getattribute__(module, "__class__") is not DeferredModule or name in _LOADING:
            return
        _LOADING.add(name)
        try:
            namespace["__spec__"].loader.exec_module(module)
        finally:
            _LOADING.discard(name)
            object.__setattr__(module, "__class__", types.ModuleType)


def defer(name: str) -> bool:
    """Put a `DeferredModule` for `name` in ``sys.modules``; False (nothing done) if it is imported already,
    is not found, or is not a module of source or bytecode (its parent package, if any, is not imported)."""
    if name in sys.modules:
        return False
    parent, _, _ = name.rpartition(".")
    path = None
    if parent:
        parent_spec = sys.modules[parent].__spec__ if parent in sys.modules else _find(parent, None)
        if parent_spec is None or not parent_spec.submodule_search_locations:
            return False
        path = list(parent_spec.submodule_search_locations)
    spec = _find(name, path)
    if spec is None or spec.origin is None or not hasattr(spec.loader, "exec_module"):
        return False
    if not spec.origin.endswith((".py", ".pyc")) or spec.submodule_search_locations is not None:
        return False  # an extension module, a package: loaded as usual
    module = types.ModuleType(name)
    # What the import system sets before it runs a module's code (importlib.util.module_from_spec).
    vars(module).update(__spec__=spec, __loader__=spec.loader, __file__=spec.origin, __package__=spec.parent)
    if spec.cached is not None:
        vars(module)["__cached__"] = spec.cached
    module.__class__ = DeferredModule
    sys.modules[name] = module
    return True


def _find(name: str, path: list[str] | None) -> ModuleSpec | None:
    """The spec the import system would find for `name` (the finders of ``sys.meta_path`` in turn), without
    importing anything."""
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is not None:
            spec: ModuleSpec | None = find_spec(name, path)
            if spec is not None:
                return spec
    return None

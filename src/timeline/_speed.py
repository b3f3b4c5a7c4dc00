"""Speed helpers shared by the codec, the stores, the projections and the exporters; each written once.

- `paused_gc()`: the garbage collector paused while a bulk operation builds objects that stay alive
  until it returns (decoding a page of rows, encoding a batch, a fold). Each allocation burst would
  otherwise trigger collections that traverse them all again: 1.3-3x on bulk decoding, a third of a
  100,000-event rebuild, 5-10% of a 1,000-event append here. Those objects make no reference cycles, so
  nothing piles up.
- `builder(cls)`: an attrs instance built from positional fields without keyword parsing or validators;
  `instance_code(cls)` the same for generated code, through `open_twin(cls)`.
- `json_chunks(...)`/`json_text(...)`: the C JSON encoder built once (``JSONEncoder.encode`` rebuilds it on
  every call, a fifth of the cost of encoding a small value).
"""

from __future__ import annotations

import functools
import gc
import json
import linecache
import types
import typing
from typing import Any

import attrs

from timeline._code_cache import compile_cached

if typing.TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "builder",
    "compile_function",
    "instance_code",
    "json_chunks",
    "json_text",
    "open_twin",
    "paused_gc",
    "slot_setters",
]


class paused_gc:
    """Disable automatic garbage collection in the block; restore it after (if it was enabled).

    A class, not a generator-based context manager: one-event appends enter it too, and this costs less.
    """

    __slots__ = ("_enabled",)

    def __enter__(self) -> None:
        self._enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self._enabled:
            gc.enable()


def compile_function(name: str, lines: list[str], names: dict[str, Any], *, label: str) -> Any:
    """Compile generated source defining function `name`, with `names` as its globals.

    The source gets a file name of its own (``<timeline generated LABEL-N>``) registered in `linecache`, as
    attrs and cattrs do, so a traceback through the generated function shows its lines.
    """
    source = "\n".join(lines) + "\n"
    filename = _unique_filename(label, source)
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace = dict(names)
    exec(compile_cached(source, filename, "exec"), namespace)
    return namespace[name]


def _unique_filename(label: str, source: str) -> str:
    """``<timeline generated LABEL>``, numbered only if that name shows other source already: the same on
    every run, so that the compiled code can be kept (timeline._code_cache)."""
    lines = source.splitlines(keepends=True)
    filename, count = f"<timeline generated {label}>", 1
    known = linecache.cache.get(filename)
    while known is not None and (len(known) < 3 or known[2] != lines):
        count += 1
        filename = f"<timeline generated {label}-{count}>"
        known = linecache.cache.get(filename)
    return filename


def slot_setters(cls: type, names: dict[str, Any]) -> dict[str, str]:
    """The name, in generated code, of a function setting each field of a (frozen) attrs instance.

    A slotted class's slot descriptor sets a field about twice as fast as ``object.__setattr__``.
    """
    out = {}
    for field in attrs.fields(cls):
        slot = getattr(cls, field.name, None)
        if isinstance(slot, types.MemberDescriptorType):
            names[f"_set_{field.name}"] = slot.__set__
        else:  # no slots: go through object.__setattr__ (past a frozen class's refusal)
            names[f"_set_{field.name}"] = functools.partial(_set_named, field.name)
        out[field.name] = f"_set_{field.name}"
    return out


def _set_named(name: str, obj: object, value: Any) -> None:
    object.__setattr__(obj, name, value)


def open_twin(cls: type) -> type | None:
    """A subclass of `cls` adding no field and setting attributes the plain way (past a frozen class's
    refusal), whose instances become instances of `cls` by ``o.__class__ = cls``; None where Python refuses
    that assignment.

    Why: on a frozen slotted class each field set through its slot descriptor is a call (see `slot_setters`);
    on the twin it is one specialised bytecode (decoding the benchmark mix: 3.9 -> 2.8 us an event). The
    twin's ``__delattr__`` is object's too: a Python-level one would route every set through Python as well.
    """
    if cls not in _TWINS:
        _TWINS[cls] = _make_twin(cls)
    return _TWINS[cls]


_TWINS: dict[type, type | None] = {}


def _make_twin(cls: type) -> type | None:
    namespace = {
        "__slots__": (),
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
        "__module__": cls.__module__,
        "__qualname__": f"{cls.__qualname__}._OpenTwin",
        "__doc__": f"A {cls.__name__} being built (see timeline._speed.open_twin).",
    }
    try:
        twin = type(f"_Open{cls.__name__}", (cls,), namespace)
        probe: Any = object.__new__(twin)
        probe.__class__ = cls
    except TypeError:  # a layout Python will not swap, a class that cannot be subclassed
        return None
    return twin


def instance_code(cls: type, names: dict[str, Any]) -> tuple[str, Callable[[str, str], str], list[str]]:
    """How generated code builds an instance of `cls` in the local ``o`` without ``__init__``: the statement
    making ``o``, a function giving the statement that sets a field to an expression, and the statements
    that finish ``o`` (helpers go into `names`). Through `open_twin` where it can, else `slot_setters`."""
    names["_new"], names["_cls"] = object.__new__, cls
    twin = open_twin(cls)
    if twin is not None:
        names["_twin"] = twin
        return "o = _new(_twin)", lambda name, expr: f"o.{name} = {expr}", ["o.__class__ = _cls"]
    setters = slot_setters(cls, names)
    return "o = _new(_cls)", lambda name, expr: f"{setters[name]}(o, {expr})", []


def builder(cls: type) -> Callable[..., Any]:
    """A function taking the fields of `cls` in order, positionally, and returning an instance built without
    running validators or ``__attrs_post_init__``: for classes without either, the same as calling the class,
    only faster (e.g. the store's `Recorded`, built once per event read)."""
    names: dict[str, Any] = {}
    start, assign, finish = instance_code(cls, names)
    fields = [field.name for field in attrs.fields(cls)]
    params = [f"a{i}" for i in range(len(fields))]  # not the field names: one may be called `o`
    lines = [f"def build({', '.join(params)}):", f"    {start}"]
    lines += [f"    {assign(name, param)}" for name, param in zip(fields, params, strict=True)]
    lines += [f"    {line}" for line in finish]
    lines.append("    return o")
    return typing.cast("Callable[..., Any]", compile_function("build", lines, names, label=cls.__name__))


_SAMPLE = {"a": [1, -2.5, 'é \n\u2028 "x"', None, True, {"b": {}}], "": []}


def json_chunks(item_separator: str = ",", key_separator: str = ":") -> Callable[[Any, int], Any] | None:
    """The C encoder behind ``JSONEncoder(ensure_ascii=False, separators=..., check_circular=False).encode``,
    built once; call it as ``"".join(chunks(value, 0))``. None where it is missing or answers differently
    (another Python)."""
    reference = _reference(item_separator, key_separator)
    make: Any = getattr(json.encoder, "c_make_encoder", None)
    try:
        encode = make(
            None,
            reference.default,
            json.encoder.encode_basestring,
            None,
            key_separator,
            item_separator,
            False,
            False,
            True,
        )
    except TypeError:  # None, or another signature
        return None
    chunks = typing.cast("Callable[[Any, int], Any]", encode)
    return chunks if "".join(chunks(_SAMPLE, 0)) == reference.encode(_SAMPLE) else None


def json_text(item_separator: str = ",", key_separator: str = ":") -> Callable[[Any], str]:
    """JSON text (UTF-8, not ASCII-escaped, no circular check: for trees) of a JSON-ready value, with these
    separators; the C encoder built once where it can be (see `json_chunks`)."""
    chunks = json_chunks(item_separator, key_separator)
    if chunks is None:
        return _reference(item_separator, key_separator).encode

    def fast(value: Any) -> str:
        return "".join(chunks(value, 0))

    return fast


def _reference(item_separator: str, key_separator: str) -> json.JSONEncoder:
    return json.JSONEncoder(
        ensure_ascii=False, separators=(item_separator, key_separator), check_circular=False
    )

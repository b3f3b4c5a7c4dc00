"""Fast paths of the codec: per-class functions, generated from the attrs fields, that skip cattrs' dispatch.

`encoder(cls)` gives a function event -> JSON dict equal (keys in the same order) to what the cattrs converter
makes; `decoder(cls)` gives a function stored JSON dict -> event that trusts its input: it is what the store
wrote, validated on the way in, so field validators are not run again (``__attrs_post_init__`` still is).
Both return None for a class with a field type they do not know (a plugin's), which then goes the cattrs way.
tests/store/test_codec_fast_path.py proves them equal to the cattrs path.

Why generated code: on bulk reads and appends the codec is most of the cost, and a straight-line function per
class does in one call what cattrs does in a dozen (it dispatches on every optional and tuple at run time).

`dumper(cls)` writes the dict with `orjson` (3x the stdlib's C encoder here, whose chunk list costs more than
the dict), whose output is byte for byte what ``json.dumps(..., ensure_ascii=False, separators=(",", ":"))``
writes for the values these classes hold: strings, bools, whole numbers, lists and dicts of them
(tests/test_codec_orjson.py proves it). What orjson refuses (a whole number past 64 bits, a lone surrogate)
goes to the stdlib encoder, as before, and so does a class with a free-form field (``dict[str, Any]``, a
correction's changes: a float or a non-text key there is written differently by the two).
"""

from __future__ import annotations

import functools
import sys
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import orjson

from timeline._speed import compile_function, instance_code, json_chunks, json_text
from timeline.when import When

Encoder = Callable[[Any], dict[str, Any]]
Decoder = Callable[[dict[str, Any]], Any]

# Factories whose result is the same every call, so "equal to the default" can be checked against one value.
_PURE_FACTORIES: tuple[Callable[[], Any], ...] = (tuple, list, dict, frozenset)


# When.parse is cached already; this cache answers a hit without entering Python code (most `when`s repeat).
_when = functools.lru_cache(maxsize=4096)(When.parse)


#: What a generated decoder raises on a dict `encoder` could not have made: a missing or unknown key
#: (KeyError), a value of the wrong type (TypeError, AttributeError), a value a field type refuses
#: (ValueError, which ValidationError is, or ArithmeticError: decimal's InvalidOperation).
DECODE_ERRORS: tuple[type[Exception], ...] = (
    KeyError,
    TypeError,
    AttributeError,
    ValueError,
    ArithmeticError,
)


def _not_whole(value: Any) -> int:
    raise TypeError(f"expected a whole number, got {value!r}")


class _Unsupported(Exception):
    """A field type (or attrs feature) the fast path does not handle."""


@attrs.frozen
class _Field:
    """How to encode and decode one field: expressions over the local ``v`` (the value), and its default."""

    name: str
    encode: str  # an expression of v: the JSON value of the field
    decode: str  # an expression of v: the field value from its JSON value
    default: Any  # attrs.NOTHING, a value, or a (pure) attrs.Factory
    always: bool  # encoded even when equal to its default (cattrs: a factory that is not pure)


def _convert(tp: Any, names: dict[str, Any], var: str = "v", *, encode: bool = True) -> tuple[str, str]:
    """The (encode, decode) expressions of `var` for a value of type `tp`; helpers go into `names`.

    Without `encode`, only the decode expression is meant to be used: a field's class gets no encoder.
    """
    if tp in (str, bool):
        return var, var
    if tp is int:  # orjson reads a whole number past 64 bits as a float: refused, the caller falls back
        names["_int"], names["_not_whole"] = int, _not_whole
        return var, f"({var} if {var}.__class__ is _int else _not_whole({var}))"
    if tp is When:
        names["_when"] = _when
        return f"{var}.text", f"_when({var})"
    if tp is Decimal:
        names["_Decimal"] = Decimal
        return f"str({var})", f"_Decimal({var})"
    if tp == dict[str, Any]:
        names["_free_form"] = True
        return f"dict({var})", f"dict({var})"
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        enc, dec = _convert(args[0] if args[1] is type(None) else args[1], names, var, encode=encode)
        if enc == dec == var:
            return var, var
        return f"None if {var} is None else {enc}", f"None if {var} is None else {dec}"
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = var + "_"
        enc, dec = _convert(args[0], names, item, encode=encode)
        if enc == dec == item:
            return f"list({var})", f"tuple({var})"
        if attrs.has(args[0]):  # map, not a comprehension: in Python 3.11 that is a function built per call
            token = class_token(args[0])
            return f"list(map(_enc_{token}, {var}))", f"tuple(map(_dec_{token}, {var}))"
        return f"[{enc} for {item} in {var}]", f"tuple([{dec} for {item} in {var}])"
    if attrs.has(tp):
        dec_fn = decoder(tp)
        enc_fn = encoder(tp) if encode else None  # both or neither are supported: one set of fields
        if dec_fn is None or (encode and enc_fn is None):
            raise _Unsupported(tp)
        token = class_token(tp)
        names[f"_enc_{token}"] = enc_fn
        names[f"_dec_{token}"] = dec_fn
        if tp in _FREE_FORM:
            names["_free_form"] = True
        return f"_enc_{token}({var})", f"_dec_{token}({var})"
    raise _Unsupported(tp)


_TOKENS: dict[type, str] = {}


def class_token(cls: type) -> str:
    """A name for `cls` in generated code (here and in other generators): from its module and qualified
    name, so the same on every run (the compiled code is kept: timeline._code_cache), numbered if another
    class took it (two may share a name)."""
    if cls not in _TOKENS:
        base = "".join(c if c.isalnum() else "_" for c in f"{cls.__module__}.{cls.__qualname__}")
        token, count, taken = base, 1, set(_TOKENS.values())
        while token in taken:
            count += 1
            token = f"{base}_{count}"
        _TOKENS[cls] = token
    return _TOKENS[cls]


def _fields(cls: type, names: dict[str, Any], *, encode: bool = True) -> list[_Field]:
    out = []
    for field in attrs.fields(cls):
        if not field.init or field.converter is not None or field.alias != field.name:
            raise _Unsupported(field.name)
        enc, dec = _convert(_field_type(cls, field.name), names, encode=encode)
        default = field.default
        always = isinstance(default, attrs.Factory) and (  # type: ignore[arg-type]
            default.takes_self or default.factory not in _PURE_FACTORIES
        )
        out.append(_Field(name=field.name, encode=enc, decode=dec, default=default, always=always))
    return out


def _field_type(cls: type, name: str) -> Any:
    """The type of field `name` of `cls`, its annotation evaluated in the module of the class that declares
    it, as `typing.get_type_hints` does; but each annotation text is evaluated once per module, where
    get_type_hints compiles every annotation of every class again (most of a command's decoder set-up)."""
    for klass in cls.__mro__:
        annotation = _own_annotations(klass).get(name, _MISSING)
        if annotation is not _MISSING:
            return _evaluated(klass.__module__, annotation) if isinstance(annotation, str) else annotation
    raise _Unsupported(name)


def _own_annotations(klass: type) -> dict[str, Any]:
    """The annotations `klass` itself declares, as `inspect.get_annotations` gives them; before Python 3.14
    read from the class's dict as it does, without importing inspect (the console script defers it)."""
    if sys.version_info < (3, 14):
        own = vars(klass).get("__annotations__")
        return own if isinstance(own, dict) else {}
    import inspect

    return inspect.get_annotations(klass)


_MISSING = object()


@functools.cache
def _evaluated(module: str, annotation: str) -> Any:
    return eval(annotation, vars(sys.modules[module]))  # a class's own annotation, as typing does


def _default_value(field: _Field) -> Any:
    default = field.default
    return default.factory() if isinstance(default, attrs.Factory) else default  # type: ignore[arg-type]


_ENCODERS: dict[type, Encoder | None] = {}
_DUMPERS: dict[type, Callable[[Any], str] | None] = {}
_DECODERS: dict[type, Decoder | None] = {}
#: The classes whose JSON holds a free-form value (``dict[str, Any]``), directly or in a field's class.
_FREE_FORM: set[type] = set()
_JSON = json_text()
_CHUNKS = json_chunks()


def encoder(cls: type) -> Encoder | None:
    """A function: instance of `cls` -> the dict cattrs (omit_if_default) makes of it; None if unsupported.

    Keys come as cattrs orders them: fields without a default, then those that differ from their default.
    For an event class, ``type`` and ``id`` come first (as `timeline.codec.to_json` puts them).
    """
    if cls not in _ENCODERS:
        _ENCODERS[cls] = _make_encoder(cls)
    return _ENCODERS[cls]


def dumper(cls: type) -> Callable[[Any], str] | None:
    """A function: instance of `cls` -> the compact JSON text of what `encoder` makes, in one call."""
    if cls not in _DUMPERS:
        _DUMPERS[cls] = _make_encoder(cls, to_text=True)
    return _DUMPERS[cls]


def decoder(cls: type) -> Decoder | None:
    """A function: the dict `encoder` makes -> an instance of `cls`; None if unsupported. (``type`` is
    ignored: the caller chose `cls` by it.)

    Raises one of `DECODE_ERRORS` on a dict that `encoder` could not have made: the caller falls back to
    the validating path, which explains the problem.
    """
    if cls not in _DECODERS:
        _DECODERS[cls] = _make_decoder(cls)
    return _DECODERS[cls]


def holds_free_form(cls: type) -> bool:
    """Whether the JSON of `cls` holds a free-form value (``dict[str, Any]``), directly or in a field's class:
    orjson would write and read its floats and big numbers differently (and `decoder` cannot check them)."""
    encoder(cls)
    return cls in _FREE_FORM


def _ordered(cls: type, fields: list[_Field]) -> tuple[list[_Field], list[_Field]]:
    """(the fields always written, in order: ``id`` first for an event class, then those without a default
    or with an impure factory; the fields written only when they differ from their default)."""
    first = [f for f in fields if f.name == "id"] if getattr(cls, "TYPE", None) else []
    required = [f for f in fields if f not in first and (f.default is attrs.NOTHING or f.always)]
    optional = [f for f in fields if f not in first and f not in required]
    return first + required, optional


@attrs.frozen(kw_only=True)
class WrittenField:
    """A field as `encoder` writes it: its name, its type, and when it is left out."""

    name: str
    type: Any
    default: Any
    """The value whose field is left out (compared with ``!=``, or ``is`` for None); `attrs.NOTHING` for a
    field always written."""


def written_fields(cls: type) -> list[WrittenField] | None:
    """The fields of `cls` in the order `encoder` writes their keys (after ``type``); None if unsupported
    (`encoder` then returns None too). For other writers of the same JSON (the JSON exporter's text)."""
    try:
        fields = _fields(cls, {})
    except _Unsupported:
        return None
    hints = typing.get_type_hints(cls)
    required, optional = _ordered(cls, fields)
    return [WrittenField(name=f.name, type=hints[f.name], default=attrs.NOTHING) for f in required] + [
        WrittenField(name=f.name, type=hints[f.name], default=_default_value(f)) for f in optional
    ]


def _make_encoder(cls: type, *, to_text: bool = False) -> Any:
    names: dict[str, Any] = {
        "_json": _JSON,
        "_chunks": _CHUNKS,
        "_join": "".join,
        "_orjson": orjson.dumps,
        "_OrjsonRefused": orjson.JSONEncodeError,
    }
    try:
        fields = _fields(cls, names)
    except _Unsupported:
        return None
    tag = getattr(cls, "TYPE", None)
    required, optional = _ordered(cls, fields)
    lines = ["def encode(o):"]
    for f in required:
        lines.append(f"    v = o.{f.name}")
        lines.append(f"    f_{f.name} = {f.encode}")  # prefixed: a field may be called `o` or `res`
    items = ([f"'type': {tag!r}"] if tag else []) + [f"{f.name!r}: f_{f.name}" for f in required]
    lines.append(f"    res = {{{', '.join(items)}}}")
    for f in optional:
        default = _default_value(f)
        names[f"_default_{f.name}"] = default
        test = "is not None" if default is None else f"!= _default_{f.name}"
        lines += [f"    v = o.{f.name}", f"    if v {test}:", f"        res[{f.name!r}] = {f.encode}"]
    # The stdlib's C encoder called here rather than through _json: one Python call less per event.
    stdlib = "_join(_chunks(res, 0))" if _CHUNKS else "_json(res)"
    if names.get("_free_form"):
        _FREE_FORM.add(cls)
    if not to_text:
        lines.append("    return res")
    elif names.get("_free_form"):
        lines.append(f"    return {stdlib}")
    else:
        lines += [
            "    try:",
            "        return _orjson(res).decode()",
            "    except _OrjsonRefused:  # a number past 64 bits, a lone surrogate: the stdlib writes them",
            f"        return {stdlib}",
        ]
    return compile_function("encode", lines, names, label=f"encode {cls.__qualname__}")


def _make_decoder(cls: type) -> Decoder | None:
    names: dict[str, Any] = {"_absent": object()}
    try:
        fields = _fields(cls, names, encode=False)
    except _Unsupported:
        return None
    names["_known"] = frozenset(f.name for f in fields) | ({"type"} if getattr(cls, "TYPE", None) else set())
    start, assign, finish = instance_code(cls, names)
    lines = [
        "def decode(d):",
        "    if not d.keys() <= _known:",
        "        raise KeyError(sorted(d.keys() - _known))",
        f"    {start}",
    ]
    for f in fields:
        if f.default is attrs.NOTHING:
            lines += [f"    v = d[{f.name!r}]", f"    {assign(f.name, f.decode)}"]
            continue
        names[f"_default_{f.name}"] = f.default
        if isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
            names[f"_default_{f.name}"] = f.default.factory
            fallback = f"_default_{f.name}()"
        else:
            fallback = f"_default_{f.name}"
        if f.decode == "v" and not isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
            lines.append(f"    {assign(f.name, f'd.get({f.name!r}, {fallback})')}")
            continue
        lines += [
            f"    v = d.get({f.name!r}, _absent)",
            f"    {assign(f.name, f'{fallback} if v is _absent else {f.decode}')}",
        ]
    lines += [f"    {line}" for line in finish]
    if hasattr(cls, "__attrs_post_init__"):
        lines.append("    o.__attrs_post_init__()")
    lines.append("    return o")
    return typing.cast(
        "Decoder", compile_function("decode", lines, names, label=f"decode {cls.__qualname__}")
    )

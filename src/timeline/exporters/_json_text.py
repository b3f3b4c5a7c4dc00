"""An event's JSON text as the JSON exporter writes it, from generated code instead of a dict encoded.

The export's ``"event"`` is ``to_json(event)`` written by the stdlib encoder with ``", "`` and ``": "``
separators (orjson writes none, so it cannot write these bytes). `event_text(cls)` gives a function,
generated per class from the fields `timeline._fastcodec.encoder` writes (in its order, leaving out what it
leaves out), that writes that text directly: each string through the encoder's own C string function, the
rest spelled as the stdlib spells it; no dict built, none walked again. Anything the generated code does
not expect (a value of another type than its field's) raises `TypeError`, and the caller writes that event
the reference way; a class with a field type it does not know gets None.
tests/exporters/test_json_event_text.py proves the text equal to the reference for generated events of
every built-in type.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from timeline._fastcodec import class_token, written_fields
from timeline._speed import compile_function, json_text
from timeline._unknown import UnknownEvent, UnknownOccurrence
from timeline.when import When

__all__ = ["EventText", "event_text", "reference_text"]

EventText = Callable[[Any], tuple[str, str, str]]
"""event -> (its type tag as JSON text, its JSON text, the JSON text of its sources: ``[]`` if none)."""

reference_text: Callable[[Any], str] = json_text(", ", ": ")
"""The stdlib encoder with the export's separators (UTF-8, not ASCII-escaped), built once."""

_string = json.encoder.encode_basestring  # the C function the stdlib encoder writes strings with
_TEXTS: dict[type, Callable[[Any], str] | None] = {}
_EVENT_TEXTS: dict[type, EventText | None] = {}


class _Unsupported(Exception):
    """A field type this module does not write."""


def _names() -> dict[str, Any]:
    return {"_s": _string, "_ref": reference_text, "_int_repr": int.__repr__, "_int": int, "_str": str}


def _text(tp: Any, names: dict[str, Any], var: str) -> str:
    """An expression of `var` (a value of type `tp`): the JSON text the stdlib writes of what the
    encoder makes of it."""
    if tp is str:
        return f"_s({var})"  # TypeError for anything but a str
    if tp is bool:  # a bool is written true/false; anything else that got there as the stdlib writes it
        return f"('true' if {var} is True else 'false' if {var} is False else _ref({var}))"
    if tp is int:
        return f"(_int_repr({var}) if {var}.__class__ is _int else _ref({var}))"
    if tp is When:
        return f"_s({var}.text)"
    if tp is Decimal:
        return f"_s(_str({var}))"
    if tp == dict[str, Any]:
        return f"_ref(dict({var}))"
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        return f"('null' if {var} is None else {_text(_not_none(tp), names, var)})"
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        if item is str:
            each = f"map(_s, {var})"
        elif attrs.has(item):
            each = f"map({_nested(item, names)}, {var})"
        else:
            each = f"[{_text(item, names, var + '_')} for {var}_ in {var}]"
        return f"('[' + ', '.join({each}) + ']' if {var} else '[]')"
    if attrs.has(tp):
        return f"{_nested(tp, names)}({var})"
    raise _Unsupported(tp)


def _not_none(tp: Any) -> Any:
    """``X`` of ``X | None`` (`tp` itself if it is not that)."""
    args = typing.get_args(tp)
    if len(args) == 2 and type(None) in args:
        return args[0] if args[1] is type(None) else args[1]
    return tp


def _nested(cls: type, names: dict[str, Any]) -> str:
    """The name, in `names`, of the text function of value class `cls`."""
    function = value_text(cls)
    if function is None:
        raise _Unsupported(cls)
    name = f"_text_{class_token(cls)}"  # the same every run (its code is kept: timeline._code_cache)
    names[name] = function
    return name


def _body(cls: type, names: dict[str, Any]) -> tuple[list[str], str]:
    """Statements leaving each written key's text in a local (the sources' text in ``src``), and the
    f-string of the object's text from them; one string built at the end, not a list joined."""
    fields = written_fields(cls)
    if fields is None:
        raise _Unsupported(cls)
    lines = ["    src = '[]'"]
    pieces: list[str] = []  # f-string parts: literal text, or {local}
    tag = getattr(cls, "TYPE", None)
    if tag is not None:
        names["_type"] = _string(tag)
        pieces.append('"type": {_type}')
    # A class whose first key may be left out (every field optional) writes ", " before each key and
    # drops the first two characters.
    leading = tag is None and (not fields or fields[0].default is not attrs.NOTHING)
    for number, field in enumerate(fields):
        key = _string(field.name) + ": "
        kind = field.type
        if field.default is None and typing.get_origin(kind) in (typing.Union, types.UnionType):
            kind = _not_none(kind)  # left out when None: never written null
        text = _text(kind, names, "v")
        local = f"t{number}"
        lines.append(f"    v = o.{field.name}")
        if field.name == "sources":
            lines.append(f"    src = {text}")
            text = "src"
        if field.default is attrs.NOTHING:
            comma = ", " if pieces or leading else ""
            lines.append(f"    {local} = {text}")
            pieces.append(f"{comma}{key}{{{local}}}")
            continue
        names[f"_key{number}"] = ", " + key
        names[f"_default{number}"] = field.default
        test = "v is None" if field.default is None else f"v == _default{number}"
        if field.default is not None:  # what the encoder tests: != (an object may define both apart)
            test = f"not (v != _default{number})"
        lines.append(f"    {local} = '' if {test} else _key{number} + {text}")
        pieces.append(f"{{{local}}}")
    body = "".join(pieces)
    if leading:
        return lines, f"'{{' + f'{body}'[2:] + '}}'"
    return lines, f"f'{{{{{body}}}}}'"


def value_text(cls: type) -> Callable[[Any], str] | None:
    """A function: instance of value class `cls` -> its JSON text; None if unsupported."""
    if cls not in _TEXTS:
        _TEXTS[cls] = None  # a class that holds itself is not supported
        names = _names()
        try:
            lines, result = _body(cls, names)
        except _Unsupported:
            return None
        lines = ["def text(o):", *lines, f"    return {result}"]
        _TEXTS[cls] = compile_function("text", lines, names, label=f"json text {cls.__qualname__}")
    return _TEXTS[cls]


def event_text(cls: type) -> EventText | None:
    """The `EventText` function of event class `cls`; None if unsupported (write it the reference way)."""
    if cls not in _EVENT_TEXTS:
        _EVENT_TEXTS[cls] = None
        tag = getattr(cls, "TYPE", None)
        names = _names()
        try:
            if not isinstance(tag, str) or issubclass(cls, (UnknownEvent, UnknownOccurrence)):
                raise _Unsupported(cls)  # an unknown type's JSON is its stored data
            lines, result = _body(cls, names)
        except _Unsupported:
            return None
        lines = ["def text(o):", *lines, f"    return _type, {result}, src"]
        label = f"json event text {cls.__qualname__}"
        _EVENT_TEXTS[cls] = compile_function("text", lines, names, label=label)
    return _EVENT_TEXTS[cls]

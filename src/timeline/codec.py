"""The codec: events to JSON-ready dicts and back, with schema versions and upcasters.

One cattrs converter per direction of trust: `from_json` validates user input in detail (every error names its
field path); `decode` reads what the store wrote, which was validated on the way in, with a faster converter.
The tagged union on ``type`` is a dict lookup in `timeline.events.EVENT_TYPES`, so plugins can add types.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, get_args, get_origin

import attrs

from timeline import _fastcodec, _unknown
from timeline._speed import json_text
from timeline.errors import ValidationError
from timeline.events import EVENT_TYPES, Event, find_event_type
from timeline.values import Quantity
from timeline.when import When

if TYPE_CHECKING:  # cattrs itself is imported on first use of a converter (`_checked`, `_fast`): start-up
    import cattrs

JSONDict = dict[str, Any]
Upcaster = Callable[[JSONDict], JSONDict]

#: (type tag, version) -> function turning a stored dict of that version into the next version.
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def register_upcaster(type_tag: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Decorator: register the function that upcasts `type_tag` records from `from_version` to the next."""

    def register(fn: Upcaster) -> Upcaster:
        UPCASTERS[(type_tag, from_version)] = fn
        return fn

    return register


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, Decimal) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _expect(kind: type, name: str) -> Callable[[Any, Any], Any]:
    def structure(value: Any, _: Any) -> Any:
        if type(value) is not kind:  # bool is not an int here, and int is not a str
            raise ValidationError(f"expected {name}, got {_describe(value)}")
        return value

    return structure


def _structure_decimal(value: Any, _: Any) -> Decimal:
    if isinstance(value, float):
        raise ValidationError(f'{value!r} is a float; write the amount as a decimal string such as "6000000"')
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValidationError(f"expected a decimal string, got {_describe(value)}")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise ValidationError(f"{_describe(value)} is not a decimal number") from None
    if not result.is_finite():
        raise ValidationError(f"{_describe(value)} is not a finite amount")
    return result


def _structure_when(value: Any, _: Any) -> When:
    if not isinstance(value, str):
        raise ValidationError(f"expected an EDTF date string, got {_describe(value)}")
    try:
        return When.parse(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def _object_hook(conv: cattrs.Converter, cls: type) -> Callable[[Any, Any], Any]:
    """The converter's own hook for an attrs class, refusing anything but a JSON object first."""
    structure: Callable[[Any, Any], Any] = conv.gen_structure_attrs_fromdict(cls)
    names = [f'"{a.name}"' for a in attrs.fields(cls) if a.default is attrs.NOTHING]
    shape = f"an object with {' and '.join(names)}" if names else "an object"

    def structure_object(value: Any, tp: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ValidationError(f"expected {shape}, got {_describe(value)}")
        return structure(value, tp)

    return structure_object


def _is_homogeneous_tuple(tp: Any) -> bool:
    return get_origin(tp) is tuple and len(get_args(tp)) == 2 and get_args(tp)[1] is Ellipsis


def _make_converter(*, detailed: bool) -> cattrs.Converter:
    import cattrs
    from cattrs.errors import BaseValidationError

    conv = cattrs.Converter(omit_if_default=True, forbid_extra_keys=True, detailed_validation=detailed)
    # Hooks for leaf types go first: cattrs captures them when it generates the class hooks.
    conv.register_structure_hook(str, _expect(str, "a string"))
    conv.register_structure_hook(int, _expect(int, "a whole number"))
    conv.register_structure_hook(bool, _expect(bool, "true or false"))
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(When, _structure_when)
    conv.register_unstructure_hook(When, str)
    conv.register_structure_hook_func(lambda tp: tp == dict[str, Any], _structure_changes)
    conv.register_structure_hook_factory(attrs.has, functools.partial(_object_hook, conv))
    conv.register_unstructure_hook_func(lambda tp: tp == dict[str, Any], dict)

    quantity_hook = conv.get_structure_hook(Quantity)

    def structure_quantity(value: Any, tp: Any) -> Quantity:
        if type(value) is int:  # "count": 250 is shorthand for {"value": 250}
            return Quantity(value=value)
        if not isinstance(value, Mapping):
            raise ValidationError(
                f'expected a whole number or an object with "value", got {_describe(value)}'
            )
        return quantity_hook(value, tp)  # type: ignore[no-any-return]

    conv.register_structure_hook(Quantity, structure_quantity)

    def tuple_factory(tp: Any) -> Callable[[Any, Any], Any]:
        item_type = get_args(tp)[0]
        item_hook = conv.get_structure_hook(item_type)

        def structure_tuple(value: Any, _: Any) -> tuple[Any, ...]:
            if not isinstance(value, list):
                raise ValidationError(f"expected a list, got {_describe(value)}")
            items = []
            for index, item in enumerate(value):
                try:
                    items.append(item_hook(item, item_type))
                except ValidationError as exc:
                    raise exc.under(f"[{index}]") from None
                except BaseValidationError as exc:
                    raise _translate(exc).under(f"[{index}]") from None
            return tuple(items)

        return structure_tuple

    conv.register_structure_hook_factory(_is_homogeneous_tuple, tuple_factory)
    conv.register_unstructure_hook_factory(
        _is_homogeneous_tuple, lambda tp: lambda v: [conv.unstructure(i) for i in v]
    )
    return conv


def _structure_changes(value: Any, _: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(f"expected an object of field names to new values, got {_describe(value)}")
    return dict(value)


def _translate(exc: BaseException, path: str = "") -> ValidationError:
    """Turn a cattrs error tree into one ValidationError naming the first failing field path."""
    from cattrs.errors import (
        AttributeValidationNote,
        BaseValidationError,
        ForbiddenExtraKeysError,
        IterableValidationNote,
    )

    if isinstance(exc, ValidationError):
        return exc.under(path) if path else exc
    if isinstance(exc, ForbiddenExtraKeysError):
        names = ", ".join(sorted(exc.extra_fields))
        where = path + "." if path else ""
        first = sorted(exc.extra_fields)[0]
        return ValidationError(f"unknown field (not part of this type): {names}", path=f"{where}{first}")
    if isinstance(exc, BaseValidationError):
        with_notes, _ = exc.group_exceptions()  # type: ignore[attr-defined]
        for inner, note in with_notes:
            if isinstance(note, AttributeValidationNote):
                step = f"{path}.{note.name}" if path else note.name
            elif isinstance(note, IterableValidationNote):
                step = f"{path}[{note.index}]"
            else:
                step = path
            if isinstance(inner, KeyError):
                return ValidationError("required field is missing", path=step)
            return _translate(inner, step)
        for inner in exc.exceptions:
            return _translate(inner, path)
    if isinstance(exc, (ValueError, TypeError)):
        return ValidationError(str(exc), path=path)
    return ValidationError(f"{type(exc).__name__}: {exc}", path=path)


# One encoder for every dumps (json.dumps builds a new one per call); no circular check: events are trees.
_encode_json = json_text()


@functools.cache
def _checked() -> cattrs.Converter:
    """The converter validating user input in detail (each error names its field path), built on first use."""
    return _make_converter(detailed=True)


@functools.cache
def _fast() -> cattrs.Converter:
    """The faster converter for what the store wrote, built on first use (importing cattrs costs start-up)."""
    return _make_converter(detailed=False)


def event_class(type_tag: Any) -> type[Event]:
    """The event class for a JSON `type` tag; a ValidationError for an unknown one.

    A tag not known yet asks the registry's type loader (the plugin manager: plugins may register event
    types), then looks again (`timeline.events.find_event_type`).
    """
    cls = find_event_type(type_tag) if isinstance(type_tag, str) else None
    if cls is None:
        known = ", ".join(sorted(EVENT_TYPES))
        raise ValidationError(f"unknown event type {_describe(type_tag)} (known: {known})", path="type")
    return cls


def from_json(data: Mapping[str, Any]) -> Event:
    """Build an event from its JSON form (`type` plus that type's fields), validating every field.

    Raises `ValidationError` whose path starts with the event type, e.g. ``payment.amount.currency``.
    """
    if not isinstance(data, Mapping):
        raise ValidationError(f"expected a JSON object, got {_describe(data)}")
    if "type" not in data:
        raise ValidationError("required field is missing", path="type")
    cls = event_class(data["type"])
    fields = {k: v for k, v in data.items() if k != "type"}
    checked = _checked()
    try:
        return checked.structure(fields, cls)
    except ValidationError as exc:
        raise exc.under(cls.TYPE) from None
    except _input_errors() as exc:
        raise _translate(exc).under(cls.TYPE) from None


def to_json(event: Event) -> JSONDict:
    """The JSON form of an event: ``type`` and ``id`` first, then its fields; defaults are left out."""
    if _unknown.is_unknown(event):  # a type no installed plugin provides: the data as it was stored
        return _unknown.stored_json(event)  # type: ignore[arg-type]
    encode = _fastcodec.encoder(type(event))
    return encode(event) if encode is not None else _to_json_cattrs(event)


def _to_json_cattrs(event: Event) -> JSONDict:
    """`to_json` through cattrs: for types the fast path does not know, and to prove the fast path right."""
    fields: JSONDict = _fast().unstructure(event, type(event))
    out: JSONDict = {"type": event.TYPE, "id": fields.pop("id")}
    out.update(fields)
    return out


def dumps(event: Event) -> str:
    """The canonical JSON text of an event (compact, UTF-8, fixed key order): what the store keeps."""
    if _unknown.is_unknown(event):
        return _encode_json(to_json(event))
    dump = _fastcodec.dumper(type(event))
    return dump(event) if dump is not None else _encode_json(_to_json_cattrs(event))


def decode(type_tag: str, schema_version: int, data: JSONDict) -> Event:
    """Rebuild a stored event, upcasting old schema versions first. `data` is consumed.

    A type that no installed plugin provides reads as a generic event keeping `data` exactly (`_unknown`).
    """
    cls = _known_class(type_tag)
    if cls is None:
        return _unknown.read_stored(type_tag, schema_version, data)
    if schema_version != cls.SCHEMA_VERSION:
        data = upcast(type_tag, schema_version, cls.SCHEMA_VERSION, data)
        return _structure_stored(_without_type(data), cls)  # upcast data may be in any form: validate it
    data = _without_type(data)
    build = _fastcodec.decoder(cls)
    if build is not None:
        try:
            return build(data)  # type: ignore[no-any-return]
        except _fastcodec.DECODE_ERRORS:  # not what the store writes: let cattrs say what is wrong
            pass
    return _structure_stored(data, cls)


@functools.cache
def _input_errors() -> tuple[type[Exception], ...]:
    """What the checked converter raises on user input that does not fit (imported with cattrs)."""
    from cattrs.errors import BaseValidationError

    return (BaseValidationError, ValueError, TypeError)


@functools.cache
def _stored_errors() -> tuple[type[Exception], ...]:
    """What the fast converter raises on a stored dict that does not fit (imported with cattrs)."""
    from cattrs.errors import BaseValidationError, ForbiddenExtraKeysError

    return (BaseValidationError, ForbiddenExtraKeysError, *_fastcodec.DECODE_ERRORS)


def _structure_stored(data: JSONDict, cls: type[Event]) -> Event:
    """`data` as a `cls` through cattrs; a ValidationError (never a cattrs error) if it is not one."""
    fast = _fast()
    try:
        return fast.structure(data, cls)
    except ValidationError as exc:
        raise exc.under(cls.TYPE) from None
    except _stored_errors() as exc:
        raise _translate(exc).under(cls.TYPE) from None


def _known_class(type_tag: str) -> type[Event] | None:
    """The class of a stored type tag, or None when no installed plugin provides it."""
    try:
        return event_class(type_tag)
    except ValidationError:
        return None


def _without_type(data: JSONDict) -> JSONDict:
    data.pop("type", None)
    return data


def decoder_for(type_tag: str, schema_version: int) -> Callable[[JSONDict], Event]:
    """A function decoding stored dicts of one type and schema version, for a store reading many rows.

    Where `decode` would validate, it may instead raise something less helpful on a dict the store could not
    have written: call `decode` on that row to learn what is wrong.
    """
    cls = _known_class(type_tag)
    if cls is None:
        return functools.partial(_unknown.read_stored, type_tag, schema_version)
    build = _fastcodec.decoder(cls) if schema_version == cls.SCHEMA_VERSION else None
    return build if build is not None else functools.partial(decode, type_tag, schema_version)


def upcast(type_tag: str, version: int, target: int, data: JSONDict) -> JSONDict:
    """Run the upcaster chain for `type_tag` from `version` up to `target`."""
    while version < target:
        step = UPCASTERS.get((type_tag, version))
        if step is None:
            raise ValidationError(f"no upcaster for {type_tag!r} from schema version {version}", path="type")
        data = step(data)
        version += 1
    if version != target:
        raise ValidationError(f"{type_tag!r} schema version {version} is newer than this library's {target}")
    return data

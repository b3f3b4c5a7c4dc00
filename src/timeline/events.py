"""The event classes and the registry of event types.

Every event is a frozen attrs class with keyword-only fields. Occurrences (things that happened) carry a
fuzzy `when`; corrections and retractions point at an earlier occurrence by id and take effect when recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import attrs

from timeline.errors import ValidationError
from timeline.values import Money, Quantity, Source
from timeline.when import When

if TYPE_CHECKING:
    from collections.abc import Callable


def new_event_id() -> str:
    """A fresh random event id (a UUID4 as text)."""
    import uuid  # here: reading a store makes no ids, and uuid costs a start-up a few milliseconds

    return str(uuid.uuid4())


def _non_empty(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and len(value) == 0:
        raise ValidationError("must not be empty", path=attribute.name)


def _check_id(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value or len(value) > 200 or value != value.strip():
        raise ValidationError(
            f"{value!r} is not a valid id (1-200 characters, no surrounding space)", path="id"
        )


@attrs.frozen(kw_only=True)
class Event:
    """Fields every event has. Subclasses set `TYPE` (the JSON tag) and `SCHEMA_VERSION`.

    Fields:
        id: The event's id, unique in the store and its idempotency key (1 to 200 characters).
        title: A headline; without one, a summary is built from the other fields.
        description: More detail, in plain text.
        place: Where it happened.
        tags: Free-form labels.
        sources: Who says so: the published sources it rests on.
        actors: Further people or bodies involved, besides those its own fields name.
    """

    TYPE: ClassVar[str] = ""
    SCHEMA_VERSION: ClassVar[int] = 1

    id: str = attrs.field(factory=new_event_id, validator=_check_id)
    title: str | None = None
    description: str | None = None
    place: str | None = None
    tags: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    actors: tuple[str, ...] = ()

    def headline(self) -> str:
        """The title if given, else a one-line summary built from the fields."""
        return self.title or self.summary()

    def summary(self) -> str:
        """A one-line summary built from the fields."""
        return self.TYPE

    def involved(self) -> tuple[str, ...]:
        """Every name this event involves: its role fields first, then `actors`, without repeats."""
        return tuple(dict.fromkeys((*self._roles(), *self.actors)))

    def _roles(self) -> tuple[str, ...]:
        return ()


@attrs.frozen(kw_only=True)
class Occurrence(Event):
    """Something that happened at a (possibly fuzzy) time.

    Fields:
        when: When it happened, as precisely as it is known (an EDTF date).
    """

    when: When


@attrs.frozen(kw_only=True)
class Invocation(Occurrence):
    """A law or power invoked by someone, possibly against someone.

    Fields:
        by: Who invokes it.
        instrument: The law or power invoked.
        against: Whom it is invoked against, if anyone.
    """

    TYPE: ClassVar[str] = "invocation"

    by: str = attrs.field(validator=_non_empty)
    instrument: str = attrs.field(validator=_non_empty)
    against: str | None = None

    def summary(self) -> str:
        """E.g. "X invokes the Y against Z"."""
        tail = f" against {self.against}" if self.against else ""
        return f"{self.by} invokes {self.instrument}{tail}"

    def _roles(self) -> tuple[str, ...]:
        return (self.by,) + ((self.against,) if self.against else ())


@attrs.frozen(kw_only=True)
class Transfer(Occurrence):
    """People or goods moved from one place to another.

    Fields:
        subjects: Who or what was moved.
        origin: Where from.
        destination: Where to.
        count: How many, if known (possibly approximate).
        by: Who moved them, if known.
    """

    TYPE: ClassVar[str] = "transfer"

    subjects: str = attrs.field(validator=_non_empty)
    origin: str = attrs.field(validator=_non_empty)
    destination: str = attrs.field(validator=_non_empty)
    count: Quantity | None = None
    by: str | None = None

    def summary(self) -> str:
        """E.g. "about 250 people moved from A to B"."""
        count = f"{self.count} " if self.count else ""
        return f"{count}{self.subjects} moved from {self.origin} to {self.destination}"

    def _roles(self) -> tuple[str, ...]:
        return (self.by,) if self.by else ()


@attrs.frozen(kw_only=True)
class Payment(Occurrence):
    """Money paid by a payer to a payee.

    Fields:
        payer: Who paid.
        payee: Who was paid.
        amount: How much, in which currency (possibly approximate).
        purpose: What for, if known.
    """

    TYPE: ClassVar[str] = "payment"

    payer: str = attrs.field(validator=_non_empty)
    payee: str = attrs.field(validator=_non_empty)
    amount: Money
    purpose: str | None = None

    def summary(self) -> str:
        """E.g. "A pays B about 6,000,000 USD for C"."""
        purpose = f" for {self.purpose}" if self.purpose else ""
        return f"{self.payer} pays {self.payee} {self.amount}{purpose}"

    def _roles(self) -> tuple[str, ...]:
        return (self.payer, self.payee)


@attrs.frozen(kw_only=True)
class Meeting(Occurrence):
    """Two or more parties meeting.

    Fields:
        participants: Who met (at least one name).
    """

    TYPE: ClassVar[str] = "meeting"

    participants: tuple[str, ...] = attrs.field(validator=_non_empty)

    def summary(self) -> str:
        """E.g. "A meets B"."""
        first, *rest = self.participants
        return f"{first} meets {', '.join(rest)}" if rest else f"{first} holds a meeting"

    def _roles(self) -> tuple[str, ...]:
        return self.participants


@attrs.frozen(kw_only=True)
class Statement(Occurrence):
    """Something someone said or offered, paraphrased or quoted in `text`.

    Fields:
        by: Who said it.
        text: What was said.
    """

    TYPE: ClassVar[str] = "statement"

    by: str = attrs.field(validator=_non_empty)
    text: str = attrs.field(validator=_non_empty)

    def summary(self) -> str:
        """E.g. "A: text"."""
        return f"{self.by}: {self.text}"

    def _roles(self) -> tuple[str, ...]:
        return (self.by,)


@attrs.frozen(kw_only=True)
class Happening(Occurrence):
    """Something that happened and is none of the other kinds (an accident, a ruling, a release): the common
    fields and `when`, with a `title` saying what happened."""

    TYPE: ClassVar[str] = "happening"

    title: str = attrs.field(validator=_non_empty)

    def summary(self) -> str:
        """The title: nothing else says what happened."""
        return self.title


@attrs.frozen(kw_only=True)
class Correction(Event):
    """A new word on an earlier occurrence: `changes` replaces whole top-level fields of the target.

    Fields:
        target: The id of the occurrence corrected, in the same stream.
        changes: The corrected fields with their new values, as in the event's JSON.
        reason: Why it is corrected.
    """

    TYPE: ClassVar[str] = "correction"

    target: str = attrs.field(validator=_non_empty)
    changes: dict[str, Any] = attrs.field(validator=_non_empty, hash=False)
    reason: str = attrs.field(validator=_non_empty)

    def summary(self) -> str:
        """E.g. "correction of <id>: title, when"."""
        return f"correction of {self.target}: {', '.join(self.changes)}"


@attrs.frozen(kw_only=True)
class Retraction(Event):
    """An earlier occurrence withdrawn: the log keeps it, projections leave it out.

    Fields:
        target: The id of the occurrence withdrawn, in the same stream.
        reason: Why it is withdrawn.
    """

    TYPE: ClassVar[str] = "retraction"

    target: str = attrs.field(validator=_non_empty)
    reason: str = attrs.field(validator=_non_empty)

    def summary(self) -> str:
        """E.g. "retraction of <id>"."""
        return f"retraction of {self.target}"


BUILTIN_EVENT_TYPES: tuple[type[Event], ...] = (
    Invocation,
    Transfer,
    Payment,
    Meeting,
    Statement,
    Happening,
    Correction,
    Retraction,
)

#: Every known event type by its JSON tag: the built-ins, then those plugins registered.
EVENT_TYPES: dict[str, type[Event]] = {cls.TYPE: cls for cls in BUILTIN_EVENT_TYPES}

#: An event class: `register_event_type` returns the class it is given.
E = TypeVar("E", bound=type[Event])

#: Called on a lookup of a tag not registered, before giving up: it may register more types. The plugin
#: manager sets it to its (cached) loader, so this layer never imports the plugin layer.
_type_loader: Callable[[], object] | None = None


def register_event_type(cls: E) -> E:
    """Make an event class known to the codec under its `TYPE` tag (usable as a class decorator)."""
    if not cls.TYPE:
        raise ValidationError(f"{cls.__name__} needs a TYPE tag", path="TYPE")
    known = EVENT_TYPES.get(cls.TYPE)
    if known is not None and known is not cls:
        raise ValidationError(
            f"event type {cls.TYPE!r} is already registered by {known.__qualname__}", path="TYPE"
        )
    EVENT_TYPES[cls.TYPE] = cls
    return cls


def set_type_loader(loader: Callable[[], object] | None) -> None:
    """Set the function `find_event_type` calls on a miss before it gives up (None: no loader)."""
    global _type_loader
    _type_loader = loader


def find_event_type(tag: str) -> type[Event] | None:
    """The event class registered under `tag`, or None; on a miss, run the type loader and look again."""
    cls = EVENT_TYPES.get(tag)
    if cls is None and _type_loader is not None:
        _type_loader()
        cls = EVENT_TYPES.get(tag)
    return cls

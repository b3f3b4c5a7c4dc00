"""The typed facts of an event as labelled pairs for the page: amounts, counts, who said what, who moved whom.

The page lays facts out as label and value (a definition list), which `timeline.facts.facts` (one line
per fact, for text formats) does not give; `timeline.facts` words the figures, as every format does.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from timeline import Invocation, Meeting, Money, Occurrence, Payment, Quantity, Statement, Transfer
from timeline.facts import amount_words, count_words

__all__ = ["Fact", "facts"]

_COMMON = frozenset(field.name for field in attrs.fields(Occurrence))


@attrs.frozen(kw_only=True)
class Fact:
    """One labelled fact: ``Amount: about 6,000,000 USD``."""

    label: str
    text: str
    approximate: bool = False
    """The figure is approximate ("about 250")."""
    value: str | None = None
    """The machine-readable number of a figure (``6000000``), for ``<data value>``."""


def _figure(label: str, figure: Money | Quantity) -> Fact:
    number = figure.value
    value = f"{number:f}" if isinstance(number, Decimal) else str(number)
    text = amount_words(figure) if isinstance(figure, Money) else count_words(figure)
    return Fact(label=label, text=text, approximate=figure.approximate, value=value)


def _said(label: str, value: object) -> Fact | None:
    if value is None or value == "" or value == ():
        return None
    if isinstance(value, Money | Quantity):
        return _figure(label, value)
    if isinstance(value, tuple):
        return Fact(label=label, text=", ".join(str(item) for item in value))
    return Fact(label=label, text=str(value))


def _pairs(event: Occurrence) -> list[tuple[str, object]]:
    if isinstance(event, Payment):
        return [
            ("Paid by", event.payer),
            ("Paid to", event.payee),
            ("Amount", event.amount),
            ("Purpose", event.purpose),
        ]
    if isinstance(event, Transfer):
        return [
            ("Moved", event.subjects),
            ("Count", event.count),
            ("From", event.origin),
            ("To", event.destination),
            ("Moved by", event.by),
        ]
    if isinstance(event, Statement):
        return [("Said by", event.by), ("Said", event.text)]
    if isinstance(event, Meeting):
        return [("Participants", event.participants)]
    if isinstance(event, Invocation):
        return [("Invoked by", event.by), ("Invoked", event.instrument), ("Against", event.against)]
    # An event type from a plugin: its own fields, in declaration order, labelled by name.
    return [
        (field.name.replace("_", " ").capitalize(), getattr(event, field.name))
        for field in attrs.fields(type(event))
        if field.name not in _COMMON
    ]


def facts(event: Occurrence) -> tuple[Fact, ...]:
    """The facts of `event` that its type carries beyond the common fields, absent ones left out."""
    said = (_said(label, value) for label, value in _pairs(event))
    return tuple(fact for fact in said if fact is not None)

"""Value types carried by events: amounts of money, counts of things, sources."""

from __future__ import annotations

from decimal import Decimal

import attrs

from timeline._iso4217 import CURRENCIES
from timeline.errors import ValidationError
from timeline.when import When


def _check_currency(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in CURRENCIES:
        raise ValidationError(f"{value!r} is not an ISO 4217 code", path=attribute.name)


#: The accepted range of amounts: every sum of them is exact (the ledger never rounds) and every exporter can
#: write them. 18 digits before the point cover any real payment (10**18 is a million times a year's world
#: output in dollars); 8 after cover currencies' minor units and the satoshi.
AMOUNT_INTEGER_DIGITS = 18
AMOUNT_DECIMAL_PLACES = 8


def _check_decimal(_: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationError(f"{value!r} is not a finite decimal amount", path=attribute.name)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if exponent < -AMOUNT_DECIMAL_PLACES or value.adjusted() >= AMOUNT_INTEGER_DIGITS:
        shown = str(value) if len(str(value)) <= 40 else str(value)[:37] + "..."
        raise ValidationError(
            f"{shown} is out of range: an amount has at most {AMOUNT_INTEGER_DIGITS} digits before the "
            f"decimal point and {AMOUNT_DECIMAL_PLACES} after",
            path=attribute.name,
        )


@attrs.frozen(kw_only=True)
class Money:
    """An amount of money: a Decimal (never a float) and an ISO 4217 currency code.

    Fields:
        value: The amount, a decimal string in JSON (``"6000000"``), never a float.
        currency: The ISO 4217 code (``USD``).
        approximate: True for "about" or "roughly".
    """

    value: Decimal = attrs.field(validator=_check_decimal)
    currency: str = attrs.field(validator=_check_currency)
    approximate: bool = False

    def __str__(self) -> str:
        about = "about " if self.approximate else ""
        return f"{about}{self.value:,} {self.currency}"


def _check_count(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(f"{value!r} is not a whole number of at least 0", path=attribute.name)


@attrs.frozen(kw_only=True)
class Quantity:
    """A count of people or things, possibly approximate ("around 250").

    Fields:
        value: The number, a whole number of at least 0.
        approximate: True for "about" or "around".
    """

    value: int = attrs.field(validator=_check_count)
    approximate: bool = False

    def __str__(self) -> str:
        return f"about {self.value:,}" if self.approximate else f"{self.value:,}"


@attrs.frozen(kw_only=True)
class Source:
    """Who says so: a published source, optionally with the passage that supports the event.

    Fields:
        url: Where it is published.
        title: Its title or a description (a source needs a url or a title).
        publisher: Who published it.
        published: When it was published (an EDTF date).
        quote: The passage that supports the event.
    """

    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: When | None = None
    quote: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.url is None and self.title is None:
            raise ValidationError("a source needs a url or a title")

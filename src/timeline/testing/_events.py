"""Events for test data: one generator of occurrences of every built-in type, hostile or plain."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from hypothesis import strategies as st

from timeline._iso4217 import CURRENCIES
from timeline.events import Invocation, Meeting, Occurrence, Payment, Statement, Transfer
from timeline.testing._dates import whens
from timeline.testing._text import hostile_text, ids, names, plain_ids
from timeline.values import Money, Quantity, Source

if TYPE_CHECKING:
    from timeline.when import When

#: Any `When` (the default of `occurrences`).
ANY_WHEN = whens()
#: The JSON type tags of the built-in occurrence types, as `occurrences(kinds=...)` takes them.
KINDS = ("invocation", "transfer", "payment", "meeting", "statement")

_URLS = st.sampled_from(
    [
        "https://example.org/a?x=1&y=<2>",
        'http://example.org/"quoted"',
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "HTTPS://EXAMPLE.ORG/UPPER",
    ]
)


def sources_of(text: st.SearchStrategy[str]) -> st.SearchStrategy[Source]:
    """Sources whose text fields come from `text`: with a URL (web, hostile or dangerous schemes) or with
    only a title."""
    maybe = st.none() | text
    return st.one_of(
        st.builds(
            Source,
            url=_URLS | text.map(lambda s: "https://example.org/" + s),
            title=maybe,
            publisher=maybe,
            published=st.none() | whens(),
            quote=maybe,
        ),
        st.builds(Source, title=text, publisher=maybe),
    )


#: Sources with hostile text.
sources = sources_of(hostile_text)
#: Money in any ISO 4217 currency, up to a trillion either way, maybe approximate.
money = st.builds(
    Money,
    value=st.decimals(
        min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False, allow_infinity=False
    ),
    currency=st.sampled_from(sorted(CURRENCIES)),
    approximate=st.booleans(),
)
#: Head counts (or none).
counts = st.none() | st.builds(Quantity, value=st.integers(0, 10**6), approximate=st.booleans())


class _Common(TypedDict):
    id: str
    when: When
    title: str | None
    description: str | None
    place: str | None
    tags: tuple[str, ...]
    actors: tuple[str, ...]
    sources: tuple[Source, ...]


@st.composite
def occurrences(
    draw: st.DrawFn,
    *,
    event_id: str | None = None,
    ids: st.SearchStrategy[str] = ids,
    text: st.SearchStrategy[str] = hostile_text,
    names: st.SearchStrategy[str] | None = None,
    whens: st.SearchStrategy[When] = ANY_WHEN,
    amounts: st.SearchStrategy[Money] = money,
    sources: st.SearchStrategy[Source] | None = None,
    kinds: tuple[str, ...] = KINDS,
) -> Occurrence:
    """An occurrence of one of `kinds`, every field filled or left out at random.

    By default every text field is hostile (`hostile_text`); pass `text` (and `names` for people and
    places, by default `text`), `ids`, `whens`, `amounts` or `sources` to draw from other pools, e.g. small
    ones so that dates tie and names repeat. `event_id` fixes the id.
    """
    who = text if names is None else names
    maybe_text, maybe_who = st.none() | text, st.none() | who
    common: _Common = {
        "id": event_id if event_id is not None else draw(ids),
        "when": draw(whens),
        "title": draw(maybe_text),
        "description": draw(maybe_text),
        "place": draw(maybe_text),
        "tags": tuple(draw(st.lists(text, max_size=3))),
        "actors": tuple(draw(st.lists(who, max_size=3, unique=True))),
        "sources": tuple(draw(st.lists(sources_of(text) if sources is None else sources, max_size=3))),
    }
    kind = draw(st.sampled_from(kinds))
    if kind == "payment":
        return Payment(
            payer=draw(who), payee=draw(who), amount=draw(amounts), purpose=draw(maybe_text), **common
        )
    if kind == "transfer":
        return Transfer(
            subjects=draw(text),
            origin=draw(who),
            destination=draw(who),
            count=draw(counts),
            by=draw(maybe_who),
            **common,
        )
    if kind == "meeting":
        return Meeting(participants=tuple(draw(st.lists(who, min_size=1, max_size=3, unique=True))), **common)
    if kind == "statement":
        return Statement(by=draw(who), text=draw(text), **common)
    return Invocation(by=draw(who), instrument=draw(text), against=draw(maybe_who), **common)


#: Lists of up to six hostile occurrences with distinct ids.
occurrence_lists = st.lists(occurrences(), max_size=6, unique_by=lambda e: e.id)
#: Occurrences with plain text (any UTF-8 names, UUID or slug ids): for codecs and stores.
plain_occurrences = occurrences(text=names, ids=plain_ids)

"""Ledger, Movements and Actors: computed from a Timeline, so corrections, retractions and as_of apply."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.events import Event, Payment
from timeline.projections import Actors, Ledger, LedgerLine, Movements, Timeline
from timeline.testing import T0, recorded_batches
from timeline.when import When

from ._helpers import ev
from .strategies import amounts

if TYPE_CHECKING:
    from timeline.store import EventStore
    from timeline.values import Money


def pay(
    event_id: str,
    value: str,
    currency: str = "USD",
    *,
    payer: str = "United States",
    payee: str = "El Salvador",
    approximate: bool = False,
) -> Event:
    amount: dict[str, Any] = {"value": value, "currency": currency}
    if approximate:
        amount["approximate"] = True
    return ev(
        {
            "type": "payment",
            "id": event_id,
            "when": "2025-03",
            "payer": payer,
            "payee": payee,
            "amount": amount,
        }
    )


def move(
    event_id: str,
    count: int | dict[str, Any] | None,
    *,
    origin: str = "United States",
    destination: str = "CECOT, El Salvador",
    when: str = "2025-03",
) -> Event:
    data: dict[str, Any] = {
        "type": "transfer",
        "id": event_id,
        "when": when,
        "subjects": "people",
        "origin": origin,
        "destination": destination,
    }
    if count is not None:
        data["count"] = count
    return ev(data)


def fix(target: str, changes: dict[str, Any], event_id: str) -> Event:
    return ev({"type": "correction", "id": event_id, "target": target, "changes": changes, "reason": "r"})


def drop(target: str, event_id: str) -> Event:
    return ev({"type": "retraction", "id": event_id, "target": target, "reason": "r"})


def test_ledger_sums_per_payer_payee_and_currency() -> None:
    log = recorded_batches(
        (
            "s",
            [
                pay("p1", "6000000", approximate=True),
                pay("p2", "0.10"),
                pay("p3", "5", "EUR"),
                pay("p4", "7", payer="El Salvador", payee="United States"),
                pay("p5", "0.20"),
            ],
        )
    )
    lines = Ledger.from_timeline(Timeline.from_records(log)).lines
    assert lines == (
        LedgerLine(
            payer="El Salvador",
            payee="United States",
            currency="USD",
            total=Decimal("7"),
            approximate=False,
            count=1,
            entry_ids=("p4",),
        ),
        LedgerLine(
            payer="United States",
            payee="El Salvador",
            currency="EUR",
            total=Decimal("5"),
            approximate=False,
            count=1,
            entry_ids=("p3",),
        ),
        LedgerLine(
            payer="United States",
            payee="El Salvador",
            currency="USD",
            total=Decimal("6000000.30"),
            approximate=True,
            count=3,
            entry_ids=("p1", "p2", "p5"),
        ),
    )


def test_ledger_exact_totals_not_approximate_without_approximate_amounts() -> None:
    log = recorded_batches(("s", [pay("p1", "0.1"), pay("p2", "0.2")]))
    (line,) = Ledger.from_timeline(Timeline.from_records(log)).lines
    assert line.total == Decimal("0.3")
    assert not line.approximate


def test_ledger_follows_corrections_retractions_and_as_of() -> None:
    log = recorded_batches(
        ("s", [pay("p1", "100"), pay("p2", "50", approximate=True)]),
        ("s", [fix("p1", {"amount": {"value": "120", "currency": "USD"}}, "f1"), drop("p2", "d1")]),
    )
    (now,) = Ledger.from_timeline(Timeline.from_records(log)).lines
    assert (now.total, now.approximate, now.count, now.entry_ids) == (Decimal("120"), False, 1, ("p1",))
    (then,) = Ledger.from_timeline(Timeline.from_records(log, as_of=T0)).lines
    assert (then.total, then.approximate, then.count) == (Decimal("150"), True, 2)


@settings(max_examples=60)
@given(st.lists(amounts, max_size=12))
def test_ledger_totals_are_exact_and_never_mix_currencies(money: list[Money]) -> None:
    log = recorded_batches(
        (
            "s",
            [
                Payment(id=f"p{i}", when=When.parse("2025-03"), payer="A", payee="B", amount=amount)
                for i, amount in enumerate(money)
            ],
        )
    )
    lines = Ledger.from_timeline(Timeline.from_records(log)).lines
    assert [line.currency for line in lines] == sorted({amount.currency for amount in money})
    for line in lines:
        mine = [amount for amount in money if amount.currency == line.currency]
        assert Fraction(line.total) == sum((Fraction(amount.value) for amount in mine), Fraction(0))
        assert line.approximate == any(amount.approximate for amount in mine)
        assert line.count == len(mine)


def test_movements_totals_counts_and_unknown() -> None:
    log = recorded_batches(
        (
            "s",
            [
                move("t1", {"value": 250, "approximate": True}),
                move("t2", 10),
                move("t3", 5, origin="Mexico"),
                move("t4", None, origin="Mexico"),
                move("t5", None, destination="Honduras"),
            ],
        )
    )
    lines = {
        (line.origin, line.destination): line
        for line in Movements.from_timeline(Timeline.from_records(log)).lines
    }
    assert list(lines) == [
        ("Mexico", "CECOT, El Salvador"),
        ("United States", "CECOT, El Salvador"),
        ("United States", "Honduras"),
    ]
    us = lines["United States", "CECOT, El Salvador"]
    assert (us.total, us.approximate, us.count, us.entry_ids, us.counted_total, us.uncounted) == (
        260,
        True,
        2,
        ("t1", "t2"),
        260,
        0,
    )
    mexico = lines["Mexico", "CECOT, El Salvador"]
    assert (mexico.total, mexico.approximate, mexico.count, mexico.counted_total, mexico.uncounted) == (
        None,
        False,
        2,
        5,
        1,
    )
    honduras = lines["United States", "Honduras"]
    assert (honduras.total, honduras.count, honduras.counted_total, honduras.uncounted) == (None, 1, 0, 1)


def test_movements_follow_corrections() -> None:
    log = recorded_batches(
        ("s", [move("t1", None), move("t2", 3)]),
        ("s", [fix("t1", {"count": {"value": 7, "approximate": True}}, "f1")]),
    )
    (line,) = Movements.from_timeline(Timeline.from_records(log)).lines
    assert (line.total, line.approximate, line.uncounted) == (10, True, 0)
    (before,) = Movements.from_timeline(Timeline.from_records(log, as_of=T0)).lines
    assert (before.total, before.counted_total, before.uncounted) == (None, 3, 1)


def test_actors_map_names_to_entries_in_timeline_order() -> None:
    log = recorded_batches(
        (
            "s",
            [
                ev(
                    {
                        "type": "meeting",
                        "id": "m",
                        "when": "2025-04-14",
                        "participants": ["Donald Trump", "Nayib Bukele"],
                        "actors": ["Karoline Leavitt"],
                    }
                ),
                ev(
                    {
                        "type": "invocation",
                        "id": "i",
                        "when": "2025-03",
                        "by": "Donald Trump",
                        "instrument": "a law",
                        "against": "Tren de Aragua",
                    }
                ),
                pay("p", "1", payer="United States", payee="El Salvador"),
                move("t", 1),
                ev({"type": "statement", "id": "gone", "when": "2025", "by": "Ghost", "text": "x"}),
            ],
        ),
        ("s", [drop("gone", "d")]),
    )
    names = Actors.from_timeline(Timeline.from_records(log)).names
    assert list(names) == [
        "Donald Trump",
        "El Salvador",
        "Karoline Leavitt",
        "Nayib Bukele",
        "Tren de Aragua",
        "United States",
    ]
    assert [entry.id for entry in names["Donald Trump"]] == ["i", "m"]
    assert [entry.id for entry in names["United States"]] == ["p"]  # payer: yes; a transfer's origin: no
    assert "Ghost" not in names


def test_views_follow_the_timeline_catch_ups(store: EventStore) -> None:
    store.append("s", [pay("p1", "1")])
    ledger = Ledger.from_store(store, stream="s")
    movements = Movements.from_store(store)
    actors = Actors.from_store(store)
    assert [line.total for line in ledger.lines] == [Decimal(1)]
    assert list(movements.lines) == []
    store.append("s", [pay("p2", "2"), move("t1", 4)])
    assert ledger.position == 1
    assert ledger.catch_up(store) == 2
    assert movements.catch_up(store) == 2
    assert ledger.position == 3
    assert [line.total for line in ledger.lines] == [Decimal(3)]
    assert [line.total for line in movements.lines] == [4]
    shared = Timeline.from_store(store)
    view = Ledger.from_timeline(shared)
    assert view.lines[0].count == 2
    store.append("s", [drop("p2", "d")])
    shared.catch_up(store)  # through the Timeline: the view still sees it
    assert view.lines[0].count == 1
    actors.catch_up(store)
    assert [entry.id for entry in actors.names["United States"]] == ["p1"]  # payer: yes; origin: no

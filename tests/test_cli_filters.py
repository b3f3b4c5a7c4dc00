"""``--tag``, ``--type`` and ``--actor`` on ``timeline show`` and ``timeline export``: the selection's rules
(`timeline.projections.selection`), and a bad type refused with exit status 2."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from timeline import open_store
from timeline.cli import main
from timeline.exporting import export
from timeline.projections import Selection, Timeline

STORY = Path(__file__).parent.parent / "examples" / "story.jsonl"
STREAM = "el-salvador-deportations"


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = str(tmp_path / "t.db")
    assert main(["--store", path, "append", STREAM, str(STORY)]) == 0
    capsys.readouterr()
    return path


def _show(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> list[str]:
    assert main(["--store", db, "show", "--ids", *args]) == 0
    return [line.split()[0] for line in capsys.readouterr().out.splitlines() if line.startswith("sv-")]


def test_show_filters(capsys: pytest.CaptureFixture[str], db: str) -> None:
    assert _show(capsys, db, "--type", "payment") == ["sv-04-detention-fee"]
    bukele = _show(capsys, db, "--actor", "nayib bukele")
    assert set(bukele) == {  # his own statements, the meeting, and Trump's statement naming him as an actor
        "sv-01-bukele-offer",
        "sv-06-white-house-meeting",
        "sv-07-trump-thanks-bukele",
        "sv-08-bukele-reply",
    }
    statements = _show(capsys, db, "--actor", "Nayib Bukele", "--type", "statement", "--type", "Meeting")
    assert statements == bukele  # each of his entries is a statement or the meeting
    assert _show(capsys, db, "--actor", "Nayib Bukele", "--type", "payment") == []  # AND
    assert len(_show(capsys, db, "--tag", "DIPLOMACY")) == 3
    assert _show(capsys, db, "--tag", "deportations", "--actor", "white house") == ["sv-09-white-house-list"]


def test_export_filters_give_the_selected_timelines_bytes(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    args = [
        "--type",
        "payment",
        "--type",
        "statement",
        "--actor",
        "El Salvador",
        "--actor",
        "Karoline Leavitt",
    ]
    assert main(["--store", db, "export", "ical", *args]) == 0
    printed = capsys.readouterr().out.encode()
    with open_store(db) as store:
        timeline = Timeline.from_store(store)
    selection = Selection(types=["payment", "statement"], actors=["El Salvador", "Karoline Leavitt"])
    expected = io.BytesIO()
    export(selection.apply(timeline), "ical", expected)
    assert printed.count(b"BEGIN:VEVENT") == 2  # the payment, and Leavitt's statement
    out = tmp_path / "feed.ics"  # the exact bytes, through a file
    assert main(["--store", db, "export", "ical", *args, "-o", str(out)]) == 0
    assert out.read_bytes() == expected.getvalue()


@pytest.mark.parametrize("command", [["export", "ical"], ["show"], ["ledger"]])
def test_an_unknown_type_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], db: str, command: list[str]
) -> None:
    assert main(["--store", db, *command, "--type", "paymnet"]) == 2
    err = capsys.readouterr().err
    assert "--type: 'paymnet' is not a known event type (known: " in err
    assert "payment" in err
    assert "Traceback" not in err

"""The command line on stores that are not there, streams that are not there, and damaged stores (issue 9)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from timeline.cli import main

STORY = Path(__file__).parent.parent / "examples" / "story.jsonl"
STREAM = "el-salvador-deportations"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "command",
    [["show"], ["export", "json"], ["streams"], ["ledger"], ["movements"], ["actors"], ["show", STREAM]],
)
def test_reading_commands_on_a_missing_store_fail_and_create_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "timeline.db"
    code, out, err = run(capsys, "--store", str(missing), *command)
    assert code == 1
    assert out == ""
    assert err == f"timeline: no store at {missing}\n"
    assert not missing.exists()
    assert list(tmp_path.iterdir()) == []


def test_export_of_an_unknown_stream_names_the_known_ones(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "t.db")
    assert run(capsys, "--store", db, "append", STREAM, str(STORY))[0] == 0
    other = tmp_path / "other.jsonl"
    other.write_text(
        '{"type": "meeting", "id": "m1", "when": "2025-04-14", "participants": ["A", "B"]}\n',
        encoding="utf-8",
    )
    assert run(capsys, "--store", db, "append", "other", str(other))[0] == 0
    target = str(tmp_path / "x.ics")
    code, out, err = run(capsys, "--store", db, "export", "ical", "--stream", "el-salvador", "-o", target)
    assert code == 2
    assert out == ""
    assert "no stream 'el-salvador'" in err
    assert f"known streams: {STREAM}, other" in err
    assert not (tmp_path / "x.ics").exists()


def test_append_with_a_stream_name_that_is_not_utf8_is_bad_input(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "timeline.cli",
            "--store",
            str(db),
            "append",
            os.fsdecode(b"bad\xff"),
            str(STORY),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "not a valid stream name" in result.stderr
    assert "Traceback" not in result.stderr
    show = subprocess.run(
        [sys.executable, "-m", "timeline.cli", "--store", str(db), "show", os.fsdecode(b"bad\xff")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in show.stderr
    assert show.returncode in (1, 2)


def test_a_corrupt_store_is_a_one_line_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    db.write_bytes(b"this is not a database at all" * 200)
    code, _, err = run(capsys, "--store", str(db), "show")
    assert code == 1
    assert err.startswith("timeline: ")
    assert err.count("\n") == 1


def test_append_of_bad_input_to_a_missing_store_creates_none(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "t.db"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "meeting"}\n{"type": "nope"}\n', encoding="utf-8")
    code, _, err = run(capsys, "--store", str(db), "append", "s", str(bad))
    assert code == 2
    assert "nothing appended: 2 bad line(s)" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl"]

"""The `timeline` command: exit statuses, messages that name the line and field, nothing appended on error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from timeline import open_store
from timeline.cli import main, parse_as_of

STORY = Path(__file__).parent.parent / "examples" / "story.jsonl"
STREAM = "el-salvador-deportations"

MEETING = {"type": "meeting", "id": "m1", "when": "2025-04-14", "participants": ["A", "B"]}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_lines(path: Path, *items: Any) -> str:
    path.write_text(
        "".join((i if isinstance(i, str) else json.dumps(i)) + "\n" for i in items), encoding="utf-8"
    )
    return str(path)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "t.db")


def test_append_story_then_again_adds_nothing(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = run(capsys, "--store", db, "append", STREAM, str(STORY))
    assert code == 0
    assert "appended 10 event(s), 0 already stored" in out
    code, out, _ = run(capsys, "--store", db, "append", STREAM, str(STORY))
    assert code == 0
    assert "appended 0 event(s), 10 already stored" in out
    with open_store(db) as store:
        assert store.head() == 10


def test_bad_line_names_line_and_field_and_appends_nothing(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    bad = {**MEETING, "id": "m2", "when": "2025-13"}
    path = write_lines(tmp_path / "in.jsonl", MEETING, "", bad, '{"type": "meeting",')
    code, _, err = run(capsys, "--store", db, "append", "s", path)
    assert code == 2
    assert "line 3: meeting.when: '2025-13' is not a valid EDTF date" in err
    assert "line 4: invalid JSON" in err
    assert "Traceback" not in err
    with open_store(db) as store:
        assert store.head() == 0


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({**MEETING, "participnts": ["A"]}, "line 1: meeting.participnts: unknown field"),
        ({"type": "meating", "when": "2025"}, "line 1: type: unknown event type"),
        ({**MEETING, "participants": "A"}, "line 1: meeting.participants: expected a list"),
        ([1, 2], "line 1: expected a JSON object"),
    ],
)
def test_each_kind_of_bad_line(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, item: Any, message: str
) -> None:
    code, _, err = run(capsys, "--store", db, "append", "s", write_lines(tmp_path / "in.jsonl", item))
    assert code == 2
    assert message in err


def test_bad_correction_names_its_line(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    correction = {"type": "correction", "target": "nope", "changes": {"title": "x"}, "reason": "r"}
    path = write_lines(tmp_path / "in.jsonl", MEETING, correction)
    code, _, err = run(capsys, "--store", db, "append", "s", path)
    assert code == 2
    assert "line 2: correction.target: no event with id 'nope'" in err
    with open_store(db) as store:
        assert store.head() == 0


def test_same_id_other_content_is_refused(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    assert run(capsys, "--store", db, "append", "s", write_lines(tmp_path / "a.jsonl", MEETING))[0] == 0
    changed = {**MEETING, "participants": ["A", "C"]}
    code, _, err = run(capsys, "--store", db, "append", "s", write_lines(tmp_path / "b.jsonl", changed))
    assert code == 2
    assert "line 1: id: event id 'm1' is already stored with other content" in err


def test_expected_version_conflict_exits_3(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    path = write_lines(tmp_path / "a.jsonl", MEETING)
    assert run(capsys, "--store", db, "append", "s", path, "--expected-version", "none")[0] == 0
    other = write_lines(tmp_path / "b.jsonl", {**MEETING, "id": "m2"})
    code, _, err = run(capsys, "--store", db, "append", "s", other, "--expected-version", "none")
    assert code == 3
    assert "expected version NO_STREAM, actual version 1" in err
    code, _, err = run(capsys, "--store", db, "append", "s", other, "--expected-version", "5")
    assert code == 3
    assert "expected version 5, actual version 1" in err
    assert run(capsys, "--store", db, "append", "s", other, "--expected-version", "1")[0] == 0


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.jsonl", MEETING)
    code, _, err = run(capsys, "--store", db, "append", "s", path, "--expected-version", "soon")
    assert code == 2
    assert "--expected-version" in err
    code, _, err = run(capsys, "--store", db, "append", "s", str(tmp_path / "missing.jsonl"))
    assert code == 2
    assert "cannot read" in err
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2


def test_store_that_cannot_be_opened_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.jsonl", MEETING)
    code, _, err = run(capsys, "--store", str(tmp_path / "no" / "such" / "dir.db"), "append", "s", path)
    assert code == 1
    assert "cannot open" in err


def test_append_from_stdin_via_the_console_script(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    done = subprocess.run(
        [sys.executable, "-m", "timeline.cli", "--store", db, "append", "s", "-"],
        input=json.dumps(MEETING) + "\n{oops\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "line 2: invalid JSON" in done.stderr
    assert "Traceback" not in done.stderr


def test_default_store_is_timeline_db_or_env(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIMELINE_STORE", raising=False)
    assert run(capsys, "append", "s", write_lines(tmp_path / "a.jsonl", MEETING))[0] == 0
    assert (tmp_path / "timeline.db").exists()
    monkeypatch.setenv("TIMELINE_STORE", str(tmp_path / "env.db"))
    assert run(capsys, "append", "s", write_lines(tmp_path / "a.jsonl", MEETING))[0] == 0
    assert (tmp_path / "env.db").exists()


def test_as_of_parsing() -> None:
    assert parse_as_of("2025-04-01").isoformat() == "2025-04-01T23:59:59.999999+00:00"
    assert parse_as_of("2025-04-01T10:00:00+02:00").utcoffset() is not None
    with pytest.raises(Exception, match="no UTC offset"):
        parse_as_of("2025-04-01T10:00:00")
    with pytest.raises(Exception, match="not an ISO 8601"):
        parse_as_of("yesterday")


def test_show_corrections_retractions_and_as_of(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    """The story, then a placeholder correction and a retraction: now, and as known before them."""
    assert run(capsys, "--store", db, "append", STREAM, str(STORY))[0] == 0
    with open_store(db) as store:
        before = max(r.recorded_at for r in store.read(STREAM))
    correction = {
        "type": "correction",
        "id": "fix-1",
        "target": "sv-06-white-house-meeting",
        "changes": {"title": "placeholder corrected title"},
        "reason": "placeholder reason",
    }
    retraction = {"type": "retraction", "id": "drop-1", "target": "sv-10-activists", "reason": "placeholder"}
    path = write_lines(tmp_path / "amend.jsonl", correction, retraction)
    assert run(capsys, "--store", db, "append", STREAM, path)[0] == 0

    code, now, _ = run(capsys, "--store", db, "show", STREAM, "--history")
    assert code == 0
    assert "placeholder corrected title  (corrected, revision 2)" in now
    assert "correction title: placeholder reason" in now
    assert "Activists say" not in now
    assert "Trump hosts Bukele at the White House" not in now

    code, then, _ = run(capsys, "--store", db, "show", STREAM, "--as-of", before.isoformat())
    assert code == 0
    assert "Trump hosts Bukele at the White House" in then
    assert "Activists say" in then
    assert "placeholder" not in then

    code, shown, _ = run(capsys, "--store", db, "show", STREAM, "--retracted")
    assert "Activists say" in shown
    assert "RETRACTED" in shown


def test_ledger_movements_actors(capsys: pytest.CaptureFixture[str], db: str) -> None:
    assert run(capsys, "--store", db, "append", STREAM, str(STORY))[0] == 0
    code, out, _ = run(capsys, "--store", db, "ledger", STREAM)
    assert code == 0
    assert "United States  El Salvador  about 6,000,000 USD  1" in out
    code, out, _ = run(capsys, "--store", db, "movements", STREAM)
    assert "United States  CECOT, El Salvador  about 250" in out
    code, out, _ = run(capsys, "--store", db, "actors", STREAM)
    assert "Karoline Leavitt\n" in out
    assert "Nayib Bukele\n" in out


def test_export_errors(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    code, _, err = run(capsys, "--store", db, "export", "nope")
    assert code == 2
    assert "ical" in err
    code, _, err = run(capsys, "--store", db, "export", "ical", "--option", "colour=red")
    assert code == 2
    assert "colour" in err
    code, _, err = run(capsys, "--store", db, "export", "ical", "--option", "novalue")
    assert code == 2
    assert "KEY=VALUE" in err


def test_show_and_export_reported_by(capsys: pytest.CaptureFixture[str], db: str) -> None:
    """The report came out on 14 April 2025: by the 13th nothing had been reported, by the 14th all."""
    assert run(capsys, "--store", db, "append", STREAM, str(STORY))[0] == 0
    code, out, _ = run(capsys, "--store", db, "show", STREAM, "--reported-by", "2025-04-13")
    assert code == 0
    assert "(no events)" in out
    code, out, _ = run(capsys, "--store", db, "show", STREAM, "--reported-by", "2025-04-14")
    assert code == 0
    assert "Trump hosts Bukele at the White House" in out
    code, out, _ = run(capsys, "--store", db, "export", "json", "--reported-by", "2025-04-13")
    assert code == 0
    assert json.loads(out)["entries"] == []
    code, _, err = run(capsys, "--store", db, "show", "--reported-by", "14 April")
    assert code == 2
    assert "--reported-by" in err
    assert "Traceback" not in err

"""The command line as a newcomer meets it (issue 10): options anywhere, --version, ids, validate, messages
for files that are not JSON Lines, a warning for events without ids, the feed publisher as cron expects."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from timeline import open_store
from timeline.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"
STORY = EXAMPLES / "story.jsonl"
STREAM = "el-salvador-deportations"
MEETING = {"type": "meeting", "id": "m1", "when": "2025-04-14", "participants": ["A", "B"]}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, text: str | bytes) -> str:
    if isinstance(text, str):
        text = text.encode()
    path.write_bytes(text)
    return str(path)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "t.db")


def test_global_options_before_or_after_the_command(capsys: pytest.CaptureFixture[str], db: str) -> None:
    assert run(capsys, "append", STREAM, str(STORY), "--store", db)[0] == 0
    code, after, _ = run(capsys, "show", STREAM, "--store", db)
    assert code == 0
    code, before, _ = run(capsys, "--store", db, "show", STREAM)
    assert code == 0
    assert after == before
    assert "Bukele" in after
    assert run(capsys, "streams", "--store", db)[1] == f"{STREAM}\t10\n"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("timeline ")
    assert out.split()[1][0].isdigit()


def test_show_ids(capsys: pytest.CaptureFixture[str], db: str) -> None:
    assert run(capsys, "--store", db, "append", STREAM, str(STORY))[0] == 0
    code, out, _ = run(capsys, "--store", db, "show", STREAM, "--ids")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 10
    assert any(line.startswith("sv-06-white-house-meeting ") for line in lines)
    _, plain, _ = run(capsys, "--store", db, "show", STREAM)
    assert "sv-06-white-house-meeting" not in plain


def test_append_help_says_dash_or_nothing_is_standard_input(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["append", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "standard input" in out
    assert "-" in out


def test_validate_checks_without_appending(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "--store", db, "validate", str(STORY))
    assert code == 0
    assert "10 valid event(s)" in out
    bad = write(
        tmp_path / "bad.jsonl", json.dumps(MEETING) + "\n" + json.dumps({**MEETING, "when": "x"}) + "\n"
    )
    code, _, err = run(capsys, "--store", db, "validate", bad)
    assert code == 2
    assert "line 2: meeting.when" in err
    assert not Path(db).exists()


def test_a_byte_order_mark_is_accepted(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    path = write(tmp_path / "bom.jsonl", b"\xef\xbb\xbf" + json.dumps(MEETING).encode() + b"\n")
    code, out, err = run(capsys, "--store", db, "append", "s", path)
    assert code == 0, err
    assert "appended 1 event(s)" in out


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        ("type,id,when,title\nmeeting,m1,2025,A\nmeeting,m2,2025,B\n", "looks like CSV"),
        ("type;id;when\nmeeting;m1;2025\n", "looks like CSV"),
        (json.dumps([MEETING, {**MEETING, "id": "m2"}], indent=2) + "\n", "pretty-printed JSON array"),
        (json.dumps(MEETING, indent=2) + "\n", "pretty-printed JSON document"),
        (json.dumps([MEETING, {**MEETING, "id": "m2"}]) + "\n", "JSON array of objects"),
    ],
    ids=["csv", "csv-semicolons", "pretty-array", "pretty-object", "one-line-array"],
)
def test_a_file_in_another_format_gets_one_message(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, content: str, looks_like: str
) -> None:
    path = write(tmp_path / "in.jsonl", content)
    code, _, err = run(capsys, "--store", db, "append", "s", path)
    assert code == 2
    assert looks_like in err
    assert "expected JSON Lines" in err
    assert err.count(": line ") == 1, err


def test_events_without_ids_warn_that_appending_again_duplicates(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    no_id = {k: v for k, v in MEETING.items() if k != "id"}
    path = write(tmp_path / "in.jsonl", "\n".join(json.dumps(x) for x in (no_id, MEETING, no_id)) + "\n")
    code, _, err = run(capsys, "--store", db, "append", "s", path)
    assert code == 0
    assert "warning" in err
    assert "2 event(s) without an id (lines 1, 3)" in err
    assert "twice" in err
    code, _, err = run(capsys, "--store", db, "append", "s", str(STORY))
    assert code == 0
    assert err == ""


def load_publisher() -> ModuleType:
    spec = importlib.util.spec_from_file_location("publish_feed", EXAMPLES / "publish_feed.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_publish_feed_is_silent_on_success_and_lists_with_verbose(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    publisher = load_publisher()
    args: list[Any] = ["--store", str(tmp_path / "d.db"), "--stream", STREAM, "--out", str(tmp_path / "f")]
    assert publisher.main([*args, str(STORY)]) == 0
    assert capsys.readouterr() == ("", "")
    assert publisher.main([*args, "--verbose"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert sorted(Path(line).name for line in out.splitlines()) == [
        f"{STREAM}{s}" for s in (".ics", ".json", ".md")
    ]


def test_publish_feed_names_the_bad_input_and_exits_2_for_a_missing_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    publisher = load_publisher()
    db = str(tmp_path / "d.db")
    open_store(db).close()
    args = ["--store", db, "--stream", STREAM, "--out", str(tmp_path / "f")]
    bad = write(tmp_path / "bad.jsonl", json.dumps({**MEETING, "when": "2025-13"}) + "\n")
    assert publisher.main([*args, bad]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: line 1: meeting.when" in err
    missing = str(tmp_path / "missing.jsonl")
    assert publisher.main([*args, missing]) == 2
    err = capsys.readouterr().err
    assert missing in err
    assert "Traceback" not in err
    assert not (tmp_path / "f").exists()

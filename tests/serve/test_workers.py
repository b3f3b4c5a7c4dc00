"""`timeline serve` in its own processes: two on one SQLite file, one on PostgreSQL; the command itself."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.serve.helpers import TIMELINE, append, meeting, request
from timeline import cli

STREAM = "shared"


@contextmanager
def serve_process(db: Path | str) -> Iterator[int]:
    """`timeline serve --port 0` in its own process; yields the port it printed."""
    process = subprocess.Popen(
        [*TIMELINE, "--store", str(db), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("serving http://127.0.0.1:"), line + (
            process.stderr.read() if process.stderr else ""
        )
        yield int(line.split(":")[2].split("/")[0])
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.slow
def test_two_server_processes_on_one_sqlite_file_each_stay_fresh(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    append(db, STREAM, [meeting("w-1", "First")])
    with ExitStack() as stack:
        ports = [stack.enter_context(serve_process(db)) for _ in range(2)]
        firsts = [request(port, f"/streams/{STREAM}.ics") for port in ports]
        assert firsts[0].body == firsts[1].body
        assert firsts[0].headers["etag"] == firsts[1].headers["etag"]  # the same tag from every worker
        append(db, STREAM, [meeting("w-2", "Second")])
        for port, first in zip(ports, firsts, strict=True):
            polled = request(port, f"/streams/{STREAM}.ics", {"If-None-Match": first.headers["etag"]})
            assert polled.status == 200
            assert b"Second" in polled.body
            assert (
                request(port, f"/streams/{STREAM}.ics", {"If-None-Match": polled.headers["etag"]}).status
                == 304
            )


def test_serve_says_what_is_missing_without_waitress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "waitress.server", None)
    monkeypatch.setitem(sys.modules, "waitress", None)
    db = tmp_path / "x.db"
    append(db, STREAM, [meeting("w-1", "First")])
    assert cli.main(["--store", str(db), "serve", "--port", "0"]) == cli.EXIT_FAILURE
    assert "pip install 'timeline-core[serve]'" in capsys.readouterr().err


def test_serve_refuses_a_bad_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--store", str(tmp_path / "x.db"), "--port", "70000"]) == cli.EXIT_USAGE
    assert "--port: 70000" in capsys.readouterr().err


def test_a_postgresql_store_is_served_fresh() -> None:
    import os

    url = os.environ.get("TIMELINE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("set TIMELINE_TEST_POSTGRES_URL to a scratch database URL to serve from PostgreSQL")
    from timeline.store import postgres

    postgres.reset_for_tests(url)
    append(url, STREAM, [meeting("p-1", "First")])
    with serve_process(url) as port:
        first = request(port, f"/streams/{STREAM}.ics")
        assert b"First" in first.body
        append(url, STREAM, [meeting("p-2", "Second")])
        polled = request(port, f"/streams/{STREAM}.ics", {"If-None-Match": first.headers["etag"]})
        assert polled.status == 200
        assert b"Second" in polled.body


def test_serve_never_creates_a_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.db"
    assert cli.main(["serve", "--store", str(missing), "--port", "0"]) == cli.EXIT_FAILURE
    assert "no store at" in capsys.readouterr().err
    assert not missing.exists()

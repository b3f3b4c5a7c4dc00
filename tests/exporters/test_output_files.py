"""`timeline export -o PATH` and `export_to_path`: what kind of file PATH is decides how it is written.

Regular files are replaced atomically (a temporary file beside them, renamed over them), keep their mode,
and are left alone when the bytes would not change; FIFOs, character devices and /dev/stdout are written
into directly; a symlink's target file is replaced (the link stays). Failures name the path, exit 1, and
leave the old file as it was.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import attrs
import pytest

from tests.exporters.fake_plugins import FakeExporter
from timeline import Exporter, OutputError, PluginError, _files, exporting, hookimpl, plugins
from timeline.cli import main
from timeline.testing import story

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from timeline import Timeline

STORY_FILE = Path(__file__).resolve().parents[2] / "examples" / "story.jsonl"
STREAM = "el-salvador-deportations"


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A store holding the reference story."""
    path = str(tmp_path / "t.db")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["--store", path, "append", STREAM, str(STORY_FILE)]) == 0
    return path


@pytest.fixture(autouse=True)
def devices_are_never_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong implementation must fail these tests, not replace /dev/null or /dev/stdout (root may)."""
    for name in ("replace", "rename"):
        real = getattr(os, name)

        def guarded(src: Any, dst: Any, *args: Any, _real: Any = real, **kwargs: Any) -> None:
            if os.path.realpath(os.path.dirname(os.path.abspath(dst))).startswith(("/dev", "/proc")):
                raise AssertionError(f"would replace {dst}")
            _real(src, dst, *args, **kwargs)

        monkeypatch.setattr(os, name, guarded)


def export_cli(
    capsys: pytest.CaptureFixture[str], db: str, output: str, format: str = "json"
) -> tuple[int, str, str]:
    code = main(["--store", db, "export", format, "--stream", STREAM, "-o", output])
    out, err = capsys.readouterr()
    return code, out, err


def expected_json() -> bytes:
    return (Path(__file__).parent / "golden" / "story.json").read_bytes()


# -- what kind of file -------------------------------------------------------------------------


def test_a_fifo_is_written_into(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    exporting.export_to_path(story.story_timeline(), "json", fifo)
    reader.join(timeout=60)
    assert got
    assert got[0].startswith(b'{"schema_version": 1')
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still the FIFO, not replaced by a file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.pipe"]


def test_a_character_device_is_written_into() -> None:
    exporting.export_to_path(story.story_timeline(), "json", "/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_dev_stdout_is_written_into(capfd: pytest.CaptureFixture[str]) -> None:
    exporting.export_to_path(story.story_timeline(), "markdown", "/dev/stdout")
    out, _ = capfd.readouterr()
    assert out.startswith("# ")


def test_dash_is_stdout_on_the_command_line(
    capfd: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    os.chdir(tmp_path)
    assert main(["--store", db, "export", "json", "--stream", STREAM, "-o", "-"]) == 0
    out, _ = capfd.readouterr()
    assert out.startswith('{"schema_version": 1')
    assert not (tmp_path / "-").exists()


def test_through_a_symlink_the_file_it_points_to_is_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_bytes(b"old")
    link = tmp_path / "feed.json"
    link.symlink_to(real.name)
    exporting.export_to_path(story.story_timeline(), "json", link)
    assert link.is_symlink()
    assert os.readlink(link) == "real.json"
    assert real.read_bytes().startswith(b'{"schema_version": 1')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.json", "real.json"]


def test_a_replaced_file_keeps_its_mode_from_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "feed.json"
    target.write_bytes(b"old")
    target.chmod(0o604)
    modes: list[int] = []
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if os.fspath(dst) == os.fspath(target):  # not the render cache's own files
            modes.append(stat.S_IMODE(os.stat(src).st_mode))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    exporting.export_to_path(story.story_timeline(), "json", target)
    assert modes == [0o604]
    assert stat.S_IMODE(target.stat().st_mode) == 0o604


# -- temporary files ---------------------------------------------------------------------------


def test_temporary_files_follow_one_pattern_and_a_killed_exports_are_cleaned(tmp_path: Path) -> None:
    target = tmp_path / "feed.json"
    names: list[str] = []
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if os.fspath(dst) == os.fspath(target):  # not the render cache's own files
            names.append(os.path.basename(src))
        real_replace(src, dst)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "replace", replace)
        exporting.export_to_path(story.story_timeline(), "json", target)
    (name,) = names
    assert _files.is_temporary_file(name, "feed.json")
    # what a killed export leaves: a temporary file of a process that is gone; and an unrelated file
    dead = _files.temporary_name("feed.json", pid=_dead_pid())
    (tmp_path / dead).write_bytes(b"half a feed")
    (tmp_path / ".feed.json.notes").write_bytes(b"mine")
    (tmp_path / _files.temporary_name("other.json", pid=_dead_pid())).write_bytes(b"not this path's")
    target.write_bytes(b"old")
    exporting.export_to_path(story.story_timeline(), "json", target)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert dead not in left
    assert ".feed.json.notes" in left
    assert len(left) == 3


def _dead_pid() -> int:
    """The id of a process that has exited."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


# -- failures ----------------------------------------------------------------------------------


def test_a_missing_folder_is_one_line_naming_the_path(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "feed.json"
    code, _, err = export_cli(capsys, db, str(target))
    assert code == 1
    assert err.count("\n") == 1
    assert str(target) in err
    assert "no such folder" in err
    assert "Traceback" not in err


def test_a_folder_as_target(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    code, _, err = export_cli(capsys, db, str(tmp_path))
    assert code == 1
    assert err.count("\n") == 1
    assert str(tmp_path) in err
    assert "is a folder" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "feed.json"
    target.write_bytes(b"old")
    folder.chmod(0o555)
    try:
        code, _, err = export_cli(capsys, db, str(target))
    finally:
        folder.chmod(0o755)
    assert code == 1
    assert str(target) in err
    assert target.read_bytes() == b"old"


def test_a_read_only_folder_as_root_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root ignores folder permissions, so the refusal is simulated where the temporary file is created."""
    target = tmp_path / "feed.json"
    target.write_bytes(b"old")
    real_open = os.open

    def refuse(path: Any, flags: int, mode: int = 0o777, **kw: Any) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(OutputError) as caught:
        exporting.export_to_path(story.story_timeline(), "json", target)
    assert str(target) in str(caught.value)
    assert "Permission denied" in str(caught.value)
    monkeypatch.undo()
    assert target.read_bytes() == b"old"


@pytest.mark.parametrize("where", ["write", "fsync"])
def test_a_full_disk_keeps_the_old_file(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    target = tmp_path / "feed.json"
    target.write_bytes(b"old")

    def full(*args: Any) -> Any:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, where, full)
    code, _, err = export_cli(capsys, db, str(target))
    monkeypatch.undo()
    assert code == 1
    assert err.count("\n") == 1
    assert str(target) in err
    assert "No space left on device" in err
    assert "Traceback" not in err
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".feed.json")] == []


@attrs.frozen(kw_only=True)
class WritesStr(FakeExporter):
    """Writes str: a broken plugin."""

    def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
        """Write text, not bytes."""
        out.write("text")  # type: ignore[call-overload]  # on purpose


@attrs.frozen(kw_only=True)
class Raises(FakeExporter):
    """Raises half way: a broken plugin."""

    def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
        """Write a little, then fail."""
        out.write(b"half")
        raise KeyError("missing")


class Broken:
    """A plugin with both broken exporters."""

    @hookimpl
    def timeline_register_exporters(self, register: Callable[[Exporter], None]) -> None:
        register(WritesStr(name="writes-str"))
        register(Raises(name="raises"))


@pytest.mark.parametrize(("format", "why"), [("writes-str", "TypeError"), ("raises", "KeyError")])
def test_a_broken_exporter_is_named(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, format: str, why: str
) -> None:
    plugins.set_plugin_manager(
        plugins.make_plugin_manager(entry_points=False, plugins={"broken-plugin": Broken()})
    )
    target = tmp_path / "feed.txt"
    target.write_bytes(b"old")
    code, _, err = export_cli(capsys, db, str(target), format)
    assert code == 1
    assert err.count("\n") == 1
    assert "'broken-plugin'" in err
    assert why in err
    assert target.read_bytes() == b"old"
    with pytest.raises(PluginError, match="'broken-plugin'"):
        exporting.export(story.story_timeline(), format, io.BytesIO())


# -- unchanged feeds ---------------------------------------------------------------------------


def test_an_unchanged_feed_is_not_rewritten(tmp_path: Path) -> None:
    target = tmp_path / "feed.ics"
    exporting.export_to_path(story.story_timeline(), "ical", target)
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    before = target.stat()
    exporting.export_to_path(story.story_timeline(), "ical", target)
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.ics"]
    exporting.export_to_path(story.story_timeline(), "ical", target, name="renamed")  # changed: replaced
    assert target.stat().st_ino != before.st_ino
    assert b"renamed" in target.read_bytes()


KILLED_EXPORT = """
import os, sys, time
from timeline import hookimpl, plugins, testing, export_to_path

class Slow:
    name = "slow"; media_type = "text/plain"; extension = ".txt"; description = "stops half way"; options = {}
    def export(self, timeline, out, options):
        out.write(b"half a feed")
        out.flush()
        os.write(1, b"writing\\n")
        time.sleep(600)

class Plugin:
    @hookimpl
    def timeline_register_exporters(self, register):
        register(Slow())

plugins.set_plugin_manager(plugins.make_plugin_manager(entry_points=False, plugins={"slow": Plugin()}))
export_to_path(testing.story.story_timeline(), "slow", sys.argv[1])
"""


def test_a_killed_export_leaves_a_recognisable_file_that_the_next_export_removes(tmp_path: Path) -> None:
    target = tmp_path / "feed.json"
    target.write_bytes(b"old")
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_EXPORT, str(target)], stdout=subprocess.PIPE, cwd=tmp_path
    )
    assert child.stdout is not None
    assert child.stdout.readline() == b"writing\n"
    child.kill()  # SIGKILL: no clean-up runs
    child.wait(timeout=60)
    (left,) = [p.name for p in tmp_path.iterdir() if p.name != "feed.json"]
    assert _files.is_temporary_file(left, "feed.json")
    assert target.read_bytes() == b"old"
    exporting.export_to_path(story.story_timeline(), "json", target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.json"]

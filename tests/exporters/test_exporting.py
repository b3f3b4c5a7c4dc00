"""The export API (`timeline.export`, `timeline.export_to_path`): atomic, the old file kept on error."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO

import pytest

from tests.exporters.fake_plugins import FakeExporter
from tests.exporters.helpers import ROOT
from timeline import Exporter, PluginError, ValidationError, exporting, hookimpl, plugins
from timeline.testing import story

if TYPE_CHECKING:
    from pathlib import Path

    from timeline import Timeline


def test_export_to_path_writes_atomically(tmp_path: Path) -> None:
    target = tmp_path / "feed.ics"
    exporting.export_to_path(story.story_timeline(), "ical", target)
    first = target.read_bytes()
    assert first.startswith(b"BEGIN:VCALENDAR\r\n")
    assert first == (ROOT / "tests/exporters/golden/story.ics").read_bytes()
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask  # the umask decides, as for any new file
    target.chmod(0o640)
    exporting.export_to_path(story.story_timeline(), "ical", str(target), name="renamed")
    assert b"renamed" in target.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # replacing keeps the mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.ics"]


class Exploding:
    """A plugin whose exporter fails half way through."""

    @hookimpl
    def timeline_register_exporters(self, register: Callable[[Exporter], None]) -> None:
        class Boom(FakeExporter):
            def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, Any]) -> None:
                out.write(b"half a file")
                raise RuntimeError("disk on fire")

        register(Boom(name="boom"))


def test_export_to_path_keeps_the_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "feed.txt"
    target.write_bytes(b"the old feed")
    plugins.get_plugin_manager().register(Exploding(), name="exploding")
    with pytest.raises(PluginError, match="plugin 'exploding' failed to export format 'boom': RuntimeError"):
        exporting.export_to_path(story.story_timeline(), "boom", target)
    assert target.read_bytes() == b"the old feed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.txt"]  # no temporary file left
    with pytest.raises(ValidationError):  # bad input fails before any file is touched
        exporting.export_to_path(story.story_timeline(), "nope", tmp_path / "new.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.txt"]

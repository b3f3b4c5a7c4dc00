"""Fake plugins for the plugin tests: a small exporter, fake installed distributions, a clean slate."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, BinaryIO

import attrs
import pytest

from timeline import plugins
from timeline.events import EVENT_TYPES

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from timeline import Timeline


@attrs.frozen(kw_only=True)
class FakeExporter:
    """An exporter that writes the entry ids, one a line."""

    name: str = "fake"
    media_type: str = "text/plain"
    extension: str = ".txt"
    description: str = "entry ids"
    options: Mapping[str, str] = attrs.field(factory=lambda: {"upper": "shout"})

    def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
        """Write each entry's id on a line (upper case with ``upper``)."""
        for entry in timeline:
            out.write((entry.id.upper() if options.get("upper") else entry.id).encode() + b"\n")


def install(site: Path, dist: str, entry_name: str, module: str, source: str) -> None:
    """A fake installed distribution on `site` with one entry point in group ``timeline``."""
    (site / f"{module}.py").write_text(source)
    info = site / f"{dist.replace('-', '_')}-1.2.3.dist-info"  # the name part uses underscores
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text(f"[timeline]\n{entry_name} = {module}\n")
    importlib.invalidate_caches()


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path where tests install fake distributions (their modules are forgotten after)."""
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for path in tmp_path.glob("*.py"):
        sys.modules.pop(path.stem, None)
    importlib.invalidate_caches()


@pytest.fixture(autouse=True)
def hermetic_plugins() -> Iterator[None]:
    """The process's plugins are the built-ins only (installed plugins stay out unless a test loads them);
    the plugins and the event types are left as they were found."""
    known_types = dict(EVENT_TYPES)
    plugins.set_plugin_manager(plugins.make_plugin_manager(entry_points=False))
    yield
    plugins.reset()
    EVENT_TYPES.clear()
    EVENT_TYPES.update(known_types)

"""The ``csv`` plugin as installed: its entry point, discovery by `timeline.plugins`, and blocking it."""

from __future__ import annotations

import importlib.metadata
import io
from typing import TYPE_CHECKING

import pytest
from csv_support import timeline_of
from timeline_csv import COLUMNS, CsvExporter

import timeline.plugins
from timeline.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(autouse=True)
def fresh_plugins() -> Iterator[None]:
    timeline.plugins.reset()
    yield
    timeline.plugins.reset()


def test_the_entry_point_is_named_after_the_distribution() -> None:
    (point,) = importlib.metadata.entry_points(group="timeline", name="timeline_csv")
    assert point.value == "timeline_csv"
    assert point.dist is not None
    assert point.dist.name == "timeline-csv"


def test_timeline_finds_the_format_through_the_entry_point() -> None:
    assert ("csv", "text/csv", "timeline_csv") in timeline.plugins.formats()
    assert isinstance(timeline.plugins.get_exporter("csv"), CsvExporter)
    out = io.BytesIO()
    timeline.export(timeline_of([]), "csv", out, bom="true")
    assert out.getvalue() == ("\ufeff" + ",".join(COLUMNS) + "\r\n").encode()


def test_unknown_options_are_refused_by_the_library_too() -> None:
    with pytest.raises(ValidationError) as info:
        timeline.export(timeline_of([]), "csv", io.BytesIO(), excel="yes")
    assert info.value.path == "options.excel"


def test_the_plugin_can_be_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMELINE_DISABLE_PLUGINS", "timeline_csv")
    timeline.plugins.reset()
    assert "csv" not in [name for name, _, _ in timeline.plugins.formats()]
    with pytest.raises(ValidationError):
        timeline.plugins.get_exporter("csv")

"""The ``html`` plugin as installed: its entry point, discovery by `timeline.plugins`, and blocking it."""

from __future__ import annotations

import importlib.metadata
import io
from typing import TYPE_CHECKING

import pytest
from html_support import parse, timeline_of
from timeline_html import HtmlExporter

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
    (point,) = importlib.metadata.entry_points(group="timeline", name="timeline_html")
    assert point.value == "timeline_html"
    assert point.dist is not None
    assert point.dist.name == "timeline-html"


def test_timeline_finds_the_format_through_the_entry_point() -> None:
    assert ("html", "text/html; charset=utf-8", "timeline_html") in timeline.plugins.formats()
    assert isinstance(timeline.plugins.get_exporter("html"), HtmlExporter)
    out = io.BytesIO()
    timeline.plugins.export(timeline_of([]), "html", out, title="Empty")
    assert parse(out.getvalue()).one("h1").text() == "Empty"


def test_unknown_options_are_refused_by_the_library_too() -> None:
    with pytest.raises(ValidationError) as info:
        timeline.plugins.export(timeline_of([]), "html", io.BytesIO(), colour="#fff")
    assert info.value.path == "options.colour"


def test_the_plugin_can_be_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMELINE_DISABLE_PLUGINS", "timeline_html")
    timeline.plugins.reset()
    assert "html" not in [name for name, _, _ in timeline.plugins.formats()]
    with pytest.raises(ValidationError):
        timeline.plugins.get_exporter("html")

"""The ``html`` plugin as installed: the exporter contract, its entry point, export through `timeline`."""

from __future__ import annotations

import importlib.metadata
import io
from types import MappingProxyType

import pytest
from html_support import parse, timeline_of
from timeline_html import HtmlExporter

import timeline
import timeline.plugins
from timeline import ValidationError
from timeline.testing import ExporterContract


class TestHtmlKeepsTheExporterContract(ExporterContract):
    """Found, blockable, writes bytes, deterministic, retractions left out, options checked."""

    format = "html"
    plugin = "timeline_html"


class TestHtmlKeepsTheContractWithEveryOption(ExporterContract):
    """The same with every option set (retracted entries listed must still leave them out of the timeline)."""

    format = "html"
    plugin = "timeline_html"
    options = MappingProxyType({"title": "T", "lang": "pt-BR", "retracted": "show", "theme": "#b91c1c"})


def test_the_entry_point_is_named_after_the_distribution() -> None:
    (point,) = importlib.metadata.entry_points(group="timeline", name="timeline_html")
    assert point.value == "timeline_html"
    assert point.dist is not None
    assert point.dist.name == "timeline-html"


def test_timeline_exports_through_the_plugin() -> None:
    assert isinstance(timeline.plugins.make_plugin_manager().get_exporter("html"), HtmlExporter)
    out = io.BytesIO()
    timeline.export(timeline_of([]), "html", out, title="Empty")
    assert parse(out.getvalue()).one("h1").text() == "Empty"


def test_unknown_options_are_refused_by_the_library_too() -> None:
    with pytest.raises(ValidationError) as info:
        timeline.export(timeline_of([]), "html", io.BytesIO(), colour="#fff")
    assert info.value.path == "options.colour"

"""The ``csv`` plugin as installed: the exporter contract, its entry point, export through `timeline`."""

from __future__ import annotations

import importlib.metadata
import io

import pytest
from csv_support import timeline_of
from timeline_csv import COLUMNS, CsvExporter

import timeline.plugins
from timeline import ValidationError
from timeline.testing import ExporterContract


class TestCsvKeepsTheExporterContract(ExporterContract):
    """Found, blockable, writes bytes, deterministic, retractions left out, options checked."""

    format = "csv"
    plugin = "timeline_csv"


def test_the_entry_point_is_named_after_the_distribution() -> None:
    (point,) = importlib.metadata.entry_points(group="timeline", name="timeline_csv")
    assert point.value == "timeline_csv"
    assert point.dist is not None
    assert point.dist.name == "timeline-csv"


def test_timeline_exports_through_the_plugin() -> None:
    assert isinstance(timeline.plugins.make_plugin_manager().get_exporter("csv"), CsvExporter)
    out = io.BytesIO()
    timeline.export(timeline_of([]), "csv", out, bom="true")
    assert out.getvalue() == ("\ufeff" + ",".join(COLUMNS) + "\r\n").encode()


def test_unknown_options_are_refused_by_the_library_too() -> None:
    with pytest.raises(ValidationError) as info:
        timeline.export(timeline_of([]), "csv", io.BytesIO(), excel="yes")
    assert info.value.path == "options.excel"

"""The exporter contract of timeline.testing, run against the installed headlines format."""

from __future__ import annotations

from timeline.testing import ExporterContract


class TestHeadlinesContract(ExporterContract):
    format = "headlines"
    plugin = "timeline_headlines"  # the entry-point name in pyproject.toml

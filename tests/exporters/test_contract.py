"""`timeline.testing.ExporterContract`: the built-in exporters keep it, and it catches ones that do not."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar

import attrs
import pytest

from tests.exporters.fake_plugins import FakeExporter, install
from timeline.testing import ExporterContract, story

if TYPE_CHECKING:
    from pathlib import Path

    from timeline import Timeline


class TestIcalKeepsTheContract(ExporterContract):
    """The built-in iCalendar exporter."""

    format = "ical"
    plugin = "timeline.exporters.ical"


class TestJsonKeepsTheContract(ExporterContract):
    """The built-in JSON exporter."""

    format = "json"
    plugin = "timeline.exporters.json"


class TestMarkdownKeepsTheContract(ExporterContract):
    """The built-in Markdown exporter, with an option set."""

    format = "markdown"
    plugin = "timeline.exporters.markdown"
    options: ClassVar[Mapping[str, str]] = {"title": "A story"}


@attrs.frozen(kw_only=True)
class WritesText(FakeExporter):
    """Breaks the contract: writes str."""

    def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
        """Write the ids as text."""
        out.write("\n".join(entry.id for entry in timeline))  # type: ignore[call-overload]  # on purpose


@attrs.frozen(kw_only=True)
class Counts(FakeExporter):
    """Breaks the contract: different bytes on every call, and it ignores unknown options."""

    calls: list[int] = attrs.field(factory=list)

    def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
        """Write how many times it was called."""
        self.calls.append(1)
        out.write(str(len(self.calls)).encode())


BAD_PLUGIN = """
from timeline import hookimpl
from tests.exporters.test_contract import {cls}

@hookimpl
def timeline_register_exporters(register):
    register({cls}(name="{format}"))
"""


def _bad_contract(site: Path, cls: str, format: str) -> ExporterContract:
    """A contract subclass for a plugin installed on `site` whose exporter is `cls` (under name `format`)."""
    module = f"fake_{format.replace('-', '_')}_plugin"
    install(site, f"timeline-{format}", module, module, BAD_PLUGIN.format(cls=cls, format=format))
    contract: type[ExporterContract] = type(
        f"Test{cls}", (ExporterContract,), {"format": format, "plugin": module}
    )
    return contract()


def test_the_contract_finds_and_blocks_a_plugin_through_its_entry_point(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contract = _bad_contract(site, "Counts", "found-format")
    contract.test_found_through_its_entry_point()
    contract.test_can_be_blocked(monkeypatch)


def test_the_contract_catches_str_output(site: Path) -> None:
    contract = _bad_contract(site, "WritesText", "text-format")
    with pytest.raises(TypeError, match="must write bytes, not str"):
        contract.test_writes_bytes_for_the_reference_story()


def test_the_contract_catches_output_that_changes_and_unchecked_options(site: Path) -> None:
    contract = _bad_contract(site, "Counts", "counting-format")
    events = [record.event for record in story.records()]
    # The property tests' bodies on one example each (hypothesis would spend minutes shrinking a failure).
    same_bytes: Any = type(contract).test_writes_the_same_bytes_for_the_same_timeline
    retracted: Any = type(contract).test_leaves_retracted_events_out
    with pytest.raises(AssertionError):
        same_bytes.hypothesis.inner_test(contract, events)
    with pytest.raises(AssertionError):  # it never writes the kept event's title either
        retracted.hypothesis.inner_test(contract, events[0], events[1])
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        contract.test_refuses_unknown_options()


def test_the_contract_catches_a_plugin_that_is_not_installed() -> None:
    contract = type("TestMissing", (ExporterContract,), {"format": "ical", "plugin": "timeline-missing"})()
    with pytest.raises(AssertionError, match="no format 'ical' from plugin 'timeline-missing'"):
        contract.test_found_through_its_entry_point()

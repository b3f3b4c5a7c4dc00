"""The plugin system: built-ins as plugins, entry points, broken and clashing plugins, blocking, export."""

from __future__ import annotations

import inspect
import io
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from tests.exporters.fake_plugins import FakeExporter, install
from tests.exporters.helpers import ROOT
from timeline import exporting, hookimpl, hookspecs, plugins
from timeline.codec import from_json
from timeline.errors import TimelineError, ValidationError
from timeline.events import EVENT_TYPES, Occurrence
from timeline.exporters.base import Exporter
from timeline.testing import story

if TYPE_CHECKING:
    from pathlib import Path


BUILTINS = {
    "ical": ("text/calendar", "timeline.exporters.ical"),
    "json": ("application/json", "timeline.exporters.json"),
    "markdown": ("text/markdown; charset=utf-8; variant=GFM", "timeline.exporters.markdown"),
}


class ClaimsJSON:
    """A plugin object claiming the built-in ``json`` format."""

    @hookimpl
    def timeline_register_exporters(self, register: Callable[[Exporter], None]) -> None:
        register(FakeExporter(name="json"))


GOOD_PLUGIN = '''
import attrs
from timeline import Occurrence, hookimpl
from tests.exporters.fake_plugins import FakeExporter

@attrs.frozen(kw_only=True)
class Sighting(Occurrence):
    """A thing seen somewhere."""
    TYPE = "sighting"
    what: str

@hookimpl
def timeline_register_exporters(register):
    register(FakeExporter())

@hookimpl
def timeline_register_event_types(register):
    register(Sighting)
'''
BROKEN_PLUGIN = "raise ImportError('this plugin needs a library that is not installed')\n"


def test_builtins_are_plugins() -> None:
    found = {name: (media, plugin) for name, media, plugin in plugins.formats()}
    for name, expected in BUILTINS.items():
        assert found[name] == expected
    listed = {p["name"]: p for p in plugins.plugin_list()}
    for module in plugins.DEFAULT_PLUGINS:
        assert listed[module]["hooks"] == ["timeline_register_exporters"]
    assert set(plugins.exporters()) >= set(BUILTINS)
    for name, exporter in plugins.exporters().items():
        assert isinstance(exporter, Exporter)
        assert exporter.name == name


def test_export_is_the_public_api() -> None:
    import timeline

    out = io.BytesIO()
    timeline.export(story.story_timeline(), "json", out)
    assert out.getvalue().startswith(b'{"schema_version": 1')
    assert timeline.export is exporting.export
    assert timeline.export_to_path is exporting.export_to_path


def test_unknown_format_lists_the_known_ones() -> None:
    with pytest.raises(ValidationError) as caught:
        plugins.get_exporter("pdf")
    message = str(caught.value)
    assert "'pdf'" in message
    assert "ical, json, markdown" in message
    assert caught.value.path == "format"


def test_unknown_options_are_named() -> None:
    with pytest.raises(
        ValidationError, match=r"unknown options colour, size for format 'markdown'"
    ) as caught:
        exporting.export(story.story_timeline(), "markdown", io.BytesIO(), colour="red", size="9", title="x")
    assert caught.value.path == "options.colour"
    assert "(known: title)" in str(caught.value)


def test_third_party_plugin_from_an_entry_point(site: Path) -> None:
    install(site, "timeline-fake", "timeline-fake", "fake_good_plugin", GOOD_PLUGIN)
    plugins.reset()  # load again, entry points included
    assert ("fake", "text/plain", "timeline-fake") in plugins.formats()
    listed = {p["name"]: p for p in plugins.plugin_list()}
    assert listed["timeline-fake"] == {
        "name": "timeline-fake",
        "hooks": ["timeline_register_event_types", "timeline_register_exporters"],
        "version": "1.2.3",
    }
    out = io.BytesIO()
    exporting.export(story.story_timeline(), "fake", out, upper="yes")
    assert out.getvalue().splitlines()[0] == story.FIXED_ID_STATEMENT.upper().encode()
    # its event type is known to the codec
    event = from_json({"type": "sighting", "id": "s1", "when": "2025-03", "what": "a comet"})
    assert isinstance(event, Occurrence)
    assert event.TYPE == "sighting"
    assert "sighting" in EVENT_TYPES


def test_a_broken_plugin_is_named_and_the_others_still_load(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install(site, "timeline-broken", "timeline-broken", "fake_broken_plugin", BROKEN_PLUGIN)
    install(site, "timeline-fake", "timeline-fake", "fake_good_plugin", GOOD_PLUGIN)
    plugins.reset()  # load again, entry points included
    names = {name for name, _, _ in plugins.formats()}
    assert names >= {"fake", *BUILTINS}
    err = capsys.readouterr().err
    assert "'timeline-broken'" in err
    assert "ImportError" in err
    assert "not installed" in err
    listed = {p["name"]: p for p in plugins.plugin_list()}
    assert listed["timeline-broken"]["error"].startswith("ImportError: this plugin needs")
    assert "hooks" in listed["timeline-fake"]


def test_a_plugin_whose_hook_fails_loses_its_formats_only(capsys: pytest.CaptureFixture[str]) -> None:
    class Failing:
        @hookimpl
        def timeline_register_exporters(self, register: Callable[[Exporter], None]) -> None:
            register(object())  # type: ignore[arg-type]  # not an exporter, on purpose

    plugins.get_plugin_manager().register(Failing(), name="failing")
    assert set(plugins.exporters()) >= set(BUILTINS)
    err = capsys.readouterr().err
    assert "'failing'" in err
    assert "not an exporter" in err


def test_two_plugins_claiming_one_format_is_an_error_naming_both() -> None:
    plugins.get_plugin_manager().register(ClaimsJSON(), name="json-imposter")
    with pytest.raises(plugins.PluginError) as caught:
        plugins.exporters()
    message = str(caught.value)
    assert "'json'" in message
    assert "'timeline.exporters.json'" in message
    assert "'json-imposter'" in message
    assert plugins.DISABLE_ENV in message
    assert isinstance(caught.value, TimelineError)
    with pytest.raises(plugins.PluginError):
        plugins.get_exporter("ical")


def test_blocking_plugins_by_name(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(site, "timeline-fake", "timeline-fake", "fake_good_plugin", GOOD_PLUGIN)
    plugins.reset()  # load again, entry points included
    monkeypatch.setenv(plugins.DISABLE_ENV, " timeline.exporters.markdown , timeline-fake")
    plugins.reset()
    names = {name for name, _, _ in plugins.formats()}
    assert {"ical", "json"} <= names
    assert not names & {"markdown", "fake"}
    assert "fake_good_plugin" not in sys.modules  # a blocked plugin is not even imported
    with pytest.raises(ValidationError, match="unknown format 'markdown'"):
        plugins.get_exporter("markdown")
    listed = {p["name"] for p in plugins.plugin_list()}
    assert "timeline.exporters.markdown" not in listed
    assert "timeline-fake" not in listed


def test_blocking_resolves_a_clash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(plugins.DISABLE_ENV, "timeline.exporters.json")
    plugins.reset()
    plugins.get_plugin_manager().register(ClaimsJSON(), name="json-imposter")
    assert ("json", "text/plain", "json-imposter") in plugins.formats()


def _hookspecs() -> list[Any]:
    return [
        f
        for name, f in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(f, f"{hookspecs.PROJECT}_spec")
    ]


def test_every_hookspec_has_a_one_line_docstring() -> None:
    specs = _hookspecs()
    assert {f.__name__ for f in specs} == {"timeline_register_exporters", "timeline_register_event_types"}
    for spec in specs:
        doc = (spec.__doc__ or "").strip()
        assert doc, spec.__name__
        assert len(doc.splitlines()) == 1, spec.__name__
        assert doc.endswith("."), spec.__name__


def test_every_hookspec_is_documented_in_the_hook_reference() -> None:
    reference = ROOT / "docs" / "plugins" / "hooks.md"
    headings, fenced = [], False
    for line in reference.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif line.startswith("#") and not fenced:
            headings.append(line)
    for spec in _hookspecs():
        signature = f"{spec.__name__}({', '.join(inspect.signature(spec).parameters)})"
        assert any(signature in re.sub(r"[`*]", "", h) for h in headings), (
            f"docs/plugins/hooks.md needs a heading with {signature}"
        )


CLASHING_TYPE_PLUGIN = '''
from timeline import Meeting, hookimpl

class NotAMeeting(Meeting):
    """Takes the tag of a built-in type."""

@hookimpl
def timeline_register_event_types(register):
    register(NotAMeeting)
'''


def test_an_event_type_clash_is_reported_and_the_builtin_kept(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install(site, "timeline-clash", "timeline-clash", "fake_clash_plugin", CLASHING_TYPE_PLUGIN)
    plugins.reset()  # load again, entry points included
    plugins.get_plugin_manager()
    assert "'timeline-clash'" in capsys.readouterr().err
    assert EVENT_TYPES["meeting"].__module__ == "timeline.events"
    listed = [p for p in plugins.plugin_list() if p["name"] == "timeline-clash"]
    assert len(listed) == 1
    assert "already registered" in listed[0]["error"]
    assert set(plugins.exporters()) >= set(BUILTINS)
    sys.modules.pop("fake_clash_plugin", None)

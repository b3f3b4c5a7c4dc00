"""The plugin system: built-ins as plugins, entry points, broken and clashing plugins, blocking, export."""

from __future__ import annotations

import importlib
import inspect
import io
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO

import attrs
import pytest

from tests.exporters import story
from tests.exporters.helpers import ROOT
from timeline import hookspecs, plugins
from timeline.codec import from_json
from timeline.errors import TimelineError, ValidationError
from timeline.events import EVENT_TYPES, Occurrence
from timeline.exporters.base import Exporter, hookimpl

if TYPE_CHECKING:
    from pathlib import Path

    from timeline.projections import Timeline

BUILTINS = {
    "ical": ("text/calendar", "timeline.exporters.ical"),
    "json": ("application/json", "timeline.exporters.json"),
    "markdown": ("text/markdown; charset=utf-8; variant=GFM", "timeline.exporters.markdown"),
}


@pytest.fixture(autouse=True)
def fresh_plugins() -> Iterator[None]:
    """Each test loads the plugins anew, and leaves them (and the event types) as it found them."""
    known_types = dict(EVENT_TYPES)
    plugins.reset()
    yield
    plugins.reset()
    EVENT_TYPES.clear()
    EVENT_TYPES.update(known_types)


@attrs.frozen(kw_only=True)
class FakeExporter:
    """An exporter that writes the entry ids, one a line."""

    name: str = "fake"
    media_type: str = "text/plain"
    extension: str = ".txt"
    description: str = "entry ids"
    options: Mapping[str, str] = attrs.field(factory=lambda: {"upper": "shout"})

    def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
        for entry in timeline:
            out.write((entry.id.upper() if options.get("upper") else entry.id).encode() + b"\n")


class ClaimsJSON:
    """A plugin object claiming the built-in ``json`` format."""

    @hookimpl
    def timeline_register_exporters(self, register: Callable[[Exporter], None]) -> None:
        register(FakeExporter(name="json"))


def _install(site: Path, dist: str, entry_name: str, module: str, source: str) -> None:
    """A fake installed distribution on `site` with one entry point in group ``timeline``."""
    (site / f"{module}.py").write_text(source)
    info = site / f"{dist.replace('-', '_')}-1.2.3.dist-info"  # the name part uses underscores
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text(f"[timeline]\n{entry_name} = {module}\n")


GOOD_PLUGIN = '''
import attrs
from timeline.events import Occurrence, register_event_type
from timeline.exporters.base import hookimpl
from tests.exporters.test_plugins import FakeExporter

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


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path where tests install fake distributions."""
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("fake_good_plugin", "fake_broken_plugin"):
        sys.modules.pop(name, None)
    importlib.invalidate_caches()


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

    if not hasattr(timeline, "export"):
        pytest.skip("timeline/__init__.py does not re-export plugins.export yet (the lead's file)")
    out = io.BytesIO()
    getattr(timeline, "export")(story.story_timeline(), "json", out)  # noqa: B009
    assert out.getvalue().startswith(b'{"schema_version": 1')
    assert getattr(timeline, "hookimpl") is hookimpl  # noqa: B009  # the lead's __init__ may lack it


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
        plugins.export(story.story_timeline(), "markdown", io.BytesIO(), colour="red", size="9", title="x")
    assert caught.value.path == "options.colour"
    assert "(known: title)" in str(caught.value)


def test_third_party_plugin_from_an_entry_point(site: Path) -> None:
    _install(site, "timeline-fake", "timeline-fake", "fake_good_plugin", GOOD_PLUGIN)
    assert ("fake", "text/plain", "timeline-fake") in plugins.formats()
    listed = {p["name"]: p for p in plugins.plugin_list()}
    assert listed["timeline-fake"] == {
        "name": "timeline-fake",
        "hooks": ["timeline_register_event_types", "timeline_register_exporters"],
        "version": "1.2.3",
    }
    out = io.BytesIO()
    plugins.export(story.story_timeline(), "fake", out, upper="yes")
    assert out.getvalue().splitlines()[0] == story.FIXED_ID_STATEMENT.upper().encode()
    # its event type is known to the codec
    event = from_json({"type": "sighting", "id": "s1", "when": "2025-03", "what": "a comet"})
    assert isinstance(event, Occurrence)
    assert event.TYPE == "sighting"
    assert "sighting" in EVENT_TYPES


def test_a_broken_plugin_is_named_and_the_others_still_load(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _install(site, "timeline-broken", "timeline-broken", "fake_broken_plugin", BROKEN_PLUGIN)
    _install(site, "timeline-fake", "timeline-fake", "fake_good_plugin", GOOD_PLUGIN)
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
    _install(site, "timeline-fake", "timeline-fake", "fake_good_plugin", GOOD_PLUGIN)
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


def test_export_to_path_writes_atomically(tmp_path: Path) -> None:
    target = tmp_path / "feed.ics"
    plugins.export_to_path(story.story_timeline(), "ical", target)
    first = target.read_bytes()
    assert first.startswith(b"BEGIN:VCALENDAR\r\n")
    assert first == (ROOT / "tests/exporters/golden/story.ics").read_bytes()
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask  # the umask decides, as for any new file
    target.chmod(0o640)
    plugins.export_to_path(story.story_timeline(), "ical", str(target), name="renamed")
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
    with pytest.raises(RuntimeError, match="disk on fire"):
        plugins.export_to_path(story.story_timeline(), "boom", target)
    assert target.read_bytes() == b"the old feed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.txt"]  # no temporary file left
    with pytest.raises(ValidationError):  # bad input fails before any file is touched
        plugins.export_to_path(story.story_timeline(), "nope", tmp_path / "new.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.txt"]


def _hookspecs() -> list[Any]:
    return [
        f
        for name, f in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(f, f"{hookspecs.PROJECT}_spec")
    ]


def test_every_hookspec_has_a_docstring() -> None:
    specs = _hookspecs()
    assert {f.__name__ for f in specs} == {"timeline_register_exporters", "timeline_register_event_types"}
    for spec in specs:
        assert (spec.__doc__ or "").strip(), spec.__name__


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
from timeline.events import Meeting
from timeline.exporters.base import hookimpl

class NotAMeeting(Meeting):
    """Takes the tag of a built-in type."""

@hookimpl
def timeline_register_event_types(register):
    register(NotAMeeting)
'''


def test_an_event_type_clash_is_reported_and_the_builtin_kept(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _install(site, "timeline-clash", "timeline-clash", "fake_clash_plugin", CLASHING_TYPE_PLUGIN)
    plugins.get_plugin_manager()
    assert "'timeline-clash'" in capsys.readouterr().err
    assert EVENT_TYPES["meeting"].__module__ == "timeline.events"
    listed = [p for p in plugins.plugin_list() if p["name"] == "timeline-clash"]
    assert len(listed) == 1
    assert "already registered" in listed[0]["error"]
    assert set(plugins.exporters()) >= set(BUILTINS)
    sys.modules.pop("fake_clash_plugin", None)

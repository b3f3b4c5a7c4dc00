"""The exporter contract: a pytest class a plugin's tests subclass to check that its exporter keeps it."""

from __future__ import annotations

import functools
import importlib.metadata
import io
from typing import TYPE_CHECKING, ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from timeline.errors import ValidationError
from timeline.exporters.base import Exporter
from timeline.plugins import DEFAULT_PLUGINS, DISABLE_ENV, ENTRY_POINT_GROUP, make_plugin_manager
from timeline.testing import story
from timeline.testing._events import occurrence_lists, occurrences
from timeline.testing._records import retract, timeline_of

if TYPE_CHECKING:
    from collections.abc import Mapping

    from timeline.events import Event
    from timeline.projections import Timeline

# differing_executors: every subclass (one per exporter) runs the same inherited test function; examples
# saved in hypothesis's database for one exporter are then replayed for another, which only adds cases.
_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
)
_MARK_KEPT = "KEPTmark4821"
_MARK_RETRACTED = "GONEmark9317"


class BytesOnly(io.BytesIO):
    """A binary file that refuses anything but bytes, naming the type it was given."""

    def write(self, data: object, /) -> int:
        """Write `data` if it is bytes-like; raise `TypeError` naming its type otherwise."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"an exporter must write bytes, not {type(data).__name__}")
        return super().write(data)


@functools.cache
def _exporter(format: str) -> Exporter:
    return make_plugin_manager().get_exporter(format)


class ExporterContract:
    """What every exporter promises; subclass it in a plugin's tests and set the class attributes::

        from timeline.testing import ExporterContract

        class TestHeadlinesContract(ExporterContract):
            format = "headlines"
            plugin = "timeline_headlines"  # the entry-point name (a built-in: its module)

    The subclass's tests check that the format is found through its entry point and can be blocked with
    ``TIMELINE_DISABLE_PLUGINS``, that the exporter describes itself, writes bytes (never str), writes the
    same bytes for the same timeline, leaves retracted events out, and refuses unknown options with a
    `timeline.ValidationError` naming ``options.<name>``.
    """

    #: The format name the exporter registers.
    format: ClassVar[str]
    #: The plugin providing it: its entry-point name, or a built-in's module name.
    plugin: ClassVar[str]
    #: Options for the exports the tests make (strings, as on the command line).
    options: ClassVar[Mapping[str, str]] = {}

    def exporter(self) -> Exporter:
        """The exporter of `format`, from a fresh plugin manager."""
        return _exporter(self.format)

    def export(self, timeline: Timeline, options: Mapping[str, str] | None = None) -> bytes:
        """What the exporter writes for `timeline`, into a file that takes bytes only."""
        out = BytesOnly()
        self.exporter().export(timeline, out, self.options if options is None else options)
        return out.getvalue()

    def test_found_through_its_entry_point(self) -> None:
        manager = make_plugin_manager()
        assert any((name, plugin) == (self.format, self.plugin) for name, _, plugin in manager.formats()), (
            f"no format {self.format!r} from plugin {self.plugin!r} in {manager.formats()}"
        )
        if self.plugin not in DEFAULT_PLUGINS:
            names = {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
            assert self.plugin in names, f"no entry point {self.plugin!r} in group {ENTRY_POINT_GROUP!r}"

    def test_can_be_blocked(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(DISABLE_ENV, f"some-other-plugin, {self.plugin}")
        manager = make_plugin_manager()
        assert self.format not in manager.exporters()
        assert self.plugin not in {p["name"] for p in manager.plugin_list()}

    def test_describes_itself(self) -> None:
        exporter = self.exporter()
        assert isinstance(exporter, Exporter)
        assert exporter.name == self.format
        assert isinstance(exporter.media_type, str)
        assert "/" in exporter.media_type
        assert exporter.extension.startswith(".")
        assert exporter.description.strip()
        assert "\n" not in exporter.description
        for key, help_text in exporter.options.items():
            assert isinstance(key, str)
            assert key
            assert isinstance(help_text, str)
            assert help_text.strip()

    def test_writes_bytes_for_the_reference_story(self) -> None:
        assert self.export(story.story_timeline())
        self.export(timeline_of([]))  # an empty timeline is no error

    @_SETTINGS
    @given(occurrence_lists)
    def test_writes_the_same_bytes_for_the_same_timeline(self, events: list[Event]) -> None:
        assert self.export(timeline_of(events)) == self.export(timeline_of(list(events)))

    @_SETTINGS
    @given(occurrences(event_id="kept"), occurrences(event_id="gone"))
    def test_leaves_retracted_events_out(self, kept: Event, gone: Event) -> None:
        kept = _titled(kept, _MARK_KEPT)
        gone = _titled(gone, _MARK_RETRACTED)
        data = self.export(timeline_of([kept, gone, retract("gone")]))
        assert _MARK_KEPT.encode() in data
        assert _MARK_RETRACTED.encode() not in data

    def test_refuses_unknown_options(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.export(story.story_timeline(), {**self.options, "no-such-option": "x"})
        assert caught.value.path == "options.no-such-option"


def _titled(event: Event, title: str) -> Event:
    return attrs.evolve(event, title=title)

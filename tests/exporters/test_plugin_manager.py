"""The plugin manager's machinery: fresh managers, pluggy's own calls, pending hooks, one registry."""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from typing import Any

import pluggy
import pytest

from tests.exporters.fake_plugins import FakeExporter
from timeline import Exporter, hookimpl, plugins


class Counting:
    """A plugin counting how often its exporter hook is called."""

    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def timeline_register_exporters(self, register: Callable[[Exporter], None]) -> None:
        self.calls += 1
        register(FakeExporter(name="counted"))


class Misspelled:
    """A plugin whose hook name has a typo: pluggy would load it and never call it."""

    @hookimpl
    def timeline_register_exporter(self, register: Callable[[Exporter], None]) -> None:
        register(FakeExporter(name="never"))


class Raising:
    """A plugin whose exporter hook raises."""

    @hookimpl
    def timeline_register_exporters(self, register: Callable[[Exporter], None]) -> None:
        raise RuntimeError("cannot start")


class Wrapping:
    """A hook wrapper: sees every call of the exporter hook, before and after the implementation."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl(wrapper=True)
    def timeline_register_exporters(self, register: Callable[[Exporter], None]) -> Generator[None, Any, Any]:
        self.seen.append("before")
        result = yield
        self.seen.append("after")
        return result


def test_a_fresh_manager_has_the_builtins_and_nothing_installed() -> None:
    pm = plugins.make_plugin_manager(entry_points=False)
    assert [name for name, _ in pm.list_name_plugin()] == list(plugins.DEFAULT_PLUGINS)
    assert sorted(pm.exporters()) == ["ical", "json", "markdown"]
    assert pm is not plugins.make_plugin_manager(entry_points=False)  # fresh each time
    assert plugins.get_plugin_manager() is plugins.get_plugin_manager()  # the process's one is cached


def test_the_default_manager_includes_installed_plugins() -> None:
    plugins.reset()
    installed = {name for name, _, _ in plugins.make_plugin_manager().formats()}
    assert {name for name, _, _ in plugins.formats()} == installed


def test_a_misspelled_hook_is_reported_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    pm = plugins.make_plugin_manager(entry_points=False, plugins={"typo": Misspelled()})
    err = capsys.readouterr().err
    assert "'typo'" in err
    assert "timeline_register_exporter" in err
    assert not pm.has_plugin("typo")
    (listed,) = [p for p in pm.plugin_list() if p["name"] == "typo"]
    assert "unknown hook 'timeline_register_exporter'" in listed["error"]
    assert sorted(pm.exporters()) == ["ical", "json", "markdown"]


def test_a_plugin_that_raises_is_isolated_and_named(capsys: pytest.CaptureFixture[str]) -> None:
    counting = Counting()
    pm = plugins.make_plugin_manager(entry_points=False, plugins={"raising": Raising(), "counting": counting})
    assert sorted(pm.exporters()) == ["counted", "ical", "json", "markdown"]
    err = capsys.readouterr().err
    assert "plugin 'raising': its formats were left out: RuntimeError: cannot start" in err


def test_the_exporters_are_collected_once_per_load() -> None:
    counting = Counting()
    pm = plugins.make_plugin_manager(entry_points=False, plugins={"counting": counting})
    pm.exporters()
    pm.get_exporter("counted")
    pm.get_exporter("ical")
    pm.formats()
    assert counting.calls == 1
    pm.register(FakeExporterPlugin(), name="another")  # a new plugin: collected again, once
    assert "extra" in pm.exporters()
    pm.get_exporter("extra")
    assert counting.calls == 2


class FakeExporterPlugin:
    """A plugin registering the ``extra`` format."""

    @hookimpl
    def timeline_register_exporters(self, register: Callable[[Exporter], None]) -> None:
        register(FakeExporter(name="extra"))


def test_hooks_are_called_through_pluggy_so_wrappers_and_tracing_see_them() -> None:
    wrapping = Wrapping()
    pm = plugins.make_plugin_manager(entry_points=False, plugins={"wrapping": wrapping})
    traced: list[tuple[str, list[str]]] = []

    def before(hook_name: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]) -> None:
        traced.append((hook_name, [impl.plugin_name for impl in impls]))

    def after(
        outcome: pluggy.Result[Any],
        hook_name: str,
        impls: Sequence[pluggy.HookImpl],
        kwargs: Mapping[str, Any],
    ) -> None:
        pass

    undo = pm.add_hookcall_monitoring(before, after)
    try:
        assert sorted(pm.exporters()) == ["ical", "json", "markdown"]
    finally:
        undo()
    # one call per plugin (so that one raising is isolated), each wrapped and traced
    assert wrapping.seen == ["before", "after"] * len(plugins.DEFAULT_PLUGINS)
    assert [names for hook, names in traced if hook == "timeline_register_exporters"] == [
        [builtin, "wrapping"] for builtin in plugins.DEFAULT_PLUGINS
    ]


def test_a_blocked_builtin_is_left_out_like_any_plugin() -> None:
    pm = plugins.make_plugin_manager(entry_points=False, blocked=["timeline.exporters.json"])
    assert sorted(pm.exporters()) == ["ical", "markdown"]
    assert pm.is_blocked("timeline.exporters.json")

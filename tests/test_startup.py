"""Start-up (issue 11): `import timeline` and `timeline show` load no cattrs, no entry-point machinery and no
plugin manager, and still work; every public name `timeline` hands out on first use is the real object.

Structural, never timing: each test runs a fresh interpreter and looks at `sys.modules`.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import timeline
from timeline._cli_parser import COMMANDS, command_in

STORY = Path(__file__).parent.parent / "examples" / "story.jsonl"
STREAM = "el-salvador-deportations"
#: Loaded only when a command needs them: the validating codec, entry points, pluggy's manager, the exporters.
HEAVY = ("cattrs", "importlib.metadata", "pluggy", "timeline.plugins", "timeline.exporting", "icalendar")

#: What reading and showing a timeline does not need: appending, the other backend, checkpoints, the other
#: projections, and what argparse would load to ask the terminal its width (shutil, and zlib with it).
NOT_FOR_SHOW = (
    "timeline.store._append",
    "timeline.store.memory",
    "timeline.checkpoints",
    "timeline.projections.ledger",
    "timeline.projections.selection",
    "pathlib",
    "shutil",
)

#: What exporting JSON to standard output does not need: the iCalendar feed and icalendar, the render cache
#: and snapshots (only an export to a file keeps them), and the plugins' page modules (loading a plugin
#: registers its exporter; its rendering is imported by its own format's first export).
NOT_FOR_EXPORT_JSON = (
    "icalendar",
    "timeline.exporters._ical_feed",
    "timeline.render_cache",
    "timeline.snapshots",
    "timeline.checkpoints",
    "hashlib",
    "timeline_html._page",
    "timeline_timelinejs._html",
)

_REPORT_MODULES = """
import json, sys
print(json.dumps(sorted(name for name in sys.modules if name in {heavy!r})))
"""


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def _loaded(code: str, watched: tuple[str, ...] = HEAVY) -> tuple[list[str], str]:
    """Run `code` in a fresh interpreter: the `watched` modules it left loaded, and what it printed before."""
    done = _python(code + _REPORT_MODULES.format(heavy=set(watched)))
    assert done.returncode == 0, done.stderr
    *printed, last = done.stdout.rstrip("\n").split("\n")
    return json.loads(last), "\n".join(printed)


@pytest.fixture(scope="module")
def bare() -> list[str]:
    """What a bare interpreter already loads of HEAVY (a site hook might import importlib.metadata)."""
    return _loaded("")[0]


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("startup") / "small.db")
    from timeline.cli import main

    assert main(["--store", path, "append", STREAM, str(STORY)]) == 0
    return path


def test_import_timeline_loads_none_of_the_heavy_modules(bare: list[str]) -> None:
    loaded, _ = _loaded("import timeline\nassert timeline.When.parse('2025-04').precision")
    assert loaded == bare


def test_hookimpl_costs_pluggy_only_not_the_plugin_manager(bare: list[str]) -> None:
    loaded, _ = _loaded("from timeline import hookimpl\nassert callable(hookimpl)")
    assert sorted(set(loaded) - set(bare)) == ["pluggy"]


def test_timeline_show_loads_none_of_the_heavy_modules_and_shows_the_story(
    bare: list[str], small_store: str
) -> None:
    loaded, printed = _loaded(
        f"from timeline.cli import main\nassert main(['--store', {small_store!r}, 'show', {STREAM!r}]) == 0\n"
    )
    assert loaded == bare
    assert "Alien Enemies Act" in printed
    assert len(printed.splitlines()) >= 9


def test_timeline_show_loads_only_what_reading_needs(small_store: str) -> None:
    bare = _loaded("", NOT_FOR_SHOW)[0]
    argv = ["--store", small_store, "show", STREAM]
    show = f"from timeline.cli import main\nassert main({argv!r}) == 0\n"
    loaded, printed = _loaded(show, NOT_FOR_SHOW)
    assert loaded == bare
    assert "Alien Enemies Act" in printed


def test_help_is_still_as_wide_as_the_terminal_says() -> None:
    for columns in ("50", "120"):
        done = subprocess.run(
            [sys.executable, "-m", "timeline.cli", "show", "--help"],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "COLUMNS": columns},
        )
        assert done.returncode == 0, done.stderr
        widest = max(map(len, done.stdout.splitlines()))
        assert widest <= int(columns) - 2
        assert widest > int(columns) - 20  # wrapped at that width, not at argparse's own fallback


@pytest.mark.parametrize(
    ("package", "name"),
    [("timeline.store", n) for n in ("MemoryStore", "SqliteStore")]
    + [("timeline.projections", n) for n in sorted(importlib.import_module("timeline.projections")._LAZY)],
)
def test_each_lazy_name_of_a_package_is_the_real_object(package: str, name: str) -> None:
    module = importlib.import_module(package)
    real = getattr(importlib.import_module(module._LAZY[name]), name)
    assert getattr(module, name) is real
    assert name in module.__all__
    assert name in dir(module)


def test_export_still_loads_the_plugins_it_needs(small_store: str) -> None:
    loaded, printed = _loaded(
        f"from timeline.cli import main\nassert main(['--store', {small_store!r}, 'export', 'json']) == 0\n"
    )
    assert {"timeline.plugins", "importlib.metadata", "pluggy"} <= set(loaded)
    assert json.loads(printed)


def test_export_json_loads_none_of_what_other_formats_and_files_need(small_store: str) -> None:
    bare = _loaded("", NOT_FOR_EXPORT_JSON)[0]
    loaded, printed = _loaded(
        f"from timeline.cli import main\nassert main(['--store', {small_store!r}, 'export', 'json']) == 0\n",
        NOT_FOR_EXPORT_JSON,
    )
    assert loaded == bare
    assert len(json.loads(printed)["entries"]) >= 9


def test_the_formats_whose_modules_were_not_loaded_are_still_listed_and_work(small_store: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "timeline.cli", "--store", small_store, "formats"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    listed = {line.split()[0] for line in done.stdout.splitlines()[1:]}
    assert {"ical", "json", "markdown", "html", "timelinejs"} <= listed
    code = (
        "import io, timeline\n"
        "from timeline.exporters import ical\n"
        "assert 'icalendar' not in __import__('sys').modules\n"
        f"tl = timeline.Timeline.from_store(timeline.open_store({small_store!r}))\n"
        "out = io.BytesIO()\n"
        "timeline.export(tl, 'ical', out)\n"
        "assert out.getvalue().startswith(b'BEGIN:VCALENDAR')\n"
        "assert ical.event_uid('x') == ical.event_uid('x') and callable(ical.build_event)\n"
        "print('ok')\n"
    )
    assert _python(code).stdout.strip() == "ok"


def test_a_type_only_a_plugin_provides_still_loads_the_plugins(bare: list[str]) -> None:
    # The event-type loader is set by `import timeline`, before anything loads timeline.plugins.
    code = "import timeline.codec as c\nassert c._known_class('no-plugin-has-this') is None\n"
    loaded, _ = _loaded(code)
    assert "timeline.plugins" in loaded


def test_version_is_still_given() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "timeline.cli", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("timeline ")
    assert "(timeline-core)" in done.stdout


def test_from_json_still_validates_in_detail_after_a_lazy_start() -> None:
    done = _python(
        "import timeline\n"
        "try:\n"
        "    timeline.from_json({'type': 'meeting', 'when': '2025', 'participants': 'A'})\n"
        "except timeline.ValidationError as exc:\n"
        "    print(exc.path)\n"
    )
    assert done.stdout.strip() == "meeting.participants", done.stderr


@pytest.mark.parametrize("name", sorted(timeline._LAZY))
def test_each_lazy_public_name_is_the_real_object(name: str) -> None:
    real = getattr(importlib.import_module(timeline._LAZY[name]), name)
    assert getattr(timeline, name) is real
    assert name in timeline.__all__


def test_every_public_name_is_listed_by_dir_and_star_import() -> None:
    assert set(timeline.__all__) <= set(dir(timeline))
    namespace: dict[str, object] = {}
    exec("from timeline import *", namespace)
    assert set(timeline.__all__) <= set(namespace)
    assert len(timeline.__all__) == len(set(timeline.__all__))


def test_each_lazy_name_resolves_in_a_fresh_interpreter() -> None:
    done = _python(
        "import timeline\n"
        "for name, module in timeline._LAZY.items():\n"
        "    import importlib\n"
        "    assert getattr(timeline, name) is getattr(importlib.import_module(module), name), name\n"
        "print(len(timeline._LAZY))\n"
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len(timeline._LAZY) > 0


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        timeline.nothing_here  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(timeline, "_LAZY_nope")


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["show", "s"], "show"),
        (["--store", "x.db", "export", "json"], "export"),
        (["--store=x.db", "streams"], "streams"),
        (["--store", "show", "ledger"], "ledger"),  # "show" is the store's path there
        (["--sto", "x.db", "show"], None),  # an abbreviation: argparse decides
        (["--help"], None),
        (["--version"], None),
        (["nosuch"], None),
        (["--store"], None),
        ([], None),
    ],
)
def test_the_command_is_told_from_argv_only_when_it_is_plain(argv: list[str], command: str | None) -> None:
    assert command_in(argv) == command


def _subparser(parser: object, name: str) -> object:
    import argparse

    assert isinstance(parser, argparse.ArgumentParser)
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[name]


@pytest.mark.parametrize("command", COMMANDS)
def test_the_parser_of_one_command_is_that_of_the_whole_grammar(command: str) -> None:
    import argparse

    from timeline.cli import build_parser

    whole, alone = build_parser(), build_parser(only=command)
    whole_sub, alone_sub = _subparser(whole, command), _subparser(alone, command)
    assert isinstance(whole_sub, argparse.ArgumentParser)
    assert isinstance(alone_sub, argparse.ArgumentParser)
    assert alone_sub.format_help() == whole_sub.format_help()
    assert alone.format_usage() == whole.format_usage()
    argv = ["--store", "x.db", command, *{"append": ["s"], "export": ["json"]}.get(command, [])]
    assert vars(alone.parse_args(argv)) == vars(whole.parse_args(argv))

"""The modules the console script defers (`_timeline_console._deferred`, issue 11's start-up): ``timeline
show`` never loads them, any later use loads and works, and a library process (``import timeline``) has none.

Structural, never timing: each test that starts the command runs a fresh interpreter.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
import threading
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _timeline_console import DEFERRED, _deferred

STORY = Path(__file__).parent.parent / "examples" / "story.jsonl"
STREAM = "el-salvador-deportations"
#: The script's start, then `code`: the command's modules imported as the console script imports them.
START = "import sys\nimport _timeline_console\nconsole_main = _timeline_console.import_console_main()\n"


def _run(code: str, *argv: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("deferred") / "small.db")
    from timeline.cli import main

    assert main(["--store", path, "append", STREAM, str(STORY)]) == 0
    return path


_LOADED = """
import io, contextlib
with contextlib.redirect_stdout(io.StringIO()) as shown:
    assert console_main() == 0
loaded = [n for n in {names!r} if n in sys.modules and type(sys.modules[n]).__name__ != "DeferredModule"]
print(sorted(loaded), "Alien Enemies Act" in shown.getvalue())
"""


def test_show_loads_none_of_the_deferred_modules(small_store: str) -> None:
    names = (*DEFERRED, "ast", "dis")
    code = f"sys.argv[1:] = ['--store', {small_store!r}, 'show', {STREAM!r}]\n" + _LOADED.format(names=names)
    assert _run(START + code).split() == ["[]", "True"]


def test_after_the_command_each_deferred_module_works(small_store: str) -> None:
    code = START + textwrap.dedent(f"""
        import io, contextlib
        sys.argv[1:] = ['--store', {small_store!r}, 'show', {STREAM!r}]
        with contextlib.redirect_stdout(io.StringIO()):
            console_main()
        import inspect, attrs, attr, tokenize
        print(inspect.signature(lambda a, b=1: None))
        from inspect import Parameter
        print(Parameter.empty is inspect.Parameter.empty)

        @attrs.frozen
        class Checked:
            x: int = attrs.field(validator=attrs.validators.instance_of(int))

        print(Checked(3))
        print(attr.validators.optional is attrs.validators.optional)
        print(tokenize.TokenInfo.__name__)

        @attrs.frozen
        class Converted:  # a converter: attrs calls inspect.signature while making the class
            x: int = attrs.field(converter=int)

        print(Converted("4"), type(sys.modules["inspect"]).__name__)
    """)
    assert _run(code).splitlines() == [
        "(a, b=1)",
        "True",
        "Checked(x=3)",
        "True",
        "TokenInfo",
        "Converted(x=4) module",
    ]


def test_a_library_process_defers_nothing() -> None:
    code = (
        "import sys, types, timeline, timeline.cli, attrs\n"
        "import inspect\n"
        "print(type(sys.modules['inspect']) is types.ModuleType,\n"
        "      type(attrs.validators) is types.ModuleType)\n"
    )
    assert _run(code).split() == ["True", "True"]


@pytest.fixture
def module_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A module of its own on the path (`deferred_probe`), never imported before; forgotten after."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "deferred_probe", raising=False)
    path = tmp_path / "deferred_probe.py"
    path.write_text(
        "import time\nRUNS = []\nRUNS.append(1)\ntime.sleep(0.2)\nVALUE = 'loaded'\n", encoding="utf-8"
    )
    yield path
    sys.modules.pop("deferred_probe", None)


def test_a_deferred_module_runs_its_code_once_at_first_use(module_file: Path) -> None:
    assert _deferred.defer("deferred_probe")
    module: Any = sys.modules["deferred_probe"]
    assert type(module) is _deferred.DeferredModule
    bound: Any = importlib.import_module("deferred_probe")  # as `import` does: reads only __spec__
    assert bound is module
    assert type(module) is _deferred.DeferredModule
    spec = module.__spec__
    assert spec is not None
    assert spec.name == "deferred_probe"
    assert module.VALUE == "loaded"
    assert type(module) is types.ModuleType
    assert sys.modules["deferred_probe"] is module
    assert module.RUNS == [1]
    assert module.__file__ == str(module_file)
    assert not _deferred.defer("deferred_probe")  # imported already


def test_setting_an_attribute_first_loads_the_module(module_file: Path) -> None:
    assert _deferred.defer("deferred_probe")
    module: Any = sys.modules["deferred_probe"]
    module.VALUE = "patched"  # as a test's monkeypatch would: kept, not overwritten by the module's code
    assert module.VALUE == "patched"
    assert module.RUNS == [1]


def test_a_thread_reading_while_another_loads_waits_for_the_whole_module(module_file: Path) -> None:
    assert _deferred.defer("deferred_probe")
    module: Any = sys.modules["deferred_probe"]
    seen: list[str] = []
    threads = [threading.Thread(target=lambda: seen.append(module.VALUE)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == ["loaded"] * 4
    assert module.RUNS == [1]


def test_what_cannot_be_deferred_is_left_alone() -> None:
    assert not _deferred.defer("sys")  # imported already
    assert not _deferred.defer("no_such_module_anywhere")
    assert not _deferred.defer("no_such_package.module")
    assert "no_such_module_anywhere" not in sys.modules

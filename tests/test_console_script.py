"""The console script's first module, `_timeline_console` (issue 11, start-up): the collector is off while the
command's modules are imported and on when it runs, the process ends as the interpreter ends it, and a
library process (``import timeline``) sees none of it.

Each test runs a fresh interpreter; none measures time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
STORY = ROOT / "examples" / "story.jsonl"
STREAM = "el-salvador-deportations"
#: The console script as pip writes it for the entry point, with the arguments after it.
SCRIPT = "import sys\nfrom _timeline_console import main\nsys.argv[0] = 'timeline'\nsys.exit(main())\n"


def _run(code: str, *args: str, stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], stdout=stdout, stderr=subprocess.PIPE, text=True, check=False
    )


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("console") / "small.db")
    from timeline.cli import main

    assert main(["--store", path, "append", STREAM, str(STORY)]) == 0
    return path


def test_the_console_script_is_this_module() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"] == {"timeline": "_timeline_console:main"}
    import _timeline_console

    assert callable(_timeline_console.main)


@pytest.mark.parametrize(
    "argv",
    [
        ["show", STREAM],
        ["show", STREAM, "--history", "--details"],
        ["export", "json"],
        ["export", "ical"],
        ["export", "markdown"],
        ["ledger", STREAM],
        ["streams"],
    ],
)
def test_each_command_prints_what_main_prints(small_store: str, argv: list[str]) -> None:
    through_script = _run(SCRIPT, "--store", small_store, *argv)
    through_main = _run(
        "import sys\nfrom timeline.cli import main\nsys.exit(main())", "--store", small_store, *argv
    )
    assert through_script.returncode == through_main.returncode == 0, through_script.stderr
    assert through_script.stdout == through_main.stdout
    assert through_script.stdout
    assert through_script.stderr == through_main.stderr


def test_the_exit_status_and_message_are_the_commands(tmp_path: Path) -> None:
    done = _run(SCRIPT, "--store", str(tmp_path / "none.db"), "show", STREAM)
    assert done.returncode == 1
    assert done.stderr == f"timeline: no store at {tmp_path / 'none.db'}\n"
    bad = _run(SCRIPT, "show", "--no-such-option")
    assert bad.returncode == 2
    assert "unrecognized arguments" in bad.stderr


def test_output_to_a_file_is_complete(small_store: str, tmp_path: Path) -> None:
    # Standard output to a file is block-buffered: what the command wrote is in the buffer when it returns.
    path = tmp_path / "out.json"
    with path.open("w", encoding="utf-8") as out:
        done = _run(SCRIPT, "--store", small_store, "export", "json", stdout=out.fileno())
    assert done.returncode == 0, done.stderr
    assert len(json.loads(path.read_text(encoding="utf-8"))["entries"]) >= 9


def test_the_atexit_functions_run(small_store: str) -> None:
    code = "import atexit, sys\natexit.register(lambda: print('at exit', file=sys.stderr))\n" + SCRIPT
    done = _run(code, "--store", small_store, "streams")
    assert done.returncode == 0
    assert done.stderr == "at exit\n"  # once


def test_a_thread_still_running_is_waited_for(small_store: str) -> None:
    code = (
        "import threading, time\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        "    print('thread done', flush=True)\n"
        "threading.Thread(target=late).start()\n" + SCRIPT
    )
    done = _run(code, "--store", small_store, "streams")
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("thread done\n")


def test_no_collection_while_importing_and_the_collector_is_on_for_the_command() -> None:
    code = (
        "import gc, sys\n"
        "import _timeline_console\n"
        "collections = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' and collections.append(info))\n"
        "console_main = _timeline_console.import_console_main()\n"
        "assert 'timeline.cli' in sys.modules and 'attr' in sys.modules\n"
        "print(len(collections), gc.isenabled(), gc.get_freeze_count() > 1000)\n"
    )
    done = _run(code)
    assert done.stdout.split() == ["0", "True", "True"], done.stderr


def test_a_library_process_keeps_its_collector_as_it_was() -> None:
    code = (
        "import gc\n"
        "import timeline, timeline.cli\n"
        "assert timeline.cli.main(['formats']) == 0\n"
        "print(gc.isenabled(), gc.get_freeze_count(), '_timeline_console' in __import__('sys').modules)\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "True 0 False"


def test_a_collector_turned_off_before_stays_off() -> None:
    code = (
        "import gc\ngc.disable()\n"
        "import _timeline_console\n_timeline_console.import_console_main()\n"
        "print(gc.isenabled())\n"
    )
    assert _run(code).stdout.strip() == "False"

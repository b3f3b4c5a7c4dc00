"""The start-up rows of bench_compare.py (issue 11): each command a fresh process, its CPU time (user +
system), the commands taking turns run by run."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]

#: The start-up rows: each a fresh process, by label (``{python}``, ``{timeline}``, ``{store}`` filled in).
STARTUP_COMMANDS: dict[str, list[str]] = {
    "bare python (-c pass)": ["{python}", "-c", "pass"],
    "import attrs (every event class is one)": ["{python}", "-c", "import attrs"],
    "import timeline": ["{python}", "-c", "import timeline"],
    "timeline show, small store": ["{timeline}", "--store", "{store}", "show", "story"],
    "timeline export json, small store": ["{timeline}", "--store", "{store}", "export", "json"],
    "timeline export ical, small store": ["{timeline}", "--store", "{store}", "export", "ical"],
}


def startup_cpu_ms(folder: Path, repeat: int = 7) -> dict[str, list[float]]:
    """CPU ms (user + system) of each of `STARTUP_COMMANDS` as a whole process, `repeat` runs each.

    The commands take turns, run by run, so that each sees the same drift in a shared machine's load.
    Bytecode as an installed package has it: written once into a cache folder of this run (the environment
    may say PYTHONDONTWRITEBYTECODE, which would compile every module of the source tree on each start);
    so is the compiled code of the generated methods beside it (timeline._code_cache).
    """
    store = folder / "small.db"
    binary = Path(sys.executable).with_name("timeline")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    subprocess.run(
        [str(binary), "--store", str(store), "append", "story", str(ROOT / "examples" / "story.jsonl")],
        check=True,
        capture_output=True,
        env=env,
    )
    fill = {"python": sys.executable, "timeline": str(binary), "store": str(store)}
    commands = {label: [arg.format(**fill) for arg in argv] for label, argv in STARTUP_COMMANDS.items()}

    def child_cpu(command: list[str]) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, check=True, capture_output=True, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000

    for command in commands.values():
        subprocess.run(command, check=True, capture_output=True, env=env)  # writes the bytecode
    samples: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(repeat):
        for label, command in commands.items():
            samples[label].append(child_cpu(command))
    return samples


def report_startup(samples: dict[str, list[float]], line: Callable[[str, str, str, bool], bool]) -> bool:
    """Print the start-up rows (median of the runs, and the least), each beside bare Python's cost, the
    ``timeline show`` row through `line` (label, value, target, met); True if its median is within budget."""
    runs = len(next(iter(samples.values())))
    print(f"start-up: CPU of the whole process (user + system), median of {runs} runs (least in brackets)")
    bare_label = next(iter(STARTUP_COMMANDS))
    bare = statistics.median(samples[bare_label])
    ok = True
    for label, values in samples.items():
        ms, least = statistics.median(values), min(values)
        if label == "timeline show, small store":
            shown = f"{ms:.0f} ms [{least:.0f}] (bare python {bare:.0f} ms, {ms / bare:.1f}x)"
            ok &= line(f"{label} (CPU)", shown, "<= 120 ms", ms <= 120)
        elif label == bare_label:
            print(f"  {label:<44} {ms:.0f} ms [{least:.0f}]")
        else:
            print(f"  {label:<44} {ms:.0f} ms [{least:.0f}] ({ms - bare:+.0f} ms over bare python)")
    return ok

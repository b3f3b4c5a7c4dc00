"""The start-up rows of bench_compare.py: each command's CPU as a whole process, beside bare Python's."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

from _compare_report import line

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


def startup_cpu_ms(folder: Path, repeat: int = 5) -> dict[str, float]:
    """CPU ms (user + system) of each of `STARTUP_COMMANDS` as a whole process, least of `repeat`.

    Bytecode as an installed package has it: written once into a cache folder of this run (the environment
    may say PYTHONDONTWRITEBYTECODE, which would compile every module of the source tree on each start).
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
        subprocess.run(command, check=True, capture_output=True, env=env)  # writes the bytecode
        best = float("inf")
        for _ in range(repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(command, check=True, capture_output=True, env=env)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            best = min(best, used * 1000)
        return best

    return {label: child_cpu(command) for label, command in commands.items()}


def report_startup(costs: dict[str, float]) -> bool:
    """Print the start-up rows, each beside bare Python's cost; True if ``timeline show`` is within budget."""
    print("start-up: CPU of the whole process (user + system)")
    bare_label = next(iter(STARTUP_COMMANDS))
    bare = costs[bare_label]
    ok = True
    for label, ms in costs.items():
        if label == "timeline show, small store":
            shown = f"{ms:.0f} ms (bare python {bare:.0f} ms, {ms / bare:.1f}x)"
            ok &= line(f"{label} (CPU)", shown, "<= 120 ms", ms <= 120)
        elif label == bare_label:
            print(f"  {label:<44} {ms:.0f} ms")
        else:
            print(f"  {label:<44} {ms:.0f} ms ({ms - bare:+.0f} ms over bare python)")
    return ok

"""Benchmark a script run again, end to end: `timeline export -o FILE` after one correction vs a full export.

    .venv/bin/python bench/bench_script_rerun.py [--events N] [--repeat R] [--formats json,markdown,ical]

On a SQLite store of N events (default 100,000; bench_export's mix), per format:

- full: ``timeline export FORMAT -o FILE`` with ``TIMELINE_CACHE_DIR=off`` (a rebuild of the Timeline from
  the log, then a full export): the baseline;
- first run: the same with an empty cache folder (a rebuild, a full export, and the snapshot and render
  cache written);
- second run: one correction appended, then the same command again (the Timeline resumed from the snapshot,
  one record folded, one entry rendered, the rest copied from the render cache; the snapshot saved again).

Each as a call of `timeline.cli.main` in this process (CPU time, median of R), and once as a subprocess
(CPU time of the child, by getrusage), with the bare start-up of the command (``timeline formats``) for the
floor a process pays before any work. Target (issue 11): the second run <= 5% of a full export. Every second
run's output is checked to be the bytes of a full export of the same store.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench_export import make_records

from timeline import open_store
from timeline.cli import main as cli
from timeline.events import Correction
from timeline.projections import Timeline
from timeline.snapshots import resume_timeline

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

TARGET = 0.05
TIMELINE = str(Path(sys.executable).with_name("timeline"))


@contextlib.contextmanager
def _cache_dir(value: str) -> Iterator[None]:
    before = os.environ.get("TIMELINE_CACHE_DIR")
    os.environ["TIMELINE_CACHE_DIR"] = value
    try:
        yield
    finally:
        if before is None:
            del os.environ["TIMELINE_CACHE_DIR"]
        else:
            os.environ["TIMELINE_CACHE_DIR"] = before


def _cpu(run: Callable[[], object]) -> float:
    began = time.process_time()
    run()
    return time.process_time() - began


def _child_cpu(argv: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _store(path: Path, n: int) -> None:
    records = make_records(n)
    with open_store(str(path)) as store:
        for start in range(0, len(records), 1000):
            store.append("bench", [record.event for record in records[start : start + 1000]])


def _correct(db: str, number: int) -> None:
    with open_store(db) as store:
        target = next(record.event.id for record in store.read("bench", after_version=number * 97 % 5000))
        fix = Correction(id=f"rerun-{number}", target=target, changes={"title": f"fix {number}"}, reason="r")
        store.append("bench", [fix])


def _resume_floor(db: str, folder: Path, repeat: int) -> None:
    """What the Timeline costs a second run: a rebuild, against a resume from the snapshot (its load,
    one record folded, its save), the part of the second run the render cache does not touch."""
    rebuilds, resumes = [], []
    with _cache_dir(str(folder / "cache-resume")), open_store(db) as store:
        resume_timeline(store)
        for k in range(repeat):
            rebuilds.append(_cpu(functools.partial(Timeline.from_store, store)))
            _correct(db, 10_000 + k)
            resumes.append(_cpu(functools.partial(resume_timeline, store)))
    rebuild, resume = statistics.median(rebuilds), statistics.median(resumes)
    print(
        f"Timeline: rebuild from the log {rebuild * 1000:.0f} ms; resume from its snapshot after a correction"
        f" (load, fold one, save) {resume * 1000:.0f} ms = {resume / rebuild:.2f}x a rebuild",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="json,markdown,ical")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        db = str(folder / "bench.db")
        _store(folder / "bench.db", args.events)
        print(
            f"script run again: {args.events:,} events, `timeline export FORMAT -o FILE`"
            f" (CPU, median of {args.repeat})"
        )
        _resume_floor(db, folder, args.repeat)
        number, ok = 0, True
        for name in args.formats.split(","):
            out, plain = str(folder / f"feed.{name}"), str(folder / f"plain.{name}")
            command = ["--store", db, "export", name, "-o"]
            repeat = 1 if name == "ical" else args.repeat  # a full iCalendar export takes a minute
            to_plain, to_out = (
                functools.partial(cli, [*command, plain]),
                functools.partial(cli, [*command, out]),
            )
            with _cache_dir("off"):
                full = statistics.median(_cpu(to_plain) for _ in range(repeat))
            firsts, seconds = [], []
            for k in range(repeat):
                with _cache_dir(str(folder / f"cache-{name}-{k}")):
                    firsts.append(_cpu(to_out))
                    number += 1
                    _correct(db, number)
                    seconds.append(_cpu(to_out))
                with _cache_dir("off"):
                    cli([*command, plain])
                same = Path(out).read_bytes() == Path(plain).read_bytes()
                ok = ok and same
            first, second = statistics.median(firsts), statistics.median(seconds)
            ok = ok and second <= TARGET * full
            print(
                f"{name:<9} in process: full {full * 1000:>8.0f} ms   first run {first * 1000:>8.0f} ms   "
                f"second run {second * 1000:>7.0f} ms = {second / full:6.1%} of full (target <= {TARGET:.0%})"
                f"   same bytes: {same}",
                flush=True,
            )
            env = {**os.environ, "TIMELINE_CACHE_DIR": str(folder / f"cache-{name}-sub")}
            off = {**os.environ, "TIMELINE_CACHE_DIR": "off"}
            if name != "ical":
                sub_full = _child_cpu([TIMELINE, *command, plain], off)
                _child_cpu([TIMELINE, *command, out], env)
                number += 1
                _correct(db, number)
                sub_second = _child_cpu([TIMELINE, *command, out], env)
                startup = _child_cpu([TIMELINE, "formats"], env)
                print(
                    f"{name:<9} subprocess: full {sub_full * 1000:>8.0f} ms   "
                    f"second run {sub_second * 1000:>7.0f} ms = {sub_second / sub_full:6.1%} of full   "
                    "(the command's bare start-up: "
                    f"{startup * 1000:.0f} ms = {startup / sub_full:.1%})",
                    flush=True,
                )
    print("all targets met" if ok else "some targets missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

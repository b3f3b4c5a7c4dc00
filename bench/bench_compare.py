"""Side by side with other libraries (issue 11): each figure with its target, at several sizes, in one run.

    .venv/bin/python bench/bench_compare.py [--sizes 10000,100000,1000000] [--export-max 100000]

At each size N, over the same events (bench/_mix.py, in 1,000-event batches over ten streams), CPU time:

* batched append: `store.append` (encoding included) vs raw `sqlite3` executemany of the same rows
  pre-encoded (target >= 0.55x) and vs `eventsourcing`'s SQLite application recorder given the same
  events as domain events with the same data (its mapper's encoding included; target >= 2x); the three
  take turns run by run, so that each sees the same drift in a shared machine's load;
* decoding the log: `read_all` vs `eventsourcing`'s log decode (`select_notifications` pages + the
  mapper's `to_domain_event`; target >= 1.5x), taking turns in the same way, and raw SELECT +
  `json.loads` for reference;
* a Timeline rebuild (`Timeline.from_store`) vs that same eventsourcing decode (target >= 2x), and its
  peak memory (tracemalloc) per event (target <= 1 KB);
* snapshots: `Timeline.from_checkpoint` vs the rebuild (target >= 10x faster), and a resume from a
  checkpoint taken 1% behind plus its catch-up (target <= 10% of a rebuild);
* up to --export-max events: the full iCalendar export vs the `ics` package serialising the same events
  (their values prepared beforehand; target >= 1.0x) and the JSON export (target >= 60,000 events/s);
* once: `timeline show` on a small store, CPU of the whole process (target <= 120 ms), beside bare Python,
  `import timeline` alone and `timeline export json` / ``ical`` on that store (``--sizes ''``: only these).

Then how each cost grows with N (microseconds per event at each size). Each figure is the least of R runs
(--repeat) for N <= 100,000, one run above. eventsourcing and ics are benchmark-only dependencies (the
``bench`` extra), never imported by timeline.
"""

from __future__ import annotations

import argparse
import gc
import io
import itertools
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from _checkpoint_bench import payload_of
from _ics import ics_export, ics_values
from _mix import make_event
from bench_store import BATCH, plan_batches, raw_connect, raw_insert, raw_rows
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, UUIDAsHex
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from timeline.checkpoints import FileCheckpointStore
from timeline.codec import to_json
from timeline.plugins import get_exporter
from timeline.projections import Timeline
from timeline.store import NO_STREAM, open_store
from timeline.store.sqlite import COLUMNS

if TYPE_CHECKING:
    from collections.abc import Callable

    from timeline.events import Event
    from timeline.store import EventStore

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Happened(DomainEvent):
    """eventsourcing's side of an event: the same data, as its mapper stores it (JSON)."""

    data: dict[str, Any]


def _cpu(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        began = time.process_time()
        run()
        best = min(best, time.process_time() - began)
    return best


class Figures:
    """The figures of one size."""

    def __init__(self, n: int, folder: Path, repeat: int) -> None:
        self.n, self.folder, self.repeat = n, folder, repeat
        self.events = [make_event(i) for i in range(n)]
        self.plan = plan_batches(self.events, BATCH)
        self.seconds: dict[str, float] = {}
        self.memory_per_event = 0.0
        self.restored_memory = 0.0
        self.checkpoint_bytes = 0
        self._round = 0

    def _fresh(self, name: str) -> Path:
        self._round += 1
        return self.folder / f"{name}-{self.n}-{self._round}.db"

    def run(self, export_max: int) -> None:
        rows = raw_rows(self.plan)
        happened = [self._domain_event(event) for event in self.events]
        # Each side's runs alternate with the others' (the load of a shared machine drifts by the minute:
        # every side sees the same drift), each append into a fresh store; the least run of each counts.
        recorders = [self._es_recorder() for _ in range(self.repeat)]
        for recorder in recorders:
            self._least("append", self._append)
            self._least("raw append", lambda: self._raw_append(rows))
            self._least("es append", lambda: self._es_append(recorder, happened))  # noqa: B023 (run now)
        store, recorder = self._store(), recorders[-1]
        for _ in range(self.repeat):
            self._least("read_all", lambda: sum(1 for _ in store.read_all()))
            self._least("es decode", lambda: self._es_decode(recorder))
        self.seconds["raw read"] = _cpu(lambda: self._raw_read(store), self.repeat)
        self.seconds["rebuild"] = _cpu(lambda: Timeline.from_store(store), self.repeat)
        self._snapshots(store)
        if self.n <= export_max:
            self.memory_per_event = _peak(lambda: Timeline.from_store(store)) / self.n
            timeline = Timeline.from_store(store)
            self.entries = len(timeline)
            exporter = get_exporter("ical")
            self.seconds["ical"] = _cpu(lambda: exporter.export(timeline, _null(), {}), 1)
            values = ics_values(timeline)
            self.seconds["ics"] = _cpu(lambda: ics_export(values), 1)
            json_exporter = get_exporter("json")
            self.seconds["json"] = _cpu(lambda: json_exporter.export(timeline, _null(), {}), self.repeat)
        store.close()

    def _snapshots(self, store: EventStore) -> None:
        """Checkpoint save, load, resume 1% behind (in memory, and through a checkpoint file), and what a
        full collection costs with a rebuilt Timeline alive (frozen out of the collector after the load)."""
        timeline = Timeline.from_store(store)
        self.seconds["checkpoint save"] = _cpu(payload_of(timeline), self.repeat)
        checkpoint = timeline.checkpoint()
        self.seconds["checkpoint load"] = _cpu(lambda: Timeline.from_checkpoint(checkpoint), self.repeat)
        self.seconds["load + read all"] = _cpu(
            lambda: sum(1 for _ in Timeline.from_checkpoint(checkpoint).entries), self.repeat
        )
        self.seconds["full gc"] = _cpu(gc.collect, 1)
        del timeline
        gc.collect()
        behind = Timeline()
        behind.fold(itertools.islice(store.read_all(), self.n - self.n // 100))
        older = behind.checkpoint()
        checkpoints = FileCheckpointStore(self.folder / f"checkpoints-{self.n}")
        del behind
        self.seconds["resume 1%"] = _cpu(lambda: Timeline.from_checkpoint(older).catch_up(store), self.repeat)
        caught_up = Timeline.from_checkpoint(older)
        caught_up.catch_up(store)
        self.seconds["save after catch-up"] = _cpu(payload_of(caught_up), self.repeat)
        del caught_up
        self.restored_memory = _peak(lambda: Timeline.from_checkpoint(checkpoint).entries) / self.n

        def resume_from_file() -> None:
            checkpoints.put(older)
            began = time.process_time()
            Timeline.resume(store, checkpoints)
            self.seconds["resume file 1%"] = min(
                self.seconds.get("resume file 1%", float("inf")), time.process_time() - began
            )

        for _ in range(self.repeat):
            resume_from_file()
        self.checkpoint_bytes = len(checkpoint.payload or b"")

    def _least(self, name: str, run: Callable[[], object]) -> None:
        self.seconds[name] = min(self.seconds.get(name, float("inf")), _cpu(run, 1))

    def _store(self) -> EventStore:
        store = open_store(str(self._fresh("ours")))
        for stream, chunk, version in self.plan:
            store.append(stream, chunk, expected_version=version or NO_STREAM)
        return store

    def _append(self) -> None:
        store = open_store(str(self._fresh("ours")))
        for stream, chunk, version in self.plan:
            store.append(stream, chunk, expected_version=version or NO_STREAM)
        store.close()

    def _raw_append(self, rows: list[list[tuple[object, ...]]]) -> None:
        conn = raw_connect(self._fresh("raw"))
        for batch in rows:
            raw_insert(conn, batch)
        conn.close()

    def _raw_read(self, store: EventStore) -> None:
        import json

        path = getattr(store, "path", None)
        conn = sqlite3.connect(str(path))
        loads = json.loads
        for row in conn.execute(f"SELECT {COLUMNS} FROM events ORDER BY position"):
            loads(row[-1])
        conn.close()

    def _domain_event(self, event: Event) -> Happened:
        return Happened(
            originator_id=uuid.uuid5(uuid.NAMESPACE_URL, event.id),
            originator_version=1,
            timestamp=datetime.now(UTC),
            data=to_json(event),
        )

    def _es_recorder(self) -> SQLiteApplicationRecorder:
        recorder = SQLiteApplicationRecorder(SQLiteDatastore(str(self._fresh("es"))))
        recorder.create_table()
        return recorder

    def _es_append(self, recorder: SQLiteApplicationRecorder, happened: list[Happened]) -> None:
        mapper = _mapper()
        for start in range(0, len(happened), BATCH):
            recorder.insert_events([mapper.to_stored_event(e) for e in happened[start : start + BATCH]])

    def _es_decode(self, recorder: SQLiteApplicationRecorder) -> None:
        mapper = _mapper()
        start: int | None = None
        while True:
            page = recorder.select_notifications(start, BATCH, inclusive_of_start=start is None)
            if not page:
                return
            for notification in page:
                mapper.to_domain_event(notification)
            start = page[-1].id


def _mapper() -> Mapper[Any]:
    transcoder = JSONTranscoder()
    transcoder.register(UUIDAsHex())
    transcoder.register(DatetimeAsISO())
    return Mapper(transcoder=transcoder)


class _Null(io.RawIOBase):
    """A sink that keeps nothing (the exports' own cost, not a buffer's)."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return len(data)


def _null() -> BinaryIO:
    return cast("BinaryIO", _Null())


def _peak(build: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    kept = build()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    return float(peak)


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
            ok &= _line(f"{label} (CPU)", shown, "<= 120 ms", ms <= 120)
        elif label == bare_label:
            print(f"  {label:<44} {ms:.0f} ms")
        else:
            print(f"  {label:<44} {ms:.0f} ms ({ms - bare:+.0f} ms over bare python)")
    return ok


ROWS: list[tuple[str, str, str, str]] = []  # for --markdown: (what, measured, target, verdict)
_SIZE = [""]


def _line(label: str, value: str, target: str, ok: bool) -> bool:
    print(f"  {label:<44} {value:<34} target {target:<16} {'PASS' if ok else 'MISS'}")
    ROWS.append((f"{label}{_SIZE[0]}", value, target, "met" if ok else "missed"))
    return ok


def markdown_table() -> str:
    """The figures as the README's table (``--markdown``)."""
    lines = ["| what | measured | target | |", "| --- | --- | --- | --- |"]
    lines += [
        f"| {what} | {value} | {target.replace('>=', '≥').replace('<=', '≤')} | {verdict} |"
        for what, value, target, verdict in ROWS
    ]
    return "\n".join(lines)


def report(fig: Figures) -> bool:
    """Print one size's figures against their targets; True if all are met."""
    n, s = fig.n, fig.seconds
    print(f"N = {n:,} events")
    _SIZE[0] = f", {n:,} events"
    ok = True
    r = s["raw append"] / s["append"]
    ok &= _line(
        "batched append vs raw sqlite3",
        f"{n / s['append']:,.0f}/s vs {n / s['raw append']:,.0f}/s = {r:.2f}x",
        ">= 0.55x",
        r >= 0.55,
    )
    r = s["es append"] / s["append"]
    ok &= _line(
        "batched append vs eventsourcing", f"vs {n / s['es append']:,.0f}/s = {r:.2f}x", ">= 2.0x", r >= 2.0
    )
    r = s["es decode"] / s["read_all"]
    ok &= _line(
        "read_all vs eventsourcing log decode",
        f"{n / s['read_all']:,.0f}/s vs {n / s['es decode']:,.0f}/s = {r:.2f}x",
        ">= 1.5x",
        r >= 1.5,
    )
    print(f"  {'(raw SELECT + json.loads, for reference)':<44} {n / s['raw read']:,.0f}/s")
    r = s["es decode"] / s["rebuild"]
    ok &= _line(
        "Timeline rebuild vs eventsourcing decode",
        f"{n / s['rebuild']:,.0f}/s = {r:.2f}x",
        ">= 2.0x",
        r >= 2.0,
    )
    r = s["rebuild"] / s["checkpoint load"]
    ok &= _line(
        "checkpoint load vs rebuild",
        f"{n / s['checkpoint load']:,.0f}/s = {r:.2f}x faster",
        ">= 10x",
        r >= 10,
    )
    r = s["resume 1%"] / s["rebuild"]
    ok &= _line(
        "resume + catch-up of the last 1%",
        f"{s['resume 1%'] * 1000:,.0f} ms = {r:.1%} of a rebuild",
        "<= 10%",
        r <= 0.10,
    )
    r = s["resume file 1%"] / s["rebuild"]
    ok &= _line(
        "Timeline.resume from a file, 1% behind",
        f"{s['resume file 1%'] * 1000:,.0f} ms = {r:.1%} of a rebuild",
        "<= 10%",
        r <= 0.10,
    )
    print(f"  {'(checkpoint load + a full read of the entries)':<44} {s['load + read all'] * 1000:,.0f} ms")
    print(f"  {'(checkpoint save after that 1% catch-up)':<44} {s['save after catch-up'] * 1000:,.0f} ms")
    r = s["checkpoint save"] / s["rebuild"]
    ok &= _line(
        "checkpoint save (snapshot)",
        f"{s['checkpoint save'] * 1000:,.0f} ms = {r:.1%} of a rebuild, {fig.checkpoint_bytes // n:,} B/ev",
        "<= 50%",
        r <= 0.50,
    )
    print(f"  {'(full gc.collect with the Timeline alive)':<44} {s['full gc'] * 1000:,.0f} ms")
    if fig.memory_per_event:
        ok &= _line(
            "Timeline peak memory per event",
            f"{fig.memory_per_event:,.0f} B",
            "<= 1,024 B",
            fig.memory_per_event <= 1024,
        )
    if fig.restored_memory:
        restored = f"{fig.restored_memory:,.0f} B + the payload, {fig.checkpoint_bytes // n:,} B/ev"
        print(f"  {'(restored from a checkpoint, entries read)':<44} {restored}")
    if "ical" in s:
        shown = fig.entries
        r = s["ics"] / s["ical"]
        ok &= _line(
            "iCalendar export vs ics package",
            f"{shown / s['ical']:,.0f}/s vs {shown / s['ics']:,.0f}/s = {r:.2f}x",
            ">= 1.0x",
            r >= 1.0,
        )
        rate = shown / s["json"]
        ok &= _line("JSON export", f"{rate:,.0f} events/s", ">= 60,000/s", rate >= 60_000)
    return ok


def main(argv: list[str] | None = None) -> int:
    """Run the comparisons and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--export-max", type=int, default=100_000, help="largest N for the export figures")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--markdown", action="store_true", help="also print the figures as a Markdown table")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]  # --sizes '': start-up only
    print(f"comparisons: Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, CPU time")
    ok, growth = True, {}
    with tempfile.TemporaryDirectory(prefix="timeline-compare-") as tmp:
        for n in sizes:
            fig = Figures(n, Path(tmp), args.repeat if n <= 100_000 else 1)
            fig.run(args.export_max)
            ok &= report(fig)
            growth[n] = {name: seconds / n * 1e6 for name, seconds in fig.seconds.items()}
            del fig
            gc.collect()
        costs = startup_cpu_ms(Path(tmp))
    _SIZE[0] = ""
    ok &= report_startup(costs)
    print("growth with N: microseconds per event")
    names = ["append", "raw append", "es append", "read_all", "es decode", "rebuild", "checkpoint save"]
    names += ["checkpoint load", "resume 1%"]
    print("  " + f"{'N':>10}" + "".join(f"{name:>{max(12, len(name) + 2)}}" for name in names))
    for n, per in growth.items():
        print(
            "  " + f"{n:>10,}" + "".join(f"{per.get(name, 0):>{max(12, len(name) + 2)}.2f}" for name in names)
        )
    print("all targets met" if ok else "some targets missed")
    if args.markdown:
        print(markdown_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark the render caches: a re-export after one correction against a full export, per format.

    .venv/bin/python bench/bench_render_cache.py [--events N] [--repeat R]

For each built-in format, on a Timeline of N events (default 100,000; bench_export's mix): the full export
(no cache), then one correction folded into the Timeline and the re-export with the cache of the previous
export, two ways: in memory (what a server keeps, `timeline.render_cache.memory_cache`) and from the cache
files (what a script run again pays: load the index and data, check their CRCs, export, save the new
pieces). Target: each re-export <= 5% of the full export. The outputs are checked to be the same bytes as a
plain export. CPU time, the least of R runs.
"""

from __future__ import annotations

import argparse
import functools
import io
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from bench_export import make_records

from timeline.events import Correction
from timeline.exporters.pieces import CachingExporter
from timeline.plugins import get_exporter
from timeline.projections import Timeline
from timeline.render_cache import RenderCacheFile, export_cached, memory_cache
from timeline.store import Recorded

if TYPE_CHECKING:
    from collections.abc import Callable

TARGET = 0.05
FORMATS: list[tuple[str, dict[str, str]]] = [
    ("ical", {}),
    ("json", {}),
    ("json", {"lines": "true"}),
    ("markdown", {}),
]


def _cpu(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        began = time.process_time()
        run()
        best = min(best, time.process_time() - began)
    return best


def _correct(timeline: Timeline, number: int) -> None:
    """Fold one more correction (of a title) into `timeline`."""
    target = timeline.entries[len(timeline) // 2]
    last = timeline.position
    timeline.fold(
        [
            Recorded(
                position=last + 1,
                stream=target.stream,
                version=last + 1,
                recorded_at=target.last_changed + timedelta(days=400 + number),
                event=Correction(
                    id=f"bench-fix-{number}", target=target.id, changes={"title": f"fix {number}"}, reason="r"
                ),
            )
        ]
    )


def _measure(
    timeline: Timeline, exporter: CachingExporter, options: dict[str, str], folder: Path, repeat: int
) -> tuple[float, float, float, bool]:
    """(full export, re-export in memory, re-export from the cache files, all the same bytes)."""
    folder.mkdir()
    # Real files, as export_to_path writes (an in-memory buffer would count its own growing pains).
    sink, out, disk_out = (open(folder / name, "w+b") for name in ("full", "memory", "disk"))  # noqa: SIM115
    # ical: one run of the full export is enough (a minute at 100,000 events).
    full = _cpu(
        lambda: exporter.export(timeline, _reset(sink), options), 1 if exporter.name == "ical" else repeat
    )
    memory = memory_cache(exporter, options)
    assert memory is not None
    exporter.export_pieces(timeline, io.BytesIO(), options, memory)
    # The cache files of a first export with them.
    export_cached(timeline, exporter, io.BytesIO(), options, RenderCacheFile(folder, "bench"))
    warm = disk = float("inf")
    for _ in range(repeat):
        _correct(timeline, len(timeline.entries) + timeline.position)
        warm = min(warm, _cpu(lambda: exporter.export_pieces(timeline, _reset(out), options, memory), 1))
        disk = min(
            disk, _cpu(functools.partial(_from_files, timeline, exporter, disk_out, options, folder), 1)
        )
    if exporter.name == "ical":  # a plain export takes a minute: compare the two cached ones
        same = _contents(out) == _contents(disk_out)
    else:
        exporter.export(timeline, _reset(sink), options)
        same = _contents(out) == _contents(sink) == _contents(disk_out)
    for handle in (sink, out, disk_out):
        handle.close()
    return full, warm, disk, same


def _from_files(
    timeline: Timeline, exporter: CachingExporter, out: BinaryIO, options: dict[str, str], folder: Path
) -> None:
    """What a script run again does: load the cache files, export, save them."""
    export_cached(timeline, exporter, _reset(out), options, RenderCacheFile(folder, "bench"))


def _contents(handle: BinaryIO) -> bytes:
    handle.flush()
    handle.seek(0)
    return handle.read()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="ical,json,json-lines,markdown")
    args = parser.parse_args(argv)
    timeline = Timeline.from_records(make_records(args.events))
    n = len(timeline)
    print(
        f"render cache: {n:,} entries; re-export after one correction vs full export (target <= {TARGET:.0%})"
    )
    wanted = set(args.formats.split(","))
    ok, number = True, 0
    with tempfile.TemporaryDirectory() as folder:
        for name, options in FORMATS:
            label = name + ("-lines" if options else "")
            if label not in wanted:
                continue
            exporter = get_exporter(name)
            assert isinstance(exporter, CachingExporter)
            full, warm, disk, same = _measure(timeline, exporter, options, Path(folder) / label, args.repeat)
            number += args.repeat
            print(
                f"{label:<11} full {full * 1000:>8.0f} ms ({n / full:>7,.0f} events/s)   "
                f"re-export in memory {warm * 1000:>6.1f} ms = {warm / full:6.1%}   "
                f"from the cache files {disk * 1000:>6.1f} ms = {disk / full:6.1%}   "
                f"(target <= {TARGET:.0%})   same bytes: {same}",
                flush=True,
            )
            ok = ok and same and warm <= TARGET * full and disk <= TARGET * full
    print("all targets met" if ok else "some targets missed")
    return 0


def _reset(buffer: BinaryIO) -> BinaryIO:
    buffer.seek(0)
    buffer.truncate()
    return buffer


if __name__ == "__main__":
    sys.exit(main())

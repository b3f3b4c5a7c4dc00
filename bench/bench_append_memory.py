"""Append memory benchmark: the peak memory of ``timeline append`` of a big JSON Lines file (issue 9).

    .venv/bin/python bench/bench_append_memory.py [--lines N]

`timeline append` streams its input (one transaction, events checked and inserted a chunk at a time), so its
peak memory should not grow with the file: this runs it on N lines (default 1,000,000; target peak <= 250 MB)
and on N/10 lines as the baseline measured in the same run, and reports both peaks and their ratio (flat
memory: close to 1x). Each run is a fresh process; its peak is its maximum resident set size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _mix import make_event

from timeline.codec import to_json

TARGET_MB = 250


def write_lines(path: Path, count: int) -> None:
    """`count` events of the benchmark mix as JSON Lines (the same few thousand shapes, distinct ids)."""
    templates = [to_json(make_event(i)) for i in range(1000)]
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            item = dict(templates[i % 1000])
            item["id"] = f"line-{i:08d}"
            out.write(json.dumps(item, ensure_ascii=False) + "\n")


def peak_of_append(lines: Path, store: Path) -> tuple[float, float]:
    """(peak resident MB, seconds) of one ``timeline append`` in a child process."""
    code = (
        "import resource, sys; from timeline.cli import main; status = main(sys.argv[1:]);"
        " print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(status)"
    )
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, "--store", f"{store}?synchronous=normal", "append", "big", str(lines)],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - start
    peak_kb = int(result.stdout.strip().splitlines()[-1])
    return peak_kb / 1024, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results = {}
        for count in (args.lines // 10, args.lines):
            lines = Path(folder) / f"{count}.jsonl"
            write_lines(lines, count)
            size_mb = lines.stat().st_size / 1e6
            peak, seconds = peak_of_append(lines, Path(folder) / f"{count}.db")
            results[count] = peak
            print(f"append of {count:,} lines ({size_mb:,.0f} MB): peak {peak:,.0f} MB in {seconds:,.1f} s")
            lines.unlink()
        small, big = results[args.lines // 10], results[args.lines]
        verdict = "ok" if big <= TARGET_MB else "MISSED"
        print(f"peak memory {big:,.0f} MB for {args.lines:,} lines (target <= {TARGET_MB} MB: {verdict});")
        print(f"ratio to {args.lines // 10:,} lines: {big / small:.2f}x (flat: ~1x)")


if __name__ == "__main__":
    main()

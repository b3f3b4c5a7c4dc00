"""Reader latency benchmark: opening and reading a SQLite store while another process holds the write lock.

    .venv/bin/python bench/bench_reader_latency.py [--events N] [--rounds R]

Readers never wait for writers (issue 9): `open_store(path, create=False)` takes no write lock, and WAL
readers proceed while a writer holds ``BEGIN IMMEDIATE``. This times open + `streams()` + `read_all()` of N
events (default 1,000) with a writer process holding the lock, against the same without it, alternating
round by round so both see the same machine load; each figure is the median of R rounds. Target: ~1x (a
reader that waited would take the busy timeout, 60 s).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _mix import make_event

from timeline.store import open_store

_HOLD = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
"""


def read_once(path: str) -> float:
    start = time.perf_counter()
    with open_store(path, create=False) as store:
        store.streams()
        for _ in store.read_all():
            pass
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "store.db")
        with open_store(path) as store:
            store.append("s", [make_event(i) for i in range(args.events)])
        free, locked = [], []
        for _ in range(args.rounds):
            free.append(read_once(path))
            writer = subprocess.Popen(
                [sys.executable, "-c", _HOLD, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
            assert writer.stdout is not None
            assert writer.stdin is not None
            assert writer.stdout.readline().strip() == "locked"
            locked.append(read_once(path))
            writer.stdin.close()
            writer.wait()
        held, baseline = statistics.median(locked), statistics.median(free)
        print(f"open + read of {args.events:,} events: {held * 1000:.1f} ms behind a held write lock,")
        print(f"{baseline * 1000:.1f} ms without one: ratio {held / baseline:.2f}x (target ~1x)")


if __name__ == "__main__":
    main()

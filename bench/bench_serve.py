"""Benchmark of `timeline serve`: what a poll costs, and how many polls a second it answers.

    .venv/bin/python bench/bench_serve.py [--events N] [--format ical] [--wrk-events M] [--skip-wrk]
        [--skip-polls] [--postgres URL] [--postgres-events P]

Part 1, in this process, the WSGI application called directly over a SQLite store of N events (default
100,000, one stream, the bench mix): a full export of the feed (rendering an in-memory Timeline to bytes,
the work `timeline export` does after its rebuild: the strictest baseline) against
* a poll after one correction was appended by the store (the catch-up query, the fold, the re-render,
  the hash): target <= 5% of the full export;
* a poll when nothing changed (the catch-up query and a 304): target <= 1%.
CPU time of this process, the least of R runs (the machine is shared: wall-clock time counts waits).

Part 2, over HTTP on loopback: `wrk` (Debian's package, bounded at -d 5s, one thread, 4 connections)
against `timeline serve` in its own process holding a cached M-event feed (default 10,000), for full GETs
and conditional GETs (If-None-Match -> 304), against the same bytes as a static file served by Python's
`http.server` in the same run (full GETs, and If-Modified-Since -> 304). Target >= 0.5x the static
server's requests per second for both; errors must be 0; p99 latency is printed.

Part 3, with ``--postgres URL`` (default: $TIMELINE_TEST_POSTGRES_URL; its schema is dropped and made
afresh): the unchanged poll (a 304) of a P-event feed (default 10,000) on a PostgreSQL store, with the
NOTIFY listener (no query) against without it (one ``read_all`` query per poll), in the same run: wall and
CPU time per poll, the median of 3 runs of 200 polls. Target: with the listener < 0.5x the time without.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from _mix import make_event

from timeline import export
from timeline.events import Correction
from timeline.projections import Timeline
from timeline.serve import FeedApp
from timeline.store import EventStore, open_store

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from wsgiref.types import StartResponse

STREAM = "bench"


def _fill(store: EventStore, count: int) -> None:
    for start in range(0, count, 1000):
        store.append(STREAM, [make_event(i) for i in range(start, min(start + 1000, count))])


def _cpu(function: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        function()
        best = min(best, time.process_time() - started)
    return best


def _call(app: FeedApp, path: str, headers: dict[str, str]) -> tuple[str, dict[str, str], bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8080",
        "wsgi.url_scheme": "http",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    }
    answer: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> Any:
        answer["status"], answer["headers"] = status, dict(response_headers)

    body = b"".join(app(environ, cast("StartResponse", start_response)))
    return answer["status"], answer["headers"], body


def _verdict(ratio: float, target: float, below: bool) -> str:
    met = ratio <= target if below else ratio >= target
    return "met" if met else "NOT met"


def bench_polls(events: int, format_name: str, repeat: int) -> None:
    """Part 1: polls against a full export, in CPU time."""
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(str(Path(folder) / "bench.db"))
        _fill(store, events)
        timeline = Timeline.from_store(store, stream=STREAM)

        def full_export() -> None:
            export(timeline, format_name, io.BytesIO())

        full = _cpu(full_export, repeat)
        app = FeedApp(store)
        extension = {"ical": ".ics", "json": ".json", "markdown": ".md"}.get(format_name, f".{format_name}")
        path = f"/streams/{STREAM}{extension}"
        status, headers, body = _call(app, path, {})  # the first request builds and renders
        assert status.startswith("200"), status
        etag = headers["ETag"]

        def unchanged() -> None:
            got, _, _ = _call(app, path, {"If-None-Match": etag})
            assert got.startswith("304"), got

        still = _cpu(unchanged, max(repeat, 20))
        corrected: list[float] = []
        for n in range(repeat):
            target = make_event((n * 7919) % events).id
            store.append(
                STREAM, [Correction(target=target, changes={"title": f"Corrected {n}"}, reason="bench")]
            )
            started = time.process_time()
            got, headers, body = _call(app, path, {"If-None-Match": etag})
            corrected.append(time.process_time() - started)
            assert got.startswith("200"), got
            assert f"Corrected {n}".encode() in body
            etag = headers["ETag"]
        check = io.BytesIO()
        export(Timeline.from_store(store, stream=STREAM), format_name, check)
        assert check.getvalue() == body, "the served feed differs from a fresh export"
        store.close()
    after = min(corrected)
    print(f"polls of a {events:,}-event {format_name} feed (CPU time, least of {repeat}):")
    print(f"  full export (render only)       {full * 1000:10.1f} ms")
    print(
        f"  poll after one correction       {after * 1000:10.1f} ms   {after / full:7.2%} of the export"
        f"   target <= 5%   {_verdict(after / full, 0.05, below=True)}"
    )
    print(
        f"  poll, nothing changed (304)     {still * 1000:10.3f} ms   {still / full:7.3%} of the export"
        f"   target <= 1%   {_verdict(still / full, 0.01, below=True)}"
    )


# -- part 2: wrk over loopback ------------------------------------------------------------------


@contextlib.contextmanager
def _process(args: list[str], ready: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    # The request log (stderr) is dropped: a pipe nobody reads would fill and stall the server.
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert ready in line, line
        yield process, line
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wrk(url: str, headers: Iterable[str] = ()) -> dict[str, float]:
    args = ["wrk", "-t1", "-c4", "-d5s", "--latency", "--timeout", "10s"]
    for header in headers:
        args += ["-H", header]
    done = subprocess.run([*args, url], capture_output=True, text=True, check=True, timeout=60)
    out = done.stdout
    if "Requests/sec" not in out or " 0 requests" in out:
        print(out, done.stderr, file=sys.stderr)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    errors = 0.0
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: (.*)"):
        found = re.search(pattern, out)
        if found:
            errors += sum(int(n) for n in re.findall(r"\d+", found.group(1)))
    return {
        "rate": rate,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
        "errors": errors,
    }


def bench_wrk(events: int) -> None:
    """Part 2: requests per second under wrk against a static file server."""
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install -y wrk): part 2 skipped")
        return
    import http.client

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        store = open_store(str(db))
        _fill(store, events)
        store.close()
        serve = [sys.executable, "-m", "timeline.cli", "--store", str(db), "serve", "--port", "0"]
        with _process(serve, "serving http://") as (_, line):
            port = int(line.split(":")[2].split("/")[0])
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            conn.request("GET", f"/streams/{STREAM}.ics")
            first = conn.getresponse()
            body, etag = first.read(), first.getheader("ETag")
            conn.close()
            url = f"http://127.0.0.1:{port}/streams/{STREAM}.ics"
            ours_full = _wrk(url)
            ours_304 = _wrk(url, [f"If-None-Match: {etag}"])
        static_folder = Path(folder) / "static"
        static_folder.mkdir()
        (static_folder / "feed.ics").write_bytes(body)
        static = [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"]
        with _process([*static, "--directory", str(static_folder)], "Serving HTTP") as (_, line):
            port = int(re.search(r"port (\d+)", line).group(1))  # type: ignore[union-attr]
            url = f"http://127.0.0.1:{port}/feed.ics"
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/feed.ics")
            answer = conn.getresponse()
            assert answer.read() == body
            modified = answer.getheader("Last-Modified")
            conn.close()
            static_full = _wrk(url)
            static_304 = _wrk(url, [f"If-Modified-Since: {modified}"])
    print(f"wrk -t1 -c4 -d5s on loopback, a cached {events:,}-event iCalendar feed ({len(body):,} bytes):")
    for label, ours, theirs in (("full GET", ours_full, static_full), ("304", ours_304, static_304)):
        ratio = ours["rate"] / theirs["rate"]
        print(
            f"  {label:<9} serve {ours['rate']:9.1f} req/s (p99 {ours['p99_ms']:8.2f} ms, errors "
            f"{ours['errors']:.0f})   static {theirs['rate']:9.1f} req/s (p99 {theirs['p99_ms']:8.2f} ms,"
            f" errors {theirs['errors']:.0f})   {ratio:5.2f}x   target >= 0.5x   "
            f"{_verdict(ratio, 0.5, below=False)}"
        )


# -- part 3: PostgreSQL, with and without the NOTIFY listener ----------------------------------------


def bench_listener(url: str, events: int, polls: int = 200) -> None:
    """Part 3: an unchanged poll on PostgreSQL, with the listener and without it (wall and CPU time)."""
    from statistics import median

    from timeline.serve.state import FeedState
    from timeline.store import postgres

    postgres.reset_for_tests(url)
    store = open_store(url)
    _fill(store, events)
    path = f"/streams/{STREAM}.ics"
    figures: dict[bool, tuple[float, float]] = {}
    for listen in (False, True):
        app = FeedApp(store, state=FeedState(store, listen=listen))
        _, headers, _ = _call(app, path, {})
        etag = headers["ETag"]
        if listen:
            listener = app.state.listener
            assert listener is not None
            deadline = time.monotonic() + 30
            while not listener.listening and time.monotonic() < deadline:
                time.sleep(0.01)
            _call(app, path, {})  # the one read after LISTEN began
        walls, cpus = [], []
        for _ in range(3):
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(polls):
                got, _, _ = _call(app, path, {"If-None-Match": etag})
                assert got.startswith("304"), got
            walls.append((time.perf_counter() - wall) / polls)
            cpus.append((time.process_time() - cpu) / polls)
        figures[listen] = (median(walls), median(cpus))
        app.state.close()
    store.close()
    (wall_off, cpu_off), (wall_on, cpu_on) = figures[False], figures[True]
    print(f"unchanged poll (304) of a {events:,}-event feed on PostgreSQL (median of 3 x {polls}):")
    print(f"  without the listener (a query)  {wall_off * 1e6:8.1f} us wall  {cpu_off * 1e6:8.1f} us CPU")
    print(
        f"  with the NOTIFY listener        {wall_on * 1e6:8.1f} us wall  {cpu_on * 1e6:8.1f} us CPU"
        f"   {wall_on / wall_off:5.2f}x the wall time   target < 0.5x   "
        f"{_verdict(wall_on / wall_off, 0.5, below=True)}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run both parts."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--format", default="ical")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--wrk-events", type=int, default=10_000)
    parser.add_argument("--skip-wrk", action="store_true")
    parser.add_argument("--skip-polls", action="store_true")
    parser.add_argument("--postgres", default=os.environ.get("TIMELINE_TEST_POSTGRES_URL"))
    parser.add_argument("--postgres-events", type=int, default=10_000)
    args = parser.parse_args(argv)
    if not args.skip_polls:
        bench_polls(args.events, args.format, args.repeat)
    if not args.skip_wrk:
        bench_wrk(args.wrk_events)
    if args.postgres:
        bench_listener(args.postgres, args.postgres_events)
    return 0


if __name__ == "__main__":
    sys.exit(main())

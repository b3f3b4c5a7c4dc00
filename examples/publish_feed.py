#!/usr/bin/env python3
"""Publish a stream as calendar, JSON and Markdown feeds: the kind of script a cron job runs.

    */30 * * * *  cd /srv/desk && .venv/bin/python examples/publish_feed.py \
                      --store newsroom.db --stream el-salvador-deportations --out /var/www/feeds

It first appends any new events from the given JSON Lines files (idempotent: events whose ids are already
stored are skipped), then rewrites each feed atomically (a subscriber never sees a half-written file), and
leaves a feed's bytes unchanged when nothing in the stream changed, so calendar clients and web caches see
no spurious updates. Silent on success, as cron expects (--verbose lists the files written); every error
names its input file. Exit status: 0 ok, 1 system failure, 2 bad input (a missing input file too),
3 concurrency conflict.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import timeline
from timeline.snapshots import resume_timeline

FEEDS = {"ical": ".ics", "json": ".json", "markdown": ".md"}


def publish(store_url: str, stream: str, out: Path, inputs: list[Path], name: str | None) -> list[Path]:
    """Append the inputs to `stream`, then write one feed per format into `out`; return the written paths.

    Without inputs it only reads, so a store that is not there (the script run from the wrong folder) is an
    error, and so is a stream that is not in the store: neither replaces the published feeds with empty ones.
    """
    batches = [(path, _read(path)) for path in inputs]  # every input is read before the store is touched
    with timeline.open_store(store_url, create=bool(inputs)) as store:
        for path, events in batches:
            try:
                store.append(stream, events)
            except timeline.ValidationError as exc:
                raise InputError(path, [exc]) from None
        if store.version(stream) == 0:
            known = ", ".join(store.streams()) or "none"
            raise timeline.StoreError(f"no stream {stream!r} in {store.url} (known streams: {known})")
        # From the last run's snapshot in the cache folder: only what is new is folded.
        feed = resume_timeline(store, stream=stream)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for format_name, suffix in FEEDS.items():
        options = {}
        if name and format_name == "ical":
            options["name"] = name
        if name and format_name == "markdown":
            options["title"] = name
        target = out / f"{stream}{suffix}"
        timeline.export_to_path(feed, format_name, target, **options)
        written.append(target)
    return written


class InputError(Exception):
    """An input file that cannot be read or holds bad lines: `errors` name the lines."""

    def __init__(self, path: Path, errors: list[Exception]) -> None:
        self.path = path
        self.errors = errors
        super().__init__(f"{path}: {errors[0]}")


def _read(path: Path) -> list[timeline.Event]:
    try:
        with path.open("rb") as handle:
            events, _ = timeline.read_events(handle)
    except OSError as exc:
        raise InputError(path, [Exception(exc.strerror or str(exc))]) from None
    except timeline.BatchError as exc:
        raise InputError(path, list(exc.errors)) from None
    return events


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, publish, and map errors to exit statuses (no tracebacks for bad input)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", default=timeline.default_store_url(), help="store URL")
    parser.add_argument("--stream", required=True)
    parser.add_argument("--out", type=Path, required=True, help="folder for the feeds")
    parser.add_argument("--name", default=None, help="the calendar's display name")
    parser.add_argument("inputs", nargs="*", type=Path, help="JSON Lines files to append first")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the files written")
    args = parser.parse_args(argv)
    try:
        written = publish(args.store, args.stream, args.out, args.inputs, args.name)
    except InputError as exc:
        for error in exc.errors:
            print(f"publish_feed: {exc.path}: {error}", file=sys.stderr)
        return 2
    except timeline.ConcurrencyError as exc:
        print(f"publish_feed: {exc}", file=sys.stderr)
        return 3
    except timeline.ValidationError as exc:
        print(f"publish_feed: {exc}", file=sys.stderr)
        return 2
    except (timeline.TimelineError, OSError) as exc:
        print(f"publish_feed: {exc}", file=sys.stderr)
        return 1
    if args.verbose:
        for path in written:
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The `timeline` command: append JSON Lines, show timelines and ledgers, export feeds, list plugins.

Exit status: 0 success, 1 a failure of the system (a store that cannot be opened), 2 bad input or usage
(the message names the line and the field), 3 a concurrency conflict.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from contextlib import nullcontext
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, TextIO

from timeline.errors import ConcurrencyError, StoreError, TimelineError, ValidationError
from timeline.jsonl import BatchError, EventReader
from timeline.store import ANY, NO_STREAM, Expected, default_store_url, open_store

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from timeline.store import EventStore

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_CONFLICT = 0, 1, 2, 3


class UsageError(TimelineError):
    """A mistake on the command line (exit status 2)."""


def parse_expected_version(text: str) -> Expected:
    """``any``, ``none`` (the stream must not exist) or a version number."""
    lowered = text.strip().lower()
    if lowered == "any":
        return ANY
    if lowered in {"none", "no-stream", "no_stream"}:
        return NO_STREAM
    if lowered.isdigit():
        return int(lowered)
    raise UsageError(f"--expected-version: {text!r} is not 'any', 'none' or a version number")


def parse_as_of(text: str) -> datetime:
    """An ISO 8601 date-time with an offset; a bare date means the end of that day in UTC (inclusive)."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.max, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of: {text!r} is not an ISO 8601 date or date-time") from None
    if moment.tzinfo is None:
        raise UsageError(f"--as-of: {text!r} has no UTC offset (add Z or +HH:MM, or give a bare date)")
    return moment


def parse_reported_by(text: str) -> date:
    """An ISO 8601 calendar date (YYYY-MM-DD): what the sources had reported by the end of that day."""
    try:
        if len(text) != 10:  # fromisoformat also takes 20250414; the README promises YYYY-MM-DD only
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--reported-by: {text!r} is not an ISO 8601 date (YYYY-MM-DD)") from None


_REPORTED_BY_HELP = "as reported by the sources by the end of this day (YYYY-MM-DD; see the README)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="timeline",
        description="What happened, when, and who says so: an append-only log of typed events.",
        epilog="Exit status: 0 ok, 1 system failure, 2 bad input or usage, 3 concurrency conflict.",
    )
    parser.add_argument(
        "--store",
        metavar="URL",
        default=None,
        help="a SQLite file path, 'memory:' or 'postgresql://...' (default: $TIMELINE_STORE or timeline.db)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("append", help="append events from a JSON Lines file (or - for standard input)")
    p.add_argument("stream", metavar="STREAM", help="the stream to append to (created by its first append)")
    p.add_argument(
        "file", metavar="FILE", nargs="?", default="-", help="a JSON Lines file, or - for standard input"
    )
    p.add_argument(
        "--expected-version",
        metavar="N|none|any",
        default="any",
        help="refuse the batch unless the stream is at this version (default: any)",
    )
    p.set_defaults(run=_cmd_append)

    def add_view(
        name: str, help_text: str, run: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        view = sub.add_parser(name, help=help_text)
        view.add_argument(
            "stream", metavar="STREAM", nargs="?", default=None, help="one stream (default: all)"
        )
        view.add_argument(
            "--as-of",
            metavar="DATETIME",
            default=None,
            help="as known at this moment (ISO 8601 with offset; a bare date = end of that day UTC)",
        )
        view.add_argument("--reported-by", metavar="DATE", default=None, help=_REPORTED_BY_HELP)
        view.set_defaults(run=run)
        return view

    show = add_view("show", "print the timeline, dates as people say them", _cmd_show)
    show.add_argument("--retracted", action="store_true", help="also list retracted entries")
    show.add_argument(
        "--history", action="store_true", help="list each entry's corrections with their reasons"
    )
    add_view("ledger", "payments summed per payer, payee and currency", _cmd_ledger)
    add_view("movements", "transfers summed per origin and destination", _cmd_movements)
    add_view("actors", "each name and the entries it appears in", _cmd_actors)

    p = sub.add_parser("export", help="export a timeline in a format (see 'timeline formats')")
    p.add_argument("format", metavar="FORMAT", help="an export format (see 'timeline formats')")
    p.add_argument("--stream", default=None, help="one stream (default: all)")
    p.add_argument("--as-of", metavar="DATETIME", default=None, help="as known at this moment")
    p.add_argument("--reported-by", metavar="DATE", default=None, help=_REPORTED_BY_HELP)
    p.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        default=None,
        help="write here, atomically (default: standard output)",
    )
    p.add_argument(
        "--option",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="an option of the format (repeatable)",
    )
    p.set_defaults(run=_cmd_export)

    p = sub.add_parser("formats", help="each export format, its media type and the plugin that provides it")
    p.set_defaults(run=_cmd_formats)
    p = sub.add_parser("plugins", help="installed plugins, as JSON")
    p.set_defaults(run=_cmd_plugins)
    p = sub.add_parser("streams", help="the streams in the store with their versions")
    p.set_defaults(run=_cmd_streams)
    return parser


def _open(args: argparse.Namespace, *, create: bool = False) -> EventStore:
    """The store; only `append` creates one (reading a path that holds none is "no store at PATH")."""
    return open_store(args.store or default_store_url(), create=create)


def _cmd_append(args: argparse.Namespace) -> int:
    expected = parse_expected_version(args.expected_version)
    source = "standard input" if args.file == "-" else args.file
    try:
        handle = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from None
    # Streamed: read, checked and inserted a chunk at a time in one transaction (all or nothing).
    reader = EventReader(handle)
    events = iter(reader)
    try:
        with handle if handle is not sys.stdin else nullcontext():
            first = next(events, None)  # input that is bad from its first line on opens (creates) no store
            batch = events if first is None else itertools.chain([first], events)
            with _open(args, create=True) as store:
                try:
                    done = store.append_stream(args.stream, batch, expected_version=expected)
                except BatchError:
                    raise
                except ValidationError as exc:
                    raise _name_line(exc, reader.line_numbers, source) from None
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{source} is not UTF-8 text: {exc.reason}") from None
    except BatchError as exc:
        for error in exc.errors:
            _error(f"{source}: {error}")
        _error(f"nothing appended: {len(exc.errors)} bad line(s)")
        return EXIT_USAGE
    print(
        f"{args.stream}: appended {done.added} event(s), {done.count - done.added} already stored; "
        f"stream version {done.version}"
    )
    return EXIT_OK


def _name_line(exc: ValidationError, lines: Sequence[int], source: str) -> ValidationError:
    """Turn a batch index (``[3].correction.target``) into the input line it came from."""
    path = exc.path
    if path.startswith("[") and "]" in path:
        index_text, _, rest = path[1:].partition("]")
        if index_text.isdigit() and int(index_text) < len(lines):
            return type(exc)(
                f"{exc.reason} (in {source}; nothing appended)",
                path=rest.lstrip("."),
                line=lines[int(index_text)],
            )
    return type(exc)(f"{exc.reason} (in {source}; nothing appended)", path=path, line=exc.line)


def _timeline(args: argparse.Namespace, store: EventStore, stream: str | None, **kwargs: Any) -> Any:
    from timeline.projections import Timeline

    as_of = parse_as_of(args.as_of) if args.as_of else None
    reported_by = parse_reported_by(args.reported_by) if args.reported_by else None
    return Timeline.from_store(store, stream=stream, as_of=as_of, reported_by=reported_by, **kwargs)


def _cmd_show(args: argparse.Namespace) -> int:
    from timeline._render import render_timeline

    with _open(args) as store:
        tl = _timeline(args, store, args.stream, include_retracted=args.retracted)
        render_timeline(tl, sys.stdout, history=args.history, all_streams=args.stream is None)
    return EXIT_OK


def _cmd_ledger(args: argparse.Namespace) -> int:
    from timeline._render import render_ledger
    from timeline.projections import Ledger

    with _open(args) as store:
        render_ledger(Ledger.from_timeline(_timeline(args, store, args.stream)), sys.stdout)
    return EXIT_OK


def _cmd_movements(args: argparse.Namespace) -> int:
    from timeline._render import render_movements
    from timeline.projections import Movements

    with _open(args) as store:
        render_movements(Movements.from_timeline(_timeline(args, store, args.stream)), sys.stdout)
    return EXIT_OK


def _cmd_actors(args: argparse.Namespace) -> int:
    from timeline._render import render_actors
    from timeline.projections import Actors

    with _open(args) as store:
        render_actors(Actors.from_timeline(_timeline(args, store, args.stream)), sys.stdout)
    return EXIT_OK


def _parse_options(pairs: Sequence[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--option: {pair!r} is not KEY=VALUE")
        options[key.strip()] = value
    return options


def _cmd_export(args: argparse.Namespace) -> int:
    from timeline import plugins
    from timeline.exporters.base import check_options
    from timeline.exporting import export, export_to_path

    options = _parse_options(args.option)
    exporter = plugins.get_exporter(args.format)  # an unknown format fails before the store is opened
    check_options(exporter, options)  # and so do bad options
    with _open(args) as store:
        if args.stream is not None and store.version(args.stream) == 0:
            known = ", ".join(store.streams()) or "none"
            raise UsageError(f"no stream {args.stream!r} in {store.url} (known streams: {known})")
        tl = _timeline(args, store, args.stream)
        if args.output and args.output != "-":  # "-": standard output, as for most commands
            export_to_path(tl, exporter.name, args.output, **options)
        else:
            export(tl, exporter.name, sys.stdout.buffer, **options)
            sys.stdout.buffer.flush()
    return EXIT_OK


def _cmd_formats(args: argparse.Namespace) -> int:
    from timeline import plugins

    rows = [("FORMAT", "MEDIA TYPE", "PLUGIN"), *plugins.formats()]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for name, media_type, plugin in rows:
        print(f"{name:<{widths[0]}}  {media_type:<{widths[1]}}  {plugin}")
    return EXIT_OK


def _cmd_plugins(args: argparse.Namespace) -> int:
    from timeline import plugins

    print(json.dumps(plugins.plugin_list(), indent=2, ensure_ascii=False))
    return EXIT_OK


def _cmd_streams(args: argparse.Namespace) -> int:
    with _open(args) as store:
        for name in store.streams():
            print(f"{name}\t{store.version(name)}")
    return EXIT_OK


def _error(message: str, stream: TextIO | None = None) -> None:
    print(f"timeline: {message}", file=stream or sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (the console script exits with it)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except ConcurrencyError as exc:
        _error(f"conflict: {exc}")
        return EXIT_CONFLICT
    except (UsageError, ValidationError) as exc:
        _error(str(exc))
        return EXIT_USAGE
    except StoreError as exc:
        _error(str(exc))
        return EXIT_FAILURE
    except TimelineError as exc:
        _error(str(exc))
        return EXIT_FAILURE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        _error("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())

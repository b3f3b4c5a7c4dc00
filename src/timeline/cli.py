"""The `timeline` command: append JSON Lines, show timelines and ledgers, export feeds, list plugins.

Exit status: 0 success, 1 a failure of the system (a store that cannot be opened), 2 bad input or usage
(the message names the line and the field), 3 a concurrency conflict.
"""

from __future__ import annotations

import itertools
import json
import sys
import warnings
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from timeline._cli_parser import build_parser as _grammar
from timeline._cli_parser import command_in
from timeline._cli_values import (
    UsageError,
    parse_as_of,
    parse_expected_version,
    parse_options,
    parse_reported_by,
)
from timeline._unknown import describe_missing, missing_types
from timeline.errors import ConcurrencyError, StoreError, TimelineError, ValidationError
from timeline.store import default_store_url, open_store

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from timeline.jsonl import BatchError, EventReader
    from timeline.store import EventStore

__all__ = [
    "UsageError",
    "build_parser",
    "console_main",
    "main",
    "parse_as_of",
    "parse_expected_version",
    "parse_reported_by",
]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_CONFLICT = 0, 1, 2, 3


def build_parser(*, only: str | None = None) -> argparse.ArgumentParser:
    """The `timeline` command's parser, each command bound to its function (the docs' CLI reference is
    generated from it); `only`: with that command alone."""
    return _grammar(
        {
            "append": _cmd_append,
            "validate": _cmd_validate,
            "show": _cmd_show,
            "ledger": _cmd_ledger,
            "movements": _cmd_movements,
            "actors": _cmd_actors,
            "export": _cmd_export,
            "formats": _cmd_formats,
            "plugins": _cmd_plugins,
            "streams": _cmd_streams,
            "serve": _cmd_serve,
        },
        only=only,
    )


def _open(args: argparse.Namespace, *, create: bool = False) -> EventStore:
    """The store; only `append` creates one (reading a path that holds none is "no store at PATH")."""
    return open_store(args.store or default_store_url(), create=create)


def _input(file: str) -> tuple[BinaryIO, str]:
    """The input as bytes (so a line that is not UTF-8 is named by number) and the name to call it."""
    if file == "-":
        return sys.stdin.buffer, "standard input"
    try:
        return open(file, "rb"), file
    except OSError as exc:
        raise UsageError(f"cannot read {file}: {exc.strerror or exc}") from None


def _report(exc: BatchError, source: str, verb: str) -> int:
    for error in exc.errors:
        _error(f"{source}: {error}")
    _error(f"{verb}: {len(exc.errors)} bad line(s)")
    return EXIT_USAGE


def _warn_missing_ids(reader: EventReader, source: str) -> None:
    """Events without an id get a random one: appending the same input again stores them again."""
    missing = reader.missing_ids
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (", ..." if len(missing) > 10 else "")
        _error(
            f"{source}: warning: {len(missing)} event(s) without an id (lines {shown}): each gets a new "
            'random id, so appending this input twice stores them twice; give each event an "id"'
        )


def _cmd_validate(args: argparse.Namespace) -> int:
    from timeline.jsonl import BatchError, EventReader

    handle, source = _input(args.file)
    reader = EventReader(handle)
    try:
        with handle if handle is not sys.stdin.buffer else nullcontext():
            count = sum(1 for _ in reader)
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from None
    except BatchError as exc:
        return _report(exc, source, "not valid")
    _warn_missing_ids(reader, source)
    print(f"{source}: {count} valid event(s)")
    return EXIT_OK


def _cmd_append(args: argparse.Namespace) -> int:
    from timeline.jsonl import BatchError, EventReader

    expected = parse_expected_version(args.expected_version)
    handle, source = _input(args.file)
    # Streamed: read, checked and inserted a chunk at a time in one transaction (all or nothing).
    reader = EventReader(handle)
    events = iter(reader)
    try:
        with handle if handle is not sys.stdin.buffer else nullcontext():
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
    except BatchError as exc:
        return _report(exc, source, "nothing appended")
    _warn_missing_ids(reader, source)
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


def _timeline(
    args: argparse.Namespace, store: EventStore, stream: str | None, *, resume: bool = False, **kwargs: Any
) -> Any:
    """The timeline the view options ask for; with --tag, --type or --actor, only the entries selected."""
    from timeline._cli_values import parse_selection
    from timeline.projections import Timeline

    as_of = parse_as_of(args.as_of) if args.as_of else None
    reported_by = parse_reported_by(args.reported_by) if args.reported_by else None
    selection = parse_selection(args)
    if resume:  # a script that runs again: from the last run's snapshot (timeline.snapshots)
        from timeline.snapshots import resume_timeline as fold
    else:
        fold = Timeline.from_store
    tl = fold(store, stream=stream, as_of=as_of, reported_by=reported_by, **kwargs)
    # Counted without building an event or decoding a snapshot's blocks: that would undo the lazy rebuild
    # (a re-export builds only the entries its render cache does not have).
    missing = missing_types(tl.type_counts())
    if missing:
        _error(describe_missing(missing))
    return tl if selection is None else selection.apply(tl)


def _cmd_show(args: argparse.Namespace) -> int:
    from timeline._render import render_timeline

    with _open(args) as store:
        tl = _timeline(args, store, args.stream, include_retracted=args.retracted)
        render_timeline(
            tl,
            sys.stdout,
            history=args.history,
            details=args.details,
            all_streams=args.stream is None,
            ids=args.ids,
        )
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


def _cmd_export(args: argparse.Namespace) -> int:
    from timeline import plugins
    from timeline._cli_values import parse_selection
    from timeline.exporters.base import check_options
    from timeline.exporting import export, export_to_path

    options = parse_options(args.option)
    exporter = plugins.get_exporter(args.format)  # an unknown format fails before the store is opened
    check_options(exporter, options)  # and so do bad options
    parse_selection(args)  # and bad filters
    with _open(args) as store:
        if args.stream is not None and store.version(args.stream) == 0:
            known = ", ".join(store.streams()) or "none"
            raise UsageError(f"no stream {args.stream!r} in {store.url} (known streams: {known})")
        to_file = bool(args.output) and args.output != "-"  # "-": standard output, as for most commands
        tl = _timeline(args, store, args.stream, resume=to_file)
        if to_file:
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


def _cmd_serve(args: argparse.Namespace) -> int:
    from timeline.serve.server import run

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port: {args.port} is not a port number (0 to 65535)")
    with _open(args) as store:
        run(store, host=args.host, port=args.port)
    return EXIT_OK


def _error(message: str, stream: TextIO | None = None) -> None:
    print(f"timeline: {message}", file=stream or sys.stderr)


def _warning(message: Warning | str, *_: object, **__: object) -> None:
    """A warning (an iCalendar feed that left events out, ...) as one line, without a source listing."""
    _error(f"warning: {message}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (the console script exits with it)."""
    argv = sys.argv[1:] if argv is None else argv
    # Only the command run is made, where argv says which plainly: the rest of the grammar is for help.
    parser = build_parser(only=command_in(argv))
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _warning
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


def console_main() -> int:
    """The ``timeline`` console script: `main`, for a process that ends when it returns.

    The collector's generations are frozen first: the interpreter's collections at exit would otherwise
    traverse every object of the command (a sixth of a short command's instructions) to free memory the
    process gives back anyway. Only here, not in `main`, which a longer-lived caller may run.
    """
    status = main()
    import gc

    gc.freeze()
    return status


if __name__ == "__main__":
    sys.exit(console_main())

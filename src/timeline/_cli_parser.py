"""The grammar of the `timeline` command: its commands, arguments and help (`timeline.cli` runs them)."""

from __future__ import annotations

import argparse
import functools
from typing import TYPE_CHECKING, Any

from timeline._cli_values import add_selection_options
from timeline._distribution import DISTRIBUTION, version

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = ["COMMANDS", "build_parser", "command_in"]


class _ShowVersion(argparse.Action):
    """``--version``, as argparse's own but looking the version up only when asked (it costs an import of
    importlib.metadata, more than most commands take)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **_: object) -> None:
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="show program's version number and exit",
        )

    def __call__(self, parser: argparse.ArgumentParser, *_: object, **__: object) -> None:
        print(f"timeline {version()} ({DISTRIBUTION})")
        parser.exit()


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's own, asking for the terminal's width when help is written rather than when it is made.

    argparse makes a formatter for every argument it adds (to check its metavar), and each would ask the
    terminal again; the first would also import shutil, and with it zlib, bz2 and lzma: milliseconds of a
    command's start-up that only ``--help`` and a usage error need.
    """

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ) -> None:
        super().__init__(prog, indent_increment, max_help_position, 80 if width is None else width)
        self._asked = (max_help_position, width)

    def format_help(self) -> str:
        """The help (or usage), at the terminal's width unless one was given."""
        max_help_position, width = self._asked
        if width is None:  # as argparse does it, here instead of in __init__
            import shutil

            width = shutil.get_terminal_size().columns - 2
            self._width = width
            self._max_help_position = min(max_help_position, max(width - 20, self._indent_increment * 2))
        return super().format_help()


_REPORTED_BY_HELP = "as reported by the sources by the end of this day (YYYY-MM-DD; see the README)"


#: The commands, in the order the help lists them.
COMMANDS = (
    "append",
    "validate",
    "show",
    "ledger",
    "movements",
    "actors",
    "export",
    "formats",
    "plugins",
    "streams",
    "serve",
)

#: The global options that take a value (``--store URL``): what `command_in` skips before the command.
_GLOBAL_WITH_VALUE = ("--store",)


def command_in(argv: Sequence[str]) -> str | None:
    """The command `argv` runs, if it can be told without parsing: after the global options, spelt out in
    full, its first word (one of `COMMANDS`); else None (an abbreviated option, ``--help``, no command...)."""
    words = iter(argv)
    for word in words:
        if word in _GLOBAL_WITH_VALUE:
            next(words, None)
        elif word.startswith(tuple(f"{option}=" for option in _GLOBAL_WITH_VALUE)):
            continue
        else:
            return word if word in COMMANDS else None
    return None


def build_parser(
    commands: Mapping[str, Callable[[argparse.Namespace], int]], *, only: str | None = None
) -> argparse.ArgumentParser:
    """The `timeline` command's parser; each command's ``run`` default is `commands` [its name].

    `only`: the parser of that command alone (what running it needs: argparse takes a tenth of a short
    command's start-up to make all of them); the others are left out, as is their help.
    """
    parser = argparse.ArgumentParser(
        prog="timeline",
        formatter_class=_HelpFormatter,
        description="What happened, when, and who says so: an append-only log of typed events.",
        epilog="Exit status: 0 ok, 1 system failure, 2 bad input or usage, 3 concurrency conflict.",
    )
    parser.add_argument("--store", metavar="URL", default=None, help=_STORE_HELP)
    parser.add_argument("--version", action=_ShowVersion)
    # The global options again on every command, so they may come after it too ("show s --store x.db");
    # SUPPRESS: a command's own default does not overwrite a value given before the command.
    common = argparse.ArgumentParser(add_help=False, formatter_class=_HelpFormatter)
    common.add_argument("--store", metavar="URL", default=argparse.SUPPRESS, help=_STORE_HELP)
    # prog given: argparse would format a usage line to find it (and so ask the terminal its width).
    sub = parser.add_subparsers(prog="timeline", dest="command", metavar="COMMAND", required=True)
    add_parser = functools.partial(sub.add_parser, parents=[common], formatter_class=_HelpFormatter)
    for name in COMMANDS if only is None else (only,):
        made = _ADDERS[name](add_parser, sub) if name in _ADDERS else _add_view(add_parser, name)
        made.set_defaults(run=commands[name])
    return parser


_STORE_HELP = "a SQLite file path, 'memory:' or 'postgresql://...' (default: $TIMELINE_STORE or timeline.db)"
_FILE_HELP = "JSON Lines; '-' or no FILE: standard input"

if TYPE_CHECKING:
    _AddParser = Callable[..., argparse.ArgumentParser]


def _add_append(add_parser: _AddParser, sub: object) -> argparse.ArgumentParser:
    p = add_parser("append", help="append events from a JSON Lines file (or - for standard input)")
    p.add_argument("stream", metavar="STREAM", help="the stream to append to (created by its first append)")
    p.add_argument("file", metavar="FILE", nargs="?", default="-", help=_FILE_HELP)
    p.add_argument(
        "--expected-version",
        metavar="N|none|any",
        default="any",
        help="refuse the batch unless the stream is at this version (default: any)",
    )
    return p


def _add_validate(add_parser: _AddParser, sub: object) -> argparse.ArgumentParser:
    p = add_parser("validate", help="check a JSON Lines file as append would, without appending")
    p.add_argument("file", metavar="FILE", nargs="?", default="-", help=_FILE_HELP)
    return p


_VIEW_HELP = {
    "show": "print the timeline, dates as people say them",
    "ledger": "payments summed per payer, payee and currency",
    "movements": "transfers summed per origin and destination",
    "actors": "each name and the entries it appears in",
}


def _add_view(add_parser: _AddParser, name: str) -> argparse.ArgumentParser:
    view = add_parser(name, help=_VIEW_HELP[name])
    view.add_argument("stream", metavar="STREAM", nargs="?", default=None, help="one stream (default: all)")
    view.add_argument(
        "--as-of",
        metavar="DATETIME",
        default=None,
        help="as known at this moment (ISO 8601 with offset; a bare date = end of that day UTC)",
    )
    view.add_argument("--reported-by", metavar="DATE", default=None, help=_REPORTED_BY_HELP)
    add_selection_options(view)
    if name == "show":
        view.add_argument("--retracted", action="store_true", help="also list retracted entries")
        view.add_argument(
            "--history", action="store_true", help="list each entry's corrections with their reasons"
        )
        view.add_argument("--ids", action="store_true", help="start each line with the event's id")
        view.add_argument(
            "--details",
            action="store_true",
            help=(
                "under each entry, what its fields say: amounts, words, counts, participants, sources, quotes"
            ),
        )
    return view


def _add_export(add_parser: _AddParser, sub: object) -> argparse.ArgumentParser:
    p = add_parser("export", help="export a timeline in a format (see 'timeline formats')")
    p.add_argument("format", metavar="FORMAT", help="an export format (see 'timeline formats')")
    p.add_argument("--stream", default=None, help="one stream (default: all)")
    p.add_argument("--as-of", metavar="DATETIME", default=None, help="as known at this moment")
    p.add_argument("--reported-by", metavar="DATE", default=None, help=_REPORTED_BY_HELP)
    add_selection_options(p)
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
    return p


def _add_formats(add_parser: _AddParser, sub: object) -> argparse.ArgumentParser:
    return add_parser("formats", help="each export format, its media type and the plugin that provides it")


def _add_plugins(add_parser: _AddParser, sub: object) -> argparse.ArgumentParser:
    return add_parser("plugins", help="installed plugins, as JSON")


def _add_streams(add_parser: _AddParser, sub: object) -> argparse.ArgumentParser:
    return add_parser("streams", help="the streams in the store with their versions")


def _add_serve(add_parser: _AddParser, sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "serve",
        formatter_class=_HelpFormatter,
        help="serve the feeds over HTTP, read-only (needs the [serve] extra)",
    )
    p.add_argument("--store", metavar="URL", default=argparse.SUPPRESS, help="as the global --store")
    p.add_argument("--host", default="127.0.0.1", help="the address to bind (default: 127.0.0.1, loopback)")
    p.add_argument("--port", type=int, default=8080, help="the port (default: 8080; 0: any free port)")
    return p


#: How each command other than the views (`_add_view`) is added: (add_parser, the subparsers action) -> it.
_ADDERS: dict[str, Callable[[_AddParser, Any], argparse.ArgumentParser]] = {
    "append": _add_append,
    "validate": _add_validate,
    "export": _add_export,
    "formats": _add_formats,
    "plugins": _add_plugins,
    "streams": _add_streams,
    "serve": _add_serve,
}

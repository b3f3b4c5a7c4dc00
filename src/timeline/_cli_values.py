"""The values the command line takes, parsed: expected versions, moments, days, format options, filters.

Each parser raises `UsageError` (exit status 2) with a message naming the option.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from timeline.errors import TimelineError
from timeline.store import ANY, NO_STREAM

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from timeline.projections import Selection
    from timeline.store import Expected

__all__ = [
    "UsageError",
    "add_selection_options",
    "parse_as_of",
    "parse_expected_version",
    "parse_options",
    "parse_reported_by",
    "parse_selection",
]


class UsageError(TimelineError):
    """A mistake on the command line (exit status 2)."""


def parse_expected_version(text: str) -> Expected:
    """``any``, ``none`` (the stream must not exist) or a version number."""
    lowered = text.strip().lower()
    if lowered == "any":
        return ANY
    if lowered in {"none", "no-stream", "no_stream"}:
        return NO_STREAM
    if lowered.isascii() and lowered.isdigit() and len(lowered) <= 18:  # isdigit alone accepts "²"
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


def parse_options(pairs: Sequence[str]) -> dict[str, str]:
    """``--option KEY=VALUE`` pairs as a dict (a later KEY wins)."""
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--option: {pair!r} is not KEY=VALUE")
        options[key.strip()] = value
    return options


_FILTERS = (
    ("tag", "TAG", "only entries with this tag (repeatable: any of them)"),
    ("type", "TYPE", "only entries of this event type, e.g. payment (repeatable: any of them)"),
    ("actor", "NAME", "only entries involving this name, e.g. a payer or a participant (repeatable)"),
)


def add_selection_options(parser: argparse.ArgumentParser) -> None:
    """``--tag``, ``--type`` and ``--actor``: different filters must all hold, case and spacing aside (see
    `timeline.projections.selection`)."""
    for name, metavar, help_text in _FILTERS:
        parser.add_argument(f"--{name}", metavar=metavar, action="append", default=[], help=help_text)


def parse_selection(args: argparse.Namespace) -> Selection | None:
    """The selection the filter options ask for; None when none is given."""
    if not (args.tag or args.type or args.actor):
        return None
    from timeline.errors import ValidationError
    from timeline.projections import Selection

    try:
        return Selection(tags=args.tag, types=args.type, actors=args.actor)
    except ValidationError as exc:
        raise UsageError(f"--{exc.path}: {exc.reason}") from None

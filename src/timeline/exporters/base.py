"""What an exporter is (the `Exporter` protocol) and the option helpers every exporter uses.

Plugins import these from `timeline` (``timeline.Exporter``, ``timeline.check_options``, ...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO, Protocol, runtime_checkable

from timeline.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from timeline.projections import Timeline

__all__ = ["Exporter", "check_options", "choice_option", "flag_option"]


@runtime_checkable
class Exporter(Protocol):
    """Turns a `Timeline` into the bytes of one format; plugins register exporters with a hook."""

    @property
    def name(self) -> str:
        """The format name used on the command line (``ical``, ``json``, ``markdown``)."""
        ...

    @property
    def media_type(self) -> str:
        """The IANA media type of the output, e.g. ``text/calendar``."""
        ...

    @property
    def extension(self) -> str:
        """The usual file name extension, with its dot (``.ics``)."""
        ...

    @property
    def description(self) -> str:
        """One line saying what the format is for."""
        ...

    @property
    def options(self) -> Mapping[str, str]:
        """Each option name and its one-line help."""
        ...

    def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
        """Write `timeline` to `out`; options are strings (``--option KEY=VALUE``), unknown ones an error."""
        ...


def check_options(exporter: Exporter, options: Mapping[str, str]) -> None:
    """Raise `ValidationError` naming every option `exporter` does not know, and the ones it does."""
    unknown = sorted(set(options) - set(exporter.options))
    if unknown:
        known = ", ".join(sorted(exporter.options)) or "none"
        names = ", ".join(unknown)
        raise ValidationError(
            f"unknown option{'s' if len(unknown) > 1 else ''} {names} for format {exporter.name!r} "
            f"(known: {known})",
            path=f"options.{unknown[0]}",
        )
    for key, value in options.items():
        if not isinstance(value, str):
            raise ValidationError(f"expected a string, got {type(value).__name__}", path=f"options.{key}")


_TRUE = frozenset({"true", "yes", "1", "on"})
_FALSE = frozenset({"false", "no", "0", "off"})


def flag_option(options: Mapping[str, str], key: str, default: bool) -> bool:
    """A true/false option (``true``/``false``, ``yes``/``no``, ``1``/``0``, ``on``/``off``)."""
    text = options.get(key)
    if text is None:
        return default
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValidationError(f"{text!r} is not true or false", path=f"options.{key}")


def choice_option(options: Mapping[str, str], key: str, choices: tuple[str, ...]) -> str:
    """An option that must be one of `choices`; the first choice is the default."""
    text = options.get(key)
    if text is None:
        return choices[0]
    if text not in choices:
        raise ValidationError(f"{text!r} is not one of {', '.join(choices)}", path=f"options.{key}")
    return text

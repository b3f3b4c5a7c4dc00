"""A timeline plugin: one line per event, "date<TAB>headline" (format ``headlines``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, BinaryIO

import attrs

from timeline import check_options, flag_option, hookimpl

if TYPE_CHECKING:
    from timeline import Exporter, Timeline


@attrs.frozen(kw_only=True)
class HeadlinesExporter:
    """The ``headlines`` format: the date as people say it, a tab, the headline."""

    name: str = "headlines"
    media_type: str = "text/plain; charset=utf-8"
    extension: str = ".txt"
    description: str = "one line per event: date, tab, headline"
    options: Mapping[str, str] = attrs.field(
        factory=lambda: MappingProxyType({"edtf": "true: EDTF dates instead of words (default false)"})
    )

    def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
        """Write `timeline` to `out`, UTF-8."""
        check_options(self, options)  # an unknown option is a ValidationError naming options.<name>
        edtf = flag_option(options, "edtf", default=False)
        for entry in timeline.entries:  # chronological; retracted ones only if the Timeline shows them
            if entry.retracted:
                continue
            when = str(entry.event.when) if edtf else entry.event.when.human()
            headline = " ".join(entry.event.headline().split())  # user text: no tab or newline gets through
            out.write(f"{when}\t{headline}\n".encode())


@hookimpl
def timeline_register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register the ``headlines`` format."""
    register(HeadlinesExporter())

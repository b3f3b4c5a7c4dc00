"""A `timeline` plugin: export a Timeline as CSV for spreadsheets (format ``csv``).

One row per entry under a header row (`COLUMNS`), RFC 4180 as Python's `csv` module writes it (CRLF line
ends, fields with a delimiter, a quote or a line break in double quotes). Cells a spreadsheet would run as a
formula get a ``'`` in front unless ``safe=false`` (see `timeline_csv._cells.guard` and the README for why).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, BinaryIO

import attrs

from timeline import check_options, choice_option, flag_option, hookimpl
from timeline_csv._cells import COLUMNS, LIST_SEPARATOR, cells, guard

if TYPE_CHECKING:
    from timeline import Exporter, Timeline

__all__ = ["COLUMNS", "LIST_SEPARATOR", "CsvExporter", "guard", "timeline_register_exporters"]

_DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t"}
# Rows are encoded and written in chunks of about this many characters: memory stays flat on big timelines.
_CHUNK = 1 << 16


@attrs.frozen(kw_only=True)
class CsvExporter:
    """The ``csv`` format: one row per (not retracted) entry, UTF-8, optionally with a BOM for Excel."""

    name: str = "csv"
    media_type: str = "text/csv"
    extension: str = ".csv"
    description: str = "CSV for spreadsheets: one row per event, RFC 4180, formula-injection guard"
    options: Mapping[str, str] = attrs.field(
        factory=lambda: MappingProxyType(
            {
                "bom": "true: start with a UTF-8 byte order mark, so Excel reads UTF-8 (default false)",
                "safe": "false: do not prefix cells starting with = + - @ TAB CR with ' (default true)",
                "delimiter": "comma (default), semicolon (Excel where the decimal mark is a comma) or tab",
            }
        )
    )

    def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
        """Write `timeline` as CSV to `out`. Retracted entries are left out."""
        check_options(self, options)
        bom = flag_option(options, "bom", default=False)
        safe = flag_option(options, "safe", default=True)
        delimiter = _DELIMITERS[choice_option(options, "delimiter", tuple(_DELIMITERS))]
        if bom:
            out.write(codecs.BOM_UTF8)
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for entry in timeline.entries:
            if entry.retracted:
                continue
            row = cells(entry)
            writer.writerow([guard(cell) for cell in row] if safe else row)
            if buffer.tell() >= _CHUNK:
                out.write(buffer.getvalue().encode("utf-8"))
                buffer.seek(0)
                buffer.truncate()
        out.write(buffer.getvalue().encode("utf-8"))


@hookimpl
def timeline_register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register the ``csv`` format."""
    register(CsvExporter())

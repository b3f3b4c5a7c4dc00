"""Test data and the exporter contract, for timeline's own tests and for plugin authors.

Install with ``pip install 'timeline[testing]'`` (it needs pytest and hypothesis). What is here:

- **The exporter contract**: `ExporterContract`, a pytest class to subclass (set ``format`` and ``plugin``).
- **Events**: `occurrences` (one generator of every built-in type; hostile text by default, any value pool
  swappable), `occurrence_lists`, `plain_occurrences`, `sources`, `money`; `correct` and `retract`.
- **Dates**: `whens` (every shape of `timeline.When`) and `single_dates` (EDTF text).
- **Text**: `HOSTILE` fragments, `hostile_text`, `hostile_text_of(pieces)`, `names`, `ids`, `plain_ids`.
- **Records**: `records` (one stream), `recorded_batches` (several), `timeline_of` (folded, no store), `T0`.
- **The reference story**: `timeline.testing.story` (fixed ids and times, matching the golden exports).

For example::

    from hypothesis import given
    from timeline.testing import occurrence_lists, timeline_of

    @given(occurrence_lists)
    def test_my_exporter_survives_anything(events):
        out = io.BytesIO()
        timeline.export(timeline_of(events), "myformat", out)
        ...
"""

from timeline.testing._contract import BytesOnly, ExporterContract
from timeline.testing._dates import single_dates, whens
from timeline.testing._events import (
    KINDS,
    counts,
    money,
    occurrence_lists,
    occurrences,
    plain_occurrences,
    sources,
    sources_of,
)
from timeline.testing._records import T0, correct, recorded_batches, records, retract, timeline_of
from timeline.testing._text import HOSTILE, hostile_text, hostile_text_of, ids, names, plain_ids

__all__ = [
    "HOSTILE",
    "KINDS",
    "T0",
    "BytesOnly",
    "ExporterContract",
    "correct",
    "counts",
    "hostile_text",
    "hostile_text_of",
    "ids",
    "money",
    "names",
    "occurrence_lists",
    "occurrences",
    "plain_ids",
    "plain_occurrences",
    "recorded_batches",
    "records",
    "retract",
    "single_dates",
    "sources",
    "sources_of",
    "timeline_of",
    "whens",
]

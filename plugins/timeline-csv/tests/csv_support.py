"""Test helpers for the CSV plugin: the shared strategies of `timeline.testing`, with moderate settings.

(A uniquely named module rather than a conftest.py: the two plugin packages' tests may run in one session.)
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from timeline.testing import T0, occurrence_lists, occurrences, records, timeline_of, whens

__all__ = ["SETTINGS", "T0", "occurrence_lists", "occurrences", "records", "timeline_of", "whens"]

#: Moderate example counts (the machine is shared) and no deadline (it is noisy).
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

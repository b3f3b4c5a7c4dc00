"""The public surface (design §4): every name there, documented, and nothing private re-exported."""

from __future__ import annotations

import inspect

import attrs

import timeline

DESIGN_NAMES = {
    "open_store", "from_json", "to_json", "When", "Timeline", "export", "hookimpl", "ANY", "NO_STREAM",
    "Invocation", "Transfer", "Payment", "Meeting", "Statement", "Correction", "Retraction",
    "Money", "Quantity", "Source", "ValidationError", "ConcurrencyError", "TimelineError", "Recorded",
}  # fmt: skip


def test_design_names_are_exported() -> None:
    assert set(timeline.__all__) >= DESIGN_NAMES
    for name in timeline.__all__:
        assert hasattr(timeline, name), name


def test_every_public_class_and_function_has_a_docstring() -> None:
    undocumented = []
    for name in timeline.__all__:
        obj = getattr(timeline, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        if not (obj.__doc__ or "").strip():
            undocumented.append(name)
        if inspect.isclass(obj):
            for member, value in vars(obj).items():
                if member.startswith("_") or not (inspect.isfunction(value) or isinstance(value, property)):
                    continue
                if not (value.__doc__ or "").strip():
                    undocumented.append(f"{name}.{member}")
    assert undocumented == []


def test_entry_exposes_the_design_fields() -> None:
    fields = {"id", "event", "revision", "first_recorded", "last_changed", "history", "retracted"}
    assert {a.name for a in attrs.fields(timeline.Entry)} >= fields


def test_errors_share_one_base() -> None:
    assert issubclass(timeline.ValidationError, timeline.TimelineError)
    assert issubclass(timeline.ConcurrencyError, timeline.TimelineError)
    assert issubclass(timeline.StoreError, timeline.TimelineError)

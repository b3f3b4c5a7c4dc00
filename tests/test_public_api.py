"""The public surface: `import timeline` gives every documented name, the supported submodules are listed in
the package docstring, and a plugin author needs nothing else."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import attrs

import timeline

PUBLIC_NAMES = {
    "open_store", "from_json", "to_json", "When", "Timeline", "export", "export_to_path", "ANY", "NO_STREAM",
    "Invocation", "Transfer", "Payment", "Meeting", "Statement", "Happening", "Correction", "Retraction",
    "Money", "Quantity", "Source", "ValidationError", "ConcurrencyError", "TimelineError", "Recorded",
}  # fmt: skip
#: What a plugin author needs, all from `import timeline`.
PLUGIN_AUTHOR_NAMES = {
    "hookimpl", "Exporter", "check_options", "flag_option", "choice_option", "Entry", "Timeline", "Recorded",
}  # fmt: skip
SUPPORTED_SUBMODULES = (
    "timeline.plugins",
    "timeline.hookspecs",
    "timeline.testing",
    "timeline.serve",
    "timeline.cli",
    "timeline.facts",
    "timeline.snapshots",
)


def test_public_names_are_exported() -> None:
    assert set(timeline.__all__) >= PUBLIC_NAMES | PLUGIN_AUTHOR_NAMES
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


def test_the_supported_submodules_are_listed_in_the_package_docstring() -> None:
    doc = timeline.__doc__ or ""
    listed = re.findall(r"^- `(timeline\.[a-z_.]+)`", doc, flags=re.M)
    assert tuple(listed) == SUPPORTED_SUBMODULES
    for name in listed:
        assert (importlib.import_module(name).__doc__ or "").strip(), name


def test_hookimpl_has_one_public_spelling() -> None:
    from timeline import hookspecs
    from timeline.exporters import base

    assert timeline.hookimpl is hookspecs.hookimpl
    assert not hasattr(base, "hookimpl")  # the exporter contract no longer re-exports it


def test_plugin_packages_readme_and_examples_import_only_the_public_surface() -> None:
    allowed = {"timeline", *SUPPORTED_SUBMODULES}
    root = Path(__file__).resolve().parents[1]
    files = [root / "README.md", *root.glob("examples/*.py"), *root.glob("plugins/*/src/**/*.py")]
    files += [*root.glob("plugins/*/tests/*.py"), *root.glob("plugins/*/README.md")]
    found = {
        (path.relative_to(root).as_posix(), module)
        for path in files
        for module in re.findall(r"^\s*(?:from|import) (timeline(?:\.[a-z_.]+)?)\b", path.read_text(), re.M)
    }
    assert {(path, module) for path, module in found if module not in allowed} == set()

"""The documentation's generators and checks (docs/_ext): every event field described, the command line
reference complete, and the offline link check able to tell a broken link. The site itself is built, with
warnings as errors, and its examples run, by ./dev test."""

from __future__ import annotations

import argparse
import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import attrs
import pytest

from timeline.events import BUILTIN_EVENT_TYPES, Occurrence

EXT = Path(__file__).parent.parent / "docs" / "_ext"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXT / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


timeline_docs = _load("timeline_docs")
check_links = _load("check_links")


@pytest.mark.parametrize("cls", [*BUILTIN_EVENT_TYPES, *timeline_docs.VALUE_TYPES], ids=lambda c: c.__name__)
def test_every_field_of_every_event_and_value_type_is_documented(cls: type[Any]) -> None:
    assert timeline_docs.undocumented_fields(cls) == [], (
        f"describe these fields of {cls.__name__} in a 'Fields:' list of its docstring (or its base's)"
    )


@attrs.frozen(kw_only=True)
class _Rally(Occurrence):
    """A rally.

    Fields:
        crowd: How many came,
            as reported.
        when: Overridden here.
    """

    TYPE: ClassVar[str] = "docs-test-rally"
    crowd: int = 0
    banner: str = ""


def test_field_docs_read_continuation_lines_and_prefer_the_nearest_class() -> None:
    docs = timeline_docs.field_docs(_Rally)
    assert docs["crowd"] == "How many came, as reported."
    assert docs["when"] == "Overridden here."
    assert docs["title"].startswith("A headline")  # inherited from Event's list


def test_an_undocumented_field_is_reported() -> None:
    assert timeline_docs.undocumented_fields(_Rally) == ["banner"]


def test_the_events_page_has_a_section_and_a_row_per_field_for_each_type() -> None:
    page = timeline_docs.events_markdown()
    for cls in BUILTIN_EVENT_TYPES:
        assert f"(event-{cls.TYPE})=\n## `{cls.TYPE}`" in page
        for field in attrs.fields(cls):
            assert f"| `{field.name}` |" in page


def test_the_cli_reference_has_every_command_and_option() -> None:
    parser = timeline_docs.command_line_parser()
    page = timeline_docs.cli_markdown(parser)
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert commands.choices
    for name, sub in commands.choices.items():
        assert f"## `timeline {name}`" in page
        for action in sub._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in page, (name, option)


def _site(tmp_path: Path, pages: dict[str, str]) -> Path:
    for name, body in pages.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return tmp_path


def test_link_check_accepts_links_that_reach_a_page_and_an_id(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        {
            "index.html": '<a href="guide/stores.html#choosing">x</a><a href="#top">y</a><p id="top"></p>'
            '<a href="https://example.org/missing">external</a><a href="guide/">folder</a>',
            "guide/stores.html": '<h2 id="choosing">Choosing</h2><a href="../index.html">up</a>',
            "guide/index.html": "",
        },
    )
    assert check_links.broken_links(site) == []


def test_link_check_reports_a_missing_page_and_a_missing_id(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        {
            "index.html": '<a href="gone.html">x</a><a href="other.html#nowhere">y</a><a href="#self">z</a>',
            "other.html": '<p id="somewhere"></p>',
        },
    )
    assert check_links.broken_links(site) == [
        "index.html: gone.html (no such file)",
        "index.html: other.html#nowhere (no id 'nowhere' there)",
        "index.html: #self (no id 'self' there)",
    ]


def test_the_readme_links_reach_files_of_the_repository() -> None:
    root = EXT.parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme)
    local = [t for t in targets if "://" not in t]
    assert any(t.startswith("docs/") for t in local)
    missing = [t for t in local if not (root / t).exists()]
    assert missing == []


def test_every_installed_export_format_has_a_page() -> None:
    from timeline import plugins

    pages = EXT.parent / "exports"
    toctree = (pages / "index.md").read_text(encoding="utf-8")
    for name in plugins.exporters():
        assert (pages / f"{name}.md").is_file(), f"docs/exports/{name}.md: document the {name!r} format"
        assert f"\n{name}\n" in toctree, f"docs/exports/index.md: list {name} in the toctree"

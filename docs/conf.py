"""Sphinx configuration of the timeline documentation (Markdown pages through MyST)."""

from __future__ import annotations

import doctest
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

project = "timeline"
author = "the timeline authors"
copyright = "2026, the timeline authors"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "timeline_docs",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_generated", "**/_story.md"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "timeline"

# Backticks in docstrings name Python objects: a link when the name resolves, code otherwise (_ext).
default_role = "py:obj"
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"show-inheritance": True}

nitpicky = True
# No intersphinx (no network at build time): names from the standard library and from third-party packages
# cannot be linked, so they are not references to check. Our own names always are.
nitpick_ignore_regex = [
    (r"py:.*", r"(abc|datetime|decimal|typing|collections|pathlib|os|io|enum|types|argparse|uuid|re)(\..*)?"),
    (r"py:.*", r"(pluggy|hypothesis|icalendar|psycopg|attrs|attr|cattrs)(\..*)?"),
    # psycopg's types, as src/timeline/store/postgres.py imports them for annotations
    (r"py:class", r"(Connection|Cursor|TupleRow)"),
    (r"py:.*", r"(date|datetime|timedelta|Decimal|BinaryIO|TextIO|Path|Any|Self|T)"),
    # hypothesis.strategies, as src/timeline/testing imports it: `import hypothesis.strategies as st`
    (r"py:.*", r"st\..*"),
]

# The doctests run from the repository root, so that pages can open examples/story.jsonl as a reader would.
# Exception messages are checked too (Sphinx ignores their detail by default); tabs and line ends are not.
doctest_default_flags = doctest.ELLIPSIS | doctest.DONT_ACCEPT_TRUE_FOR_1 | doctest.NORMALIZE_WHITESPACE
doctest_global_setup = f"""
import os
os.chdir({str(ROOT)!r})
"""

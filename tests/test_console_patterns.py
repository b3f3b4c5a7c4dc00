"""The console script's compiled-pattern cache (`_timeline_console._patterns`, issue 11's start-up): a pattern
from the cache is the pattern ``re`` compiles (same code, flags and groups), a damaged or foreign cache file
or entry is never trusted, and errors and debug output are re's own.

``re.Pattern.__eq__`` compares the compiled code, so equality here means the engine runs the same program.
"""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _timeline_console import _patterns

ORIGINAL: Any = sys.modules["re._compiler"].compile

#: Patterns of the kinds the command's modules compile: groups named and not, classes, verbose, bytes.
PATTERNS: list[tuple[str | bytes, int]] = [
    (r"(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?", re.VERBOSE | re.MULTILINE | re.DOTALL),
    (r'(.*?)(["\\\x00-\x1f])', re.VERBOSE | re.MULTILINE | re.DOTALL),
    (r"(?P<year>-?[0-9]{4})(?:-(?P<month>[0-9]{2}))?(?P<q>[~?%])?", 0),
    (r"[^\W\d_]+|\s*(?#comment)x{2,5}?", re.IGNORECASE),
    (r"(a)|(?P<b>b)(?(1)c|d)", 0),
    (
        "(?P<WHITESPACES>[ \\t]+)   | # spaces\n (?P<NUMBER>[0-9]+\\b) | # numbers\n (?P<NAME>n\\b)",
        re.VERBOSE,
    ),
    (b"[\x80-\xff]+", 0),
    (rb"(?i)caf\xc3\xa9", 0),
    (r"^(?:\w+\.)*\w+$", re.ASCII),
]


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty cache in this process, its file under `tmp_path`, and no writer at exit."""
    monkeypatch.setattr(_patterns, "_cache", {})
    monkeypatch.setattr(_patterns, "_used", {})
    monkeypatch.setattr(_patterns, "_dirty", True)  # no atexit writer from a test
    monkeypatch.setattr(_patterns, "_original", ORIGINAL)
    path = tmp_path / "compiled-patterns.marshal"
    monkeypatch.setattr(_patterns, "cache_path", lambda: str(path))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return path


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS)
def test_a_pattern_made_from_the_cache_is_the_one_re_compiles(
    fresh: Path, pattern: str | bytes, flags: int
) -> None:
    expected = ORIGINAL(pattern, flags)
    computed = _patterns.compile_cached(pattern, flags)  # a miss: computed and kept
    cached = _patterns.compile_cached(pattern, flags)  # a hit
    assert computed == cached == expected
    assert cached.groupindex == expected.groupindex
    assert cached.groups == expected.groups
    assert cached.flags == expected.flags
    assert cached.pattern == pattern


_ATOMS = st.sampled_from(
    ["a", "b", ".", r"\d", r"\w", r"\s", "[a-c]", "[^x]", "(", ")", "(?:", "(?P<n>", "|", "*", "+", "?",
     "{2,3}", "^", "$", r"\b", "é", "ä+", "(?=a)", "(?!b)", "\\"]
)  # fmt: skip


@given(parts=st.lists(_ATOMS, max_size=12), flags=st.sampled_from([0, re.IGNORECASE, re.ASCII, re.DOTALL]))
def test_any_pattern_or_error_is_the_same_as_res(parts: list[str], flags: int) -> None:
    pattern = "".join(parts)
    try:
        expected = ORIGINAL(pattern, flags)
    except re.error as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        with pytest.raises(re.error) as raised:
            _patterns._computed(pattern, flags)
        assert str(raised.value) == message
        return
    entry = _patterns._computed(pattern, flags)
    made = _patterns._sre.compile(pattern, entry[0], entry[1], entry[2], dict(entry[3]), entry[4])
    assert made == expected
    assert made.groupindex == expected.groupindex
    # What is kept can be written: marshal refuses the int subclasses re's opcodes are.
    assert marshal.loads(marshal.dumps(entry)) == entry


def test_the_cache_file_is_written_and_read_back(fresh: Path) -> None:
    for pattern, flags in PATTERNS:
        _patterns.compile_cached(pattern, flags)
    _patterns._save()
    assert fresh.is_file()
    loaded = _patterns._load()
    assert set(loaded) == {(p, int(f)) for p, f in PATTERNS}


def test_a_hit_does_not_parse(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pattern, flags = PATTERNS[2]
    _patterns.compile_cached(pattern, flags)

    class Refusing:
        @staticmethod
        def parse(*args: object) -> None:
            raise AssertionError("parsed again")

    monkeypatch.setattr(_patterns, "_parser", Refusing)
    assert _patterns.compile_cached(pattern, flags) == ORIGINAL(pattern, flags)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not marshal at all",
        marshal.dumps(("timeline compiled patterns 1", "another python", 0, "x"))[:-3],
        marshal.dumps((("an older header",), {("a", 0): (0, [1], 0, {}, (None,))})),
        marshal.dumps((_patterns._HEADER, ["not", "a", "dict"])),
    ],
)
def test_a_damaged_or_foreign_file_is_read_as_empty(fresh: Path, content: bytes) -> None:
    fresh.write_bytes(content)
    assert _patterns._load() == {}


def test_a_corrupt_entry_is_computed_again(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pattern, flags = PATTERNS[2]
    monkeypatch.setitem(_patterns._cache, (pattern, flags), (0, [99999, 1, 2], 0, {}, (None,)))
    assert _patterns.compile_cached(pattern, flags) == ORIGINAL(pattern, flags)
    assert _patterns._cache[(pattern, flags)] == _patterns._computed(pattern, flags)


def test_a_bad_pattern_raises_res_error(fresh: Path) -> None:
    with pytest.raises(re.error, match="missing \\), unterminated subpattern"):
        _patterns.compile_cached("(a", 0)


def test_debug_output_is_res_own(fresh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _patterns.compile_cached("ab+", re.DEBUG)
    assert "MAX_REPEAT" in capsys.readouterr().out
    assert _patterns._cache == {}


def test_nothing_is_written_without_bytecode(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _patterns.compile_cached("xy*", 0)
    _patterns._save()
    assert not fresh.exists()


def test_the_console_script_writes_the_cache_and_a_later_run_parses_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pycache")
    count_parses = (
        "import re._parser as parser\n"
        "from _timeline_console import _patterns\n"
        "_patterns.install()\n"
        "parses = []\n"
        "original = parser.parse\n"
        "parser.parse = lambda *args: parses.append(args) or original(*args)\n"
        "import timeline.cli\n"
        "print(len(parses))\n"
    )

    def run(code: str, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    before = int(run(count_parses))
    assert before >= 5  # json's, gettext's, the EDTF grammar, ...
    script = "import sys\nfrom _timeline_console import main\nsys.exit(main())\n"
    assert run(script, "--version").startswith("timeline ")
    (written,) = (tmp_path / "pycache").rglob("compiled-patterns.*.marshal")
    header, entries = marshal.loads(written.read_bytes())
    assert header == _patterns._HEADER
    assert len(entries) >= before
    assert int(run(count_parses)) == 0

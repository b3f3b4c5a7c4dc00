"""The compiled-code cache of generated source (timeline._code_cache, issue 11's start-up).

Each run-to-run test runs fresh interpreters with their own bytecode folder (``PYTHONPYCACHEPREFIX``) and
looks at what they did; no timing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import CodeType

import pytest

from timeline import _code_cache

#: Makes and uses the built-in classes (their __init__, validators, __eq__, __hash__, __repr__ and the fast
#: decoder) and some of attrs's own, then reports whether the run compiled anything new and what __hash__
#: holds.
_USE = """
import json, timeline
from timeline import _code_cache
from timeline.codec import from_json, to_json
from timeline.values import Money
a = timeline.Statement(id="s1", when=timeline.When.parse("2025-03"), by="A", text="said")
b = from_json(to_json(a))
assert a == b and hash(a) == hash(b) and repr(a) == repr(b), (a, b)
assert a != timeline.Statement(id="s2", when=a.when, by="A", text="said")
try:
    timeline.Statement(id="s3", when=a.when, by="", text="x")
except timeline.ValidationError as exc:
    assert exc.path == "by"
else:
    raise AssertionError("validator not run")
import attrs, builtins, types
assert isinstance(builtins.compile, types.BuiltinFunctionType)  # given back once attrs was imported
check = attrs.validators.instance_of(int)  # one of attrs's own classes, made as attrs was imported
assert check == attrs.validators.instance_of(int) and "int" in repr(check)
assert hash(attrs.fields(Money)[0]) == hash(attrs.fields(Money)[0])
hashed = hash("<attrs generated hash timeline.values.Money>")
consts = Money.__hash__.__code__.co_consts
print(json.dumps({"dirty": _code_cache._dirty, "hash_in_code": hashed in consts,
                  "stand_in_in_code": _code_cache._STAND_IN in consts, "path": _code_cache.cache_path()}))
"""


def _run(prefix: Path, *, write: bool = True) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    done = subprocess.run([sys.executable, "-c", _USE], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_a_second_run_compiles_nothing_and_its_classes_still_work(tmp_path: Path) -> None:
    first = _run(tmp_path)
    assert first["dirty"] is True
    assert Path(str(first["path"])).is_file()
    assert str(first["path"]).startswith(str(tmp_path))
    second = _run(tmp_path)
    assert second["dirty"] is False  # every class and decoder came from the file
    assert second["hash_in_code"] is True  # this run's hash of the name, put back
    assert second["stand_in_in_code"] is False


def test_a_corrupt_or_foreign_file_is_compiled_again_and_replaced(tmp_path: Path) -> None:
    path = Path(str(_run(tmp_path)["path"]))
    for garbage in (b"", b"\x00garbage", path.read_bytes()[:100]):
        path.write_bytes(garbage)
        assert _run(tmp_path)["dirty"] is True
        assert _run(tmp_path)["dirty"] is False


def test_attrs_imported_first_still_works(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path)
    code = "import attrs\n" + _USE
    for _ in range(2):
        command = [sys.executable, "-c", code]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["dirty"] is False  # timeline's classes still cached


def test_nothing_is_written_when_bytecode_is_not(tmp_path: Path) -> None:
    report = _run(tmp_path, write=False)
    assert report["dirty"] is True
    assert not Path(str(report["path"])).exists()


@pytest.fixture
def empty_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_code_cache, "_cache", {})
    monkeypatch.setattr(_code_cache, "_used", {})
    monkeypatch.setattr(_code_cache, "_dirty", True)  # no atexit writer from a test


def _run_code(code: CodeType) -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(code, namespace)
    return namespace


@pytest.mark.usefixtures("empty_cache")
def test_a_changed_source_under_the_same_name_is_compiled_again() -> None:
    first = _code_cache.compile_cached("x = 1\n", "<test generated x>", "exec")
    again = _code_cache.compile_cached("x = 1\n", "<test generated x>", "exec")
    changed = _code_cache.compile_cached("x = 2\n", "<test generated x>", "exec")
    assert again is first
    assert _run_code(first)["x"] == 1
    assert _run_code(changed)["x"] == 2


@pytest.mark.usefixtures("empty_cache")
def test_the_varying_number_is_put_back_in_nested_functions() -> None:
    source = "def outer():\n    def inner():\n        return (12345678901234, 1)\n    return inner()\n"
    for number in (12345678901234, -98765432109876):
        code = _code_cache.compile_cached(
            source.replace("12345678901234", str(number)), "<test generated h>", "exec", varying=number
        )
        outer = _run_code(code)["outer"]
        assert callable(outer)
        assert outer() == (number, 1)
    assert len(_code_cache._cache or {}) == 1  # one entry for both: the number is not part of it

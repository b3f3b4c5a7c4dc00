"""Fuzzing the JSON Lines reader through the command line, in-process (issue 9).

Whatever `timeline append` is fed (random bytes, random JSON, event-shaped objects with a field broken), it
exits 0 or 2, writes no traceback, and leaves the store as it was when it exits 2. The cases tried are counted
and printed (`pytest -s`); TIMELINE_FUZZ_EXAMPLES sets how many (default 300 per strategy).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import events
from timeline import from_json, open_store, to_json
from timeline.cli import main

EXAMPLES = int(os.environ.get("TIMELINE_FUZZ_EXAMPLES", "300"))

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["6000000 USD", "2025-04-14", "1E+9999999", "payment", "", "\ufeff", "²"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def event_shaped(draw: st.DrawFn) -> bytes:
    """A valid event's JSON with one field replaced, removed or added, or its text cut or repeated."""
    data: dict[str, Any] = to_json(draw(events()))
    how = draw(st.sampled_from(["replace", "remove", "add", "nested", "cut", "duplicate", "keep"]))
    keys = sorted(data)
    if how == "replace":
        data[draw(st.sampled_from(keys))] = draw(json_values)
    elif how == "remove":
        del data[draw(st.sampled_from(keys))]
    elif how == "add":
        data[draw(st.text(max_size=10))] = draw(json_values)
    elif how == "nested":
        key = draw(st.sampled_from([k for k in keys if isinstance(data[k], (dict, list))] or keys))
        value = data[key]
        if isinstance(value, dict) and value:
            value[draw(st.sampled_from(sorted(value)))] = draw(json_values)
        elif isinstance(value, list) and value:
            value[0] = draw(json_values)
        else:
            data[key] = draw(json_values)
    text = json.dumps(data, ensure_ascii=draw(st.booleans()))
    if how == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif how == "duplicate":
        key = draw(st.sampled_from(keys))
        text = text[:-1] + f", {json.dumps(key)}: {json.dumps(draw(json_values))}" + "}"
    return text.encode("utf-8", "surrogatepass")


lines = st.one_of(
    st.binary(max_size=60),
    json_values.map(lambda v: json.dumps(v).encode()),
    event_shaped(),
    event_shaped(),
)
files = st.tuples(st.lists(lines, min_size=0, max_size=5), st.booleans()).map(
    lambda pair: (b"\xef\xbb\xbf" if pair[1] else b"") + b"\n".join(pair[0])
)


def test_fuzzed_append_exits_0_or_2_without_traceback_and_keeps_the_store(tmp_path: Path) -> None:
    db = str(tmp_path / "fuzz.db")
    source = tmp_path / "in.jsonl"
    open_store(db).close()
    outcomes: Counter[str] = Counter()

    @settings(max_examples=EXAMPLES, suppress_health_check=list(HealthCheck), database=None)
    @given(content=files)
    def append_once(content: bytes) -> None:
        source.write_bytes(content)
        with open_store(db) as store:
            before = store.head()
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                code = main(["--store", db, "append", "fuzz", str(source)])
            except BaseException as exc:  # a traceback: count it and fail with the input
                outcomes["traceback"] += 1
                raise AssertionError(f"{type(exc).__name__}: {exc} for {content!r}") from exc
        outcomes[f"exit {code}"] += 1
        assert code in (0, 2), (code, err.getvalue(), content)
        assert "Traceback" not in err.getvalue()
        with open_store(db) as store:
            after = store.head()
        if code == 2:
            assert after == before, content
            assert err.getvalue().startswith("timeline: "), err.getvalue()
        else:
            assert after >= before

    append_once()
    tried = sum(outcomes.values())
    print(f"\nJSON Lines fuzz: {tried} cases, {dict(outcomes)}")
    assert outcomes["traceback"] == 0
    assert tried >= EXAMPLES // 2
    assert outcomes["exit 2"] > 0  # the strategies do reach the refusals


def test_fuzz_strategies_also_reach_success() -> None:
    """The event-shaped strategy keeps some inputs valid, so success paths are fuzzed too."""
    seen: Counter[bool] = Counter()

    @settings(max_examples=60, database=None)
    @given(content=event_shaped())
    def check(content: bytes) -> None:
        try:
            from_json(json.loads(content))
            seen[True] += 1
        except Exception:
            seen[False] += 1

    check()
    assert seen[True] > 0
    assert seen[False] > 0

"""A script run again builds typed events only for what changed: the CLI's checks read the stored form."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import timeline.projections.entry as entry_module
from timeline.cli import main
from timeline.projections import _lazy

STORY = Path(__file__).parent.parent / "examples" / "story.jsonl"


def _count_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    built: list[int] = []
    real = _lazy.build

    def counting(value: Any, position: int) -> Any:
        built.append(position)
        return real(value, position)

    monkeypatch.setattr(entry_module, "build", counting)
    return built


@pytest.mark.parametrize("format_name", ["json", "markdown", "ical"])
def test_a_second_export_builds_only_the_corrected_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, format_name: str
) -> None:
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(tmp_path / "cache"))
    store, out = str(tmp_path / "t.db"), tmp_path / f"feed.{format_name}"
    assert main(["--store", store, "append", "story", str(STORY)]) == 0
    assert main(["--store", store, "export", format_name, "-o", str(out)]) == 0
    first_id = json.loads(STORY.read_text(encoding="utf-8").splitlines()[0])["id"]
    correction = tmp_path / "fix.jsonl"
    correction.write_text(
        json.dumps(
            {
                "type": "correction",
                "id": "fix-1",
                "target": first_id,
                "reason": "typo",
                "changes": {"title": "A corrected title"},
            }
        )
        + "\n",
        encoding="utf-8",
    )
    assert main(["--store", store, "append", "story", str(correction)]) == 0
    built = _count_builds(monkeypatch)
    assert main(["--store", store, "export", format_name, "-o", str(out)]) == 0
    lines = STORY.read_text(encoding="utf-8").splitlines()
    assert len(built) <= 2 < len(lines)  # the corrected entry (its original and effective event), no more
    cold = tmp_path / f"cold.{format_name}"
    monkeypatch.setenv("TIMELINE_CACHE_DIR", "off")
    assert main(["--store", store, "export", format_name, "-o", str(cold)]) == 0
    assert out.read_bytes() == cold.read_bytes()

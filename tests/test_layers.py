"""The seams between layers (issue 8): the event-type loader slot, generated code in linecache, one home for
the atomic file write."""

from __future__ import annotations

import linecache
import os
import stat
import traceback
from pathlib import Path
from typing import BinaryIO

import attrs
import pytest

from timeline import _fastcodec, events
from timeline._files import write_atomically
from timeline.codec import event_class
from timeline.errors import ValidationError
from timeline.events import EVENT_TYPES, Occurrence, find_event_type, set_type_loader


@attrs.frozen(kw_only=True)
class _Late(Occurrence):
    TYPE = "late-arrival"
    text: str


def test_a_miss_asks_the_type_loader_which_may_register_the_type(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def loader() -> None:
        calls.append("load")
        EVENT_TYPES.setdefault(_Late.TYPE, _Late)

    monkeypatch.setattr(events, "_type_loader", None)
    monkeypatch.delitem(EVENT_TYPES, _Late.TYPE, raising=False)
    assert find_event_type(_Late.TYPE) is None
    set_type_loader(loader)
    assert event_class("late-arrival") is _Late
    assert calls == ["load"]
    assert event_class("late-arrival") is _Late
    assert calls == ["load"]
    with pytest.raises(ValidationError, match="unknown event type"):
        event_class("never-heard-of")
    assert calls == ["load", "load"]
    monkeypatch.delitem(EVENT_TYPES, _Late.TYPE)


def test_the_plugin_manager_is_the_default_type_loader() -> None:
    import timeline.plugins

    # Set by `import timeline` (which every timeline import runs first), loading the plugins on a miss only.
    assert events._type_loader is not None
    assert events._type_loader() is timeline.plugins.get_plugin_manager()


def test_generated_decoders_show_their_source_in_a_traceback() -> None:
    decode = _fastcodec.decoder(_Late)
    assert decode is not None
    with pytest.raises(KeyError) as info:
        decode({"text": "x", "when": "2025", "colour": "red"})
    frame = traceback.extract_tb(info.value.__traceback__)[-1]
    assert frame.filename.startswith("<timeline generated decode _Late")
    assert frame.lineno is not None
    assert "raise KeyError" in linecache.getline(frame.filename, frame.lineno)
    assert "raise KeyError" in "".join(traceback.format_exception(info.value))
    encode = _fastcodec.encoder(_Late)
    assert encode is not None
    assert encode.__code__.co_filename != frame.filename


def test_write_atomically_keeps_the_mode_and_leaves_the_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "feed.ics"
    target.write_bytes(b"old")
    target.chmod(0o640)

    def new(out: BinaryIO) -> None:
        out.write(b"new")

    write_atomically(target, new)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640

    def failing(out: object) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, failing)
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.ics"]

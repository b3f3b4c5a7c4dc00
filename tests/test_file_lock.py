"""`timeline._files.locked`: the one advisory lock the checkpoint files and the render cache take."""

from __future__ import annotations

import stat
from typing import TYPE_CHECKING

from timeline._files import locked

if TYPE_CHECKING:
    from pathlib import Path


def test_a_held_lock_is_refused_without_waiting_and_free_again_after(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    with locked(path) as taken:
        assert taken
        with locked(path, wait=False) as again:  # another open file: flock refuses it
            assert not again
    with locked(path, wait=False) as free:
        assert free


def test_the_lock_file_is_made_with_the_mode_asked(tmp_path: Path) -> None:
    path = tmp_path / "private.lock"
    with locked(path, wait=False, mode=0o600):
        pass
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0

"""The exceptions of `timeline`: one base, so callers can catch everything we raise on purpose."""

from __future__ import annotations

from typing import Any


class TimelineError(Exception):
    """Base of every error `timeline` raises on purpose."""


class ValidationError(TimelineError, ValueError):
    """Bad input: the message names the field path (and the line, when reading a file)."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.path:
            where.append(self.path)
        prefix = ": ".join(where)
        return f"{prefix}: {self.reason}" if prefix else self.reason

    def at_line(self, line: int) -> ValidationError:
        """A copy of this error that names the input line."""
        return ValidationError(self.reason, path=self.path, line=line)

    def under(self, prefix: str) -> ValidationError:
        """A copy of this error whose path is nested under `prefix`."""
        path = f"{prefix}.{self.path}" if self.path and not self.path.startswith("[") else prefix + self.path
        return ValidationError(self.reason, path=path, line=self.line)


class DuplicateEventError(ValidationError):
    """An event id that is already stored with other content (or in another stream)."""


class ConcurrencyError(TimelineError):
    """The stream's version is not the one the caller expected."""

    def __init__(self, stream: str, expected: Any, actual: int) -> None:
        self.stream = stream
        self.expected = expected
        self.actual = actual
        super().__init__(f"stream {stream!r}: expected version {expected}, actual version {actual}")


class StoreError(TimelineError):
    """The store cannot do its job (cannot be opened, the server went away, ...)."""


class OutputError(TimelineError):
    """An export cannot be written to its path (no such folder, a folder, no permission, a full disk)."""

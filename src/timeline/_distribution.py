"""The name this library is installed under, and its version."""

from __future__ import annotations

#: The name on the package index: ``timeline`` there is another project. The import package and the command
#: stay ``timeline``.
DISTRIBUTION = "timeline-core"


def version() -> str:
    """The installed version (``0+unknown`` when run from a source tree that is not installed)."""
    from importlib import metadata  # here: importing it costs more than most commands (asked by --version)

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"

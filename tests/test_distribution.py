"""The distribution name (issue 10): `timeline` on the package index is another project, so this one installs
as `timeline-core`, keeping the import package and the command `timeline`."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

from timeline._distribution import DISTRIBUTION, version

ROOT = Path(__file__).parent.parent


def _project(path: Path) -> dict[str, object]:
    project: dict[str, object] = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    return project


def test_the_distribution_is_timeline_core_and_the_command_timeline() -> None:
    project = _project(ROOT / "pyproject.toml")
    assert project["name"] == DISTRIBUTION == "timeline-core"
    assert project["scripts"] == {"timeline": "_timeline_console:main"}
    assert version() == importlib.metadata.version("timeline-core")


def test_plugins_depend_on_the_new_name() -> None:
    for pyproject in sorted(ROOT.glob("plugins/*/pyproject.toml")):
        dependencies = _project(pyproject)["dependencies"]
        assert isinstance(dependencies, list)
        names = [re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0] for d in dependencies]
        assert "timeline-core" in names, pyproject
        assert "timeline" not in names, pyproject
        extras = _project(pyproject).get("optional-dependencies", {})
        assert isinstance(extras, dict)
        for requirement in (r for group in extras.values() for r in group):
            assert not re.match(r"timeline[\[<>=! ]", requirement), (pyproject, requirement)


def test_install_lines_use_the_new_name() -> None:
    texts = [p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *ROOT.glob("plugins/*/README.md")]]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "src" / "timeline").rglob("*.py")]
    for text in texts:
        assert not re.search(r"pip install '?timeline[\[ '\n]", text)
        assert '"timeline>=' not in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install 'timeline-core[postgres]'" in readme
    assert 'dependencies = ["timeline-core>=0.1"]' in readme

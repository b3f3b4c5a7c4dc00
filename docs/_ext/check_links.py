"""Check the links between the pages of the built HTML site, offline: every relative link must reach a file,
and every ``#fragment`` an element with that id. External links (with a scheme) are not followed.

Usage: ``python docs/_ext/check_links.py docs/_build/html`` (exit status 1, and one line per broken link).
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    """The ids a page defines and the links it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name"):
                self.ids.add(value)
            elif (tag, name) in {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src")}:
                self.links.append(value)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def broken_links(site: Path) -> list[str]:
    """One line per link of `site`'s pages that reaches no file or no id: ``page: link (why)``."""
    site = site.resolve()
    pages = {path: _parse(path) for path in sorted(site.rglob("*.html"))}
    broken = []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("mailto:"):
                continue  # external: not checked offline
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path.resolve()
            if target.is_dir():
                target = target / "index.html"
            where = path.relative_to(site)
            if not target.is_file():
                broken.append(f"{where}: {link} (no such file)")
                continue
            if parts.fragment and target in pages:
                ids = pages[target].ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{where}: {link} (no id {parts.fragment!r} there)")
    return broken


def main(argv: list[str]) -> int:
    """Print the broken links of the site in ``argv[0]``; 1 if there is any, else 0."""
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: check_links.py BUILT_HTML_FOLDER", file=sys.stderr)
        return 2
    broken = broken_links(Path(argv[0]))
    for line in broken:
        print(f"broken link: {line}", file=sys.stderr)
    pages = len(list(Path(argv[0]).rglob("*.html")))
    print(f"check_links: {pages} pages, {len(broken)} broken links")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A `timeline` plugin: export a Timeline as one self-contained HTML page (format ``html``).

The page needs nothing from elsewhere (inline stylesheet and script, no fonts or images; a strict
Content-Security-Policy says so to the browser), is complete without JavaScript, and reads well on a phone,
in print and in a dark colour scheme. Every text from the events is escaped. See the README for the layout.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, BinaryIO

import attrs

from timeline import ValidationError, check_options, choice_option, hookimpl

if TYPE_CHECKING:
    from timeline import Exporter, Timeline

__all__ = ["DEFAULT_THEME", "HtmlExporter", "content_security_policy", "timeline_register_exporters"]

#: The theme colour unless the ``theme`` option says otherwise.
DEFAULT_THEME = "#2563eb"
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# BCP 47 in outline: a 2-3 letter language (or 4-8 letters), then subtags of 1-8 letters or digits.
_LANG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")


def content_security_policy(style: str) -> str:
    """The page's Content-Security-Policy for `style` (its stylesheet): nothing from anywhere, only that
    stylesheet and the filter script, by hash; no base, no form target."""
    from timeline_html._page import content_security_policy as policy

    return policy(style)


def _theme(options: Mapping[str, str]) -> str:
    text = options.get("theme", DEFAULT_THEME)
    if not _HEX.fullmatch(text):
        raise ValidationError(f"{text!r} is not a hex colour such as #2563eb or #25e", path="options.theme")
    digits = text[1:].lower()
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)


def _lang(options: Mapping[str, str]) -> str:
    text = options.get("lang", "en")
    if not _LANG.fullmatch(text):
        raise ValidationError(f"{text!r} is not a language tag such as en or pt-BR", path="options.lang")
    return text


@attrs.frozen(kw_only=True)
class HtmlExporter:
    """The ``html`` format: one self-contained, accessible page (``text/html``)."""

    name: str = "html"
    media_type: str = "text/html; charset=utf-8"
    extension: str = ".html"
    description: str = "one self-contained HTML page: a vertical timeline by year and month, for people"
    options: Mapping[str, str] = attrs.field(
        factory=lambda: MappingProxyType(
            {
                "title": "the page's title; default: the stream name, or 'Timeline'",
                "lang": "the language of the event texts, a BCP 47 tag (default en)",
                "retracted": "hide (default): leave retracted entries out; show: list them under 'Retracted'",
                "theme": f"the colour of the rule, dots and bars: #rgb or #rrggbb (default {DEFAULT_THEME})",
            }
        )
    )

    def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
        """Write the page to `out` (UTF-8), a year of entries at a time. Same timeline, same bytes."""
        check_options(self, options)
        from timeline_html._page import Page  # here: loading the plugins (every export does) skips the page

        page = Page(
            title=options.get("title") or timeline.stream or "Timeline",
            lang=_lang(options),
            show_retracted=choice_option(options, "retracted", ("hide", "show")) == "show",
            accent=_theme(options),
        )
        for chunk in page.chunks(timeline):
            out.write(chunk.encode("utf-8"))


@hookimpl
def timeline_register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register the ``html`` format."""
    register(HtmlExporter())

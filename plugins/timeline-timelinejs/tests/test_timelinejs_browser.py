"""The TimelineJS export rendered by TimelineJS itself in headless Chromium (issue 9: hostile text).

Every text field carries a payload that would change the page if it ran (it pushes its field's name onto
``window.__pwned``); the page must end with none run, no element the payload would add, no link TimelineJS
detected on its own, and each text shown exactly as written. The export is pasted into a ``<script>`` block,
as a site embedding it would do, so ``</script>`` in user text is tried too.

Uses Debian's chromium and chromium-driver (``Service("/usr/bin/chromedriver")``: Selenium never downloads a
browser) and TimelineJS from node_modules (package.json pins it). Skipped when they are missing, unless CI
is set.
"""

from __future__ import annotations

import io
import os
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from timeline_timelinejs import TimelineJSExporter
from tljs_support import records

from timeline import (
    Event,
    Invocation,
    Meeting,
    Money,
    Payment,
    Quantity,
    Source,
    Statement,
    Timeline,
    Transfer,
    When,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[3]
TIMELINEJS = ROOT / "node_modules" / "@knight-lab" / "timelinejs" / "dist"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


def _missing() -> str:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return "no Debian chromium and chromium-driver (apt-get install -y chromium chromium-driver)"
    if not (TIMELINEJS / "js" / "timeline.js").exists():
        return "TimelineJS is not in node_modules (npm ci)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return ""


if _missing() and not os.environ.get("CI"):
    pytest.skip(_missing(), allow_module_level=True)


def payload(field: str) -> str:
    """Text that changes the page if any part of the chain treats it as HTML (once or after decoding)."""
    run = f"window.__pwned.push('{field}')"
    return (
        f'<img src=x onerror="{run}"> &lt;img src=x onerror="{run}"&gt; '
        f"</script><script>{run}</script> "
        f"https://example.org/{field} www.{field}.example.org {field}@example.org :smile: & &amp;"
    )


def hostile_events() -> list[Event]:
    """One event of each built-in type, every text field a payload naming the field."""
    when = When.parse("2025-04-14")
    sources = (
        Source(url=f"https://example.org/?q={payload('url')}", title=payload("source.title")),
        Source(publisher=payload("source.publisher"), title=None, url="javascript:window.__pwned.push('js')"),
        Source(url=f"https://example.org/{payload('bare-url')}"),
    )

    def common(kind: str) -> dict[str, Any]:
        return {
            "id": f"{kind}-1",
            "when": when,
            "title": payload(f"{kind}.title"),
            "description": payload(f"{kind}.description"),
            "place": payload(f"{kind}.place"),
            "tags": (payload(f"{kind}.tag"),),
            "actors": (payload(f"{kind}.actor"),),
            "sources": sources,
        }

    return [
        Meeting(participants=(payload("participant"),), **common("meeting")),
        Payment(
            payer=payload("payer"),
            payee=payload("payee"),
            amount=Money(value=Decimal(1), currency="USD"),
            purpose=payload("purpose"),
            **common("payment"),
        ),
        Statement(by=payload("by"), text=payload("text"), **common("statement")),
        Transfer(
            subjects=payload("subjects"),
            origin=payload("origin"),
            destination=payload("destination"),
            count=Quantity(value=3),
            by=payload("transfer.by"),
            **common("transfer"),
        ),
        Invocation(
            by=payload("invoker"),
            instrument=payload("instrument"),
            against=payload("against"),
            **common("inv"),
        ),
        attrs.evolve(Meeting(participants=("A",), **common("untitled")), title=None),
    ]


def timeline_in_streams(events: list[Event]) -> Timeline:
    """The events split over a hostile stream name and a plain one (groups need two)."""
    recorded = records(events[:3], stream=payload("stream")) + records(events[3:], stream="plain & simple")
    return Timeline.from_records([attrs.evolve(r, position=i) for i, r in enumerate(recorded, start=1)])


def page(export: str) -> str:
    """A local page that embeds the export in a <script> block and renders it with TimelineJS."""
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>unchanged</title>
<link rel="stylesheet" href="{(TIMELINEJS / "css" / "timeline.css").as_uri()}">
<script>window.__pwned = []; window.__errors = [];
window.addEventListener("error", (e) => window.__errors.push(String(e.message)));</script>
<script src="{(TIMELINEJS / "js" / "timeline.js").as_uri()}"></script>
</head><body><div id="timeline" style="width: 1200px; height: 700px"></div>
<script>var data = {export};
window.timeline = new TL.Timeline("timeline", data, {{font: null}});
</script></body></html>"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def render(browser: Any, tmp_path: Path, timeline: Timeline, **options: str) -> dict[str, Any]:
    out = io.BytesIO()
    TimelineJSExporter().export(timeline, out, options)
    path = tmp_path / "page.html"
    path.write_text(page(out.getvalue().decode("utf-8")), encoding="utf-8")
    browser.get(path.as_uri())
    script = """
        const done = arguments[arguments.length - 1];
        const texts = (selector) => Array.from(document.querySelectorAll(selector), (e) => e.textContent);
        setTimeout(() => done({
            pwned: window.__pwned, errors: window.__errors, title: document.title,
            images: document.querySelectorAll("img[src='x'], script:not([src])").length,
            autolinks: document.querySelectorAll("a.tl-makelink").length,
            links: Array.from(document.querySelectorAll(".tl-slide a[href]"), (a) => a.getAttribute("href")),
            headlines: texts(".tl-slide .tl-headline"),
            groups: texts(".tl-timegroup-message"),
            body: texts(".tl-slide .tl-text-content"),
        }), 1500);
    """
    browser.set_script_timeout(30)
    return browser.execute_async_script(script)  # type: ignore[no-any-return]


def test_hostile_text_in_every_field_runs_nothing_and_shows_as_written(browser: Any, tmp_path: Path) -> None:
    events = hostile_events()
    seen = render(browser, tmp_path, timeline_in_streams(events), group="stream", title=payload("doc.title"))
    assert seen["pwned"] == []
    assert seen["errors"] == []
    assert seen["title"] == "unchanged"
    assert seen["images"] == 2  # the page's own two inline scripts, nothing the payloads added
    assert seen["autolinks"] == 0  # TimelineJS's link detection is off on every slide
    assert all(href.startswith("https://example.org/") for href in seen["links"]), seen["links"]
    assert payload("doc.title") in seen["headlines"]
    for event in events:
        assert event.headline() in seen["headlines"]
        if event.description:
            assert any(payload(f"{event.id.split('-')[0]}.description") in text for text in seen["body"])
    assert sorted(text.strip() for text in seen["groups"]) == sorted([payload("stream"), "plain & simple"])
    for field in ("place", "participant", "source.title", "source.publisher"):
        assert any(payload(field) in text or field in text for text in seen["body"]), field


def test_grouped_by_type_runs_nothing(browser: Any, tmp_path: Path) -> None:
    seen = render(browser, tmp_path, timeline_in_streams(hostile_events()), group="type")
    assert seen["pwned"] == []
    assert seen["autolinks"] == 0
    assert sorted(text.strip() for text in seen["groups"]) == sorted(
        {"meeting", "payment", "statement", "transfer", "invocation"}
    )

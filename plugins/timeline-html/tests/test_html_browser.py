"""The page in a real browser: headless Chromium (Debian's), driven by Selenium, checked by axe-core.

Skipped when chromium, chromedriver, selenium or axe-core is missing, except in CI (``CI`` set), where a
missing piece fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path
from typing import Any

import browser
import pytest
from html_support import PAYLOADS, export, hostile_timeline, story_events, timeline_of
from timeline_html import content_security_policy

from timeline import Timeline

STORY_TITLE = "El Salvador deportations"
HOSTILE_TITLE = "Hostile </title><script>window.pwned=7</script> \u202eevil"


@pytest.fixture(scope="module")
def driver() -> Any:
    with browser.chromium() as chromium:
        chromium.set_script_timeout(120)
        browser.watch_violations(chromium)
        yield chromium


@pytest.fixture(scope="module")
def story() -> Timeline:
    return timeline_of(story_events())


@pytest.fixture(scope="module")
def pages(story: Timeline) -> dict[str, bytes]:
    return {
        "story": export(story, title=STORY_TITLE),
        "hostile": export(hostile_timeline(), title=HOSTILE_TITLE, retracted="show"),
    }


def _load(driver: Any, page: bytes, folder: Path, width: int = 1280, *, dark: bool = False) -> str:
    browser.set_width(driver, width, dark=dark)
    return browser.open_page(driver, page, folder)


def test_every_event_is_in_the_dom_with_its_date(
    driver: Any, story: Timeline, pages: dict[str, bytes], tmp_path: Path
) -> None:
    _load(driver, pages["story"], tmp_path)
    shown = driver.execute_script(
        "return Array.from(document.querySelectorAll('li.entry')).map(function (li) {"
        " return [li.querySelector('.title').textContent, li.querySelector('.date').textContent,"
        " li.offsetHeight > 0]; });"
    )
    assert shown == [[e.event.headline(), e.event.when.human(), True] for e in story.entries]
    # The inline script ran (the CSP allows it by its hash) and showed the filters.
    assert driver.execute_script("return document.getElementById('filters').hidden") is False
    status = driver.execute_script("return document.getElementById('filter-status').textContent")
    assert status == "Showing all 10 events."


@pytest.mark.parametrize("name", ["story", "hostile"])
def test_no_request_leaves_the_page(driver: Any, pages: dict[str, bytes], tmp_path: Path, name: str) -> None:
    url = _load(driver, pages[name], tmp_path)
    assert set(browser.requests(driver)) == {(url, None)}
    assert driver.execute_script("return window.__csp") == []
    style = driver.execute_script("return document.querySelector('style').textContent")
    meta = driver.execute_script(
        "return document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content"
    )
    assert meta == content_security_policy(style)
    # The policy is in force: a load the page did not declare is refused, and never reaches the network.
    driver.execute_script(
        "var img = document.createElement('img'); img.src = 'http://127.0.0.1:9/beacon.png';"
        " document.body.appendChild(img);"
    )
    violations = driver.execute_script("return window.__csp")
    assert violations == ["img-src http://127.0.0.1:9/beacon.png"]
    assert browser.requests(driver) == [("http://127.0.0.1:9/beacon.png", "csp")]


def test_a_hostile_payload_does_not_run(driver: Any, pages: dict[str, bytes], tmp_path: Path) -> None:
    _load(driver, pages["hostile"], tmp_path)
    found = driver.execute_script(
        "var handlers = 0;"
        "document.querySelectorAll('*').forEach(function (el) {"
        " Array.from(el.attributes).forEach(function (a) { if (/^on/i.test(a.name)) { handlers += 1; } });"
        "});"
        "return {pwned: typeof window.pwned, title: document.title, scripts: document.scripts.length,"
        " images: document.images.length, styles: document.querySelectorAll('style').length,"
        " handlers: handlers, entries: document.querySelectorAll('li.entry').length,"
        " h1: document.querySelector('h1').textContent, bodyShown: getComputedStyle(document.body).display,"
        " titles: Array.from(document.querySelectorAll('li.entry .title')).map(function (h) {"
        "  return h.textContent; })};"
    )
    assert found["pwned"] == "undefined"
    assert found["title"] == HOSTILE_TITLE
    assert found["h1"] == HOSTILE_TITLE
    assert (found["scripts"], found["images"], found["styles"], found["handlers"]) == (2, 0, 1, 0)
    assert found["bodyShown"] == "block"
    assert found["entries"] == 5
    assert {PAYLOADS[0] + PAYLOADS[1], "W" * 10_240, PAYLOADS[7]} <= set(found["titles"])


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", ["story", "hostile"])
def test_no_horizontal_overflow(
    driver: Any, pages: dict[str, bytes], tmp_path: Path, name: str, width: int
) -> None:
    _load(driver, pages[name], tmp_path, width)
    scroll, client = browser.overflow(driver)
    assert client == width
    assert scroll <= client
    # Nothing sticks out of the page's column either (the document could clip what the body overflows).
    widest = driver.execute_script(
        "var w = document.documentElement.clientWidth, worst = 0;"
        "document.querySelectorAll('body *').forEach(function (el) {"
        " var r = el.getBoundingClientRect(); if (r.width > 0 && r.right > worst) { worst = r.right; } });"
        "return worst <= w + 0.5;"
    )
    assert widest is True


def test_the_filters_work_from_the_keyboard(driver: Any, pages: dict[str, bytes], tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    _load(driver, pages["story"], tmp_path)
    ActionChains(driver).send_keys(Keys.TAB).perform()
    skip = "var a = document.activeElement; return [a.className, a.getBoundingClientRect().left >= 0];"
    assert driver.execute_script(skip) == ["skip", True]  # the skip link comes first, and shows when focused
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert driver.execute_script("return document.activeElement.id") == "filter-tag"
    ActionChains(driver).send_keys(Keys.ARROW_DOWN).perform()  # the first tag: CECOT
    visible = (
        "return Array.from(document.querySelectorAll('li.entry')).filter(function (li) {"
        " return li.offsetHeight > 0; })"
        ".map(function (li) { return li.querySelector('.title').textContent; });"
    )
    assert driver.execute_script(visible) == [
        "About 250 alleged Tren de Aragua members deported to El Salvador's CECOT prison",
        "Activists say detainees are isolated and without legal recourse",
    ]
    status = "return document.getElementById('filter-status').textContent"
    assert driver.execute_script(status) == "Showing 2 of 10 events."
    assert driver.execute_script("return document.getElementById('m-2025-01').closest('section').hidden")
    ActionChains(driver).send_keys(
        Keys.TAB, Keys.TAB, Keys.TAB, Keys.ENTER
    ).perform()  # type, actor, "Show all"
    assert driver.execute_script("return document.activeElement.textContent") == "Show all"
    assert len(driver.execute_script(visible)) == 10
    assert driver.execute_script(status) == "Showing all 10 events."


def test_without_javascript_the_page_is_complete(
    driver: Any, pages: dict[str, bytes], tmp_path: Path
) -> None:
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        _load(driver, pages["story"], tmp_path)
        shown = driver.find_elements("css selector", "li.entry")
        assert len(shown) == 10
        assert all(entry.is_displayed() for entry in shown)
        assert not driver.find_element("id", "filters").is_displayed()
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


@pytest.mark.parametrize(
    ("name", "width", "dark"),
    [("story", 1280, False), ("story", 375, True), ("hostile", 1280, False), ("hostile", 375, True)],
)
def test_axe_finds_no_serious_violation(
    driver: Any, pages: dict[str, bytes], tmp_path: Path, name: str, width: int, dark: bool
) -> None:
    _load(driver, pages[name], tmp_path, width, dark=dark)
    violations = browser.axe_violations(driver)
    serious = [v for v in violations if v["impact"] in {"serious", "critical"}]
    assert serious == [], serious


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_of_the_story(driver: Any, pages: dict[str, bytes], tmp_path: Path, width: int) -> None:
    """Whole-page screenshots at phone and desktop width (copied to $TIMELINE_HTML_SCREENSHOTS if set)."""
    _load(driver, pages["story"], tmp_path, width)
    path = tmp_path / f"story-{width}.png"
    size = browser.screenshot(driver, path)
    assert _png_size(path) == size
    assert size[0] == width
    keep = os.environ.get("TIMELINE_HTML_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


def test_dark_scheme_and_print_stylesheet(driver: Any, pages: dict[str, bytes], tmp_path: Path) -> None:
    colours = (
        "return [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color];"
    )
    _load(driver, pages["hostile"], tmp_path, dark=True)
    assert driver.execute_script(colours) == ["rgb(15, 17, 21)", "rgb(232, 234, 237)"]
    _load(driver, pages["hostile"], tmp_path)
    assert driver.execute_script(colours) == ["rgb(255, 255, 255)", "rgb(26, 29, 33)"]
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        printed = driver.execute_script(
            "var link = document.querySelector('.sources a[href]');"
            "return [getComputedStyle(document.getElementById('filters')).display,"
            " getComputedStyle(link, '::after').content, getComputedStyle(document.body).color];"
        )
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    # Print shows no filters, black text, and each source link's target after it.
    assert printed == ["none", '" <https://example.org/?a=<b>&c=\\"d\\">"', "rgb(0, 0, 0)"]

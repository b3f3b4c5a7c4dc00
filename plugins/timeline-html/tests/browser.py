"""A headless Chromium from Debian's packages, driven by Selenium, for the page tests.

Only the system's ``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` are used: the driver path is given to
`Service`, so Selenium Manager never looks for (or downloads) a browser or a driver. Each browser gets a fresh
profile and no background networking, so the performance log holds only what the page itself asked for.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: axe-core as npm installs it from the root package.json.
AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    "--force-color-profile=srgb",
    "--hide-scrollbars",
)


def require(*paths: Path) -> None:
    """Skip the test if a needed file is missing, except in CI (``CI`` set), where that is a failure."""
    missing = [str(path) for path in paths if not path.is_file()]
    if not missing:
        return
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    message = "browser tests need " + ", ".join(missing) + " (apt-get install -y chromium chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def chromium() -> Iterator[Any]:
    """A fresh headless Chromium (a Selenium WebDriver), closed and its profile removed afterwards."""
    require(CHROMIUM, CHROMEDRIVER)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="timeline-html-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def set_width(driver: Any, width: int, height: int = 900, *, dark: bool = False) -> None:
    """Emulate a screen `width` CSS pixels wide (a phone below 500), optionally in the dark scheme."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )
    scheme = "dark" if dark else "light"
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]}
    )


def watch_violations(driver: Any) -> None:
    """Record Content-Security-Policy violations of every page opened from now on in ``window.__csp``."""
    driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument",
        {
            "source": "window.__csp = []; document.addEventListener('securitypolicyviolation', function (e) {"
            " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });"
        },
    )


def requests(driver: Any) -> list[tuple[str, str | None]]:
    """Each URL the browser asked for since the last call, and why it was blocked (``"csp"``) or None.

    From the performance log, which this empties. Chromium logs a request before its Content-Security-Policy
    check, so a refused one shows up too, with the reason from its ``Network.loadingFailed`` event.
    """
    urls: dict[str, str] = {}
    blocked: dict[str, str] = {}
    for line in driver.get_log("performance"):
        message = json.loads(line["message"])["message"]
        params = message["params"]
        if message["method"] == "Network.requestWillBeSent":
            urls.setdefault(params["requestId"], params["request"]["url"])
        elif message["method"] == "Network.loadingFailed" and params.get("blockedReason"):
            blocked[params["requestId"]] = params["blockedReason"]
    return [(url, blocked.get(request)) for request, url in urls.items()]


def open_page(driver: Any, html: bytes, folder: Path, name: str = "page.html") -> str:
    """Write `html` to `folder`/`name` and load it (the performance log emptied first); return its URL."""
    path = folder / name
    path.write_bytes(html)
    url = path.as_uri()
    driver.get("about:blank")
    requests(driver)
    driver.get(url)
    return url


def screenshot(driver: Any, path: Path) -> tuple[int, int]:
    """Save the whole page (not just the viewport) as a PNG; return its size in CSS pixels."""
    width, height = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];"
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    return int(width), int(height)


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the loaded page (each with id, impact, help and the failing nodes)."""
    require(AXE)
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(function (r) {"
        " done(r.violations.map(function (v) { return {id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(function (n) { return n.target.join(' ') + ': ' + n.failureSummary; })}; }));"
        "}, function (e) { done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]); });"
    )
    return cast("list[dict[str, Any]]", result)


def overflow(driver: Any) -> tuple[int, int]:
    """``(scrollWidth, clientWidth)`` of the document: equal when nothing scrolls sideways."""
    widths = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];"
    )
    return int(widths[0]), int(widths[1])

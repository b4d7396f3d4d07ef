"""Render our HTML pages in headless Chromium: width, console errors, a screenshot.

Use it as a pytest plugin (`pytest_plugins = ("tests.browser",)` in a test module or the
root conftest) and take the `page_check` fixture:

    def test_page(page_check, tmp_path):
        width, viewport, errors = page_check(tmp_path / "x.html", 390, "x")

Browser tests run wherever this file's fixture is used. They are skipped only when
ZD_NO_BROWSER=1 is set; without it, a missing Chromium or playwright fails the test with
a message saying how to install it. Chromium is Debian's (`apt-get install chromium`,
.ci/run does it), never `playwright install`; ZD_CHROMIUM overrides its path.
Screenshots go to tests/artifacts/ (not committed).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
NO_BROWSER_ENV = "ZD_NO_BROWSER"
CHROMIUM_ENV = "ZD_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PAGE_HEIGHT = 844  # a common phone's viewport height; screenshots are full-page anyway


class PageCheck(NamedTuple):
    """What a page looks like at one viewport width."""

    scroll_width: int          # document width in CSS px; > viewport_width means sideways scrolling
    viewport_width: int
    console_errors: list[str]  # console.error, uncaught exceptions, blocked outside requests


PageChecker = Callable[[Path, int, str], PageCheck]


def screenshot_path(name: str, width: int) -> Path:
    """Where `page_check(..., width, name)` saves its full-page screenshot."""
    safe = re.sub(r"[^\w.-]+", "_", name)
    return ARTIFACTS / f"{safe}_{width}px.png"


def check_page(browser: Any, html: Path, width: int, name: str) -> PageCheck:
    """Open local `html` at viewport `width`; any request that leaves the file system is
    blocked and counted as an error (our pages use no outside resources)."""
    errors: list[str] = []
    context = browser.new_context(viewport={"width": width, "height": PAGE_HEIGHT},
                                  java_script_enabled=True, offline=True)
    try:
        page = context.new_page()
        page.on("console", lambda msg: errors.append(f"console: {msg.text}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))

        def block_outside(route: Any) -> None:
            url = route.request.url
            if url.startswith(("file:", "data:", "about:")):
                route.continue_()
            else:
                errors.append(f"outside request: {url}")
                route.abort()

        page.route("**/*", block_outside)
        page.goto(html.resolve().as_uri(), wait_until="load")
        scroll_width, viewport_width = page.evaluate(
            "() => [Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),"
            " window.innerWidth]")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot_path(name, width)), full_page=True)
        return PageCheck(int(scroll_width), int(viewport_width), errors)
    finally:
        context.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the session (skipped only with ZD_NO_BROWSER=1)."""
    if os.environ.get(NO_BROWSER_ENV) == "1":
        pytest.skip(f"{NO_BROWSER_ENV}=1: browser checks switched off")
    executable = os.environ.get(CHROMIUM_ENV, DEFAULT_CHROMIUM)
    if not Path(executable).exists():
        pytest.fail(f"Chromium not found at {executable}: install it with "
                    "`apt-get update && apt-get install -y chromium` (as .ci/run does), "
                    f"set {CHROMIUM_ENV}=/path/to/chromium, or set {NO_BROWSER_ENV}=1 "
                    "to skip the browser checks", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: `.venv/bin/pip install -r requirements.lock`",
                    pytrace=False)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                    headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page_check(chromium: Any) -> PageChecker:
    """`page_check(html_path, width, name) -> PageCheck`, screenshot in tests/artifacts/."""
    def run(html: Path, width: int, name: str) -> PageCheck:
        return check_page(chromium, html, width, name)
    return run

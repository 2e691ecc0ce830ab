"""Real Chromium (Debian's, driven by Playwright's bundled driver) against a live server.

Playwright's sync API runs an event loop in this thread, which Django's async-safety
check would mistake for async code touching the database; the check is lifted only
while the browser is up.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.tools import AXE, CHROMIUM, SCREENSHOTS, require

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require(CHROMIUM.exists(), f"Chromium ({CHROMIUM}; apt-get install chromium)")
    require(AXE.exists(), "axe-core (npm install axe-core)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        require(False, "The playwright package (pip install -e '.[dev]')")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Session:
    """One browser context; every request that leaves the live server is refused and
    remembered, so that a test fails on any external request (CDN, font, tracker)."""

    def __init__(self, browser: Any, base_url: str, **options: Any) -> None:
        self.base_url = base_url
        self.external: list[str] = []
        self.context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="en-GB", **options
        )
        self.context.route("**/*", self._route)
        # As an init script (through the DevTools protocol), axe-core loads without
        # weakening the pages' Content-Security-Policy, which forbids inline scripts.
        self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.base_url) or url.startswith("data:"):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(browser: Any, live_server: Any) -> Iterator[Session]:
    session = Session(browser, live_server.url)
    yield session
    session.close()
    assert session.external == [], "pages must make no external request"


def check_axe(page: Any) -> list[str]:
    """Run axe-core on the page; the serious and critical violations, in words."""
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

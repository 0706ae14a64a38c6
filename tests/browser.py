"""The one way browser tests get Chromium: found (never a hard-coded path) and launched headless.

`./dev test` installs Chromium (apt-get install chromium) and Playwright (uv sync), so a browser
test that lacks either FAILS with a message naming what should have been installed; it is never
skipped.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest

ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# ms: how long a browser test waits for what it expects to appear; generous, since the whole
# suite loads two cores (a 10-s wait once ran out on a passing chat page).
WAIT = 60_000
NAMES = ("chromium", "chromium-browser")  # Debian's package, and the name other distros use
MISSING_CHROMIUM = ("Chromium is missing: `./dev test` installs it (apt-get install chromium "
                    "fonts-noto-cjk); looked for {names} on PATH and for Playwright's own")
MISSING_PLAYWRIGHT = ("Playwright is missing: `./dev test` installs it with the dev dependencies "
                      "(uv sync --frozen)")


def find_chromium(which: Callable[[str], str | None] = shutil.which,
                  bundled: str | None = None) -> str:
    """The Chromium to launch: `chromium` or `chromium-browser` on PATH, else the one Playwright
    downloaded (`bundled`, when that file exists); fails the test when there is none."""
    for name in NAMES:
        found = which(name)
        if found:
            return found
    if bundled and Path(bundled).is_file():
        return bundled
    pytest.fail(MISSING_CHROMIUM.format(names=" or ".join(NAMES)), pytrace=False)


def _playwright(api: str) -> Any:
    """`sync_playwright` or `async_playwright`; fails the test when Playwright is missing."""
    try:
        if api == "sync":
            from playwright.sync_api import sync_playwright
            return sync_playwright
        from playwright.async_api import async_playwright
        return async_playwright
    except ImportError:
        pytest.fail(MISSING_PLAYWRIGHT, pytrace=False)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (a Playwright `Browser`), closed afterwards."""
    with _playwright("sync")() as playwright:
        executable = find_chromium(bundled=_bundled(playwright))
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@asynccontextmanager
async def async_chromium() -> AsyncIterator[Any]:
    """The same Chromium for asyncio tests (Playwright's async API)."""
    async with _playwright("async")() as playwright:
        executable = find_chromium(bundled=_bundled(playwright))
        browser = await playwright.chromium.launch(executable_path=executable, args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


def _bundled(playwright: Any) -> str | None:
    try:
        path: str = playwright.chromium.executable_path
    except Exception:  # no Playwright browser downloaded: not an error while Debian's is there
        return None
    return path

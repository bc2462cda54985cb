"""Start Debian's chromium headless through Playwright, for tests of our own web pages.

    from tests.browser import running_chromium

    def test_something(tmp_path):
        with running_chromium(tmp_path) as browser:
            page = browser.new_page()
            page.goto("http://127.0.0.1:8000/")

Playwright never downloads a browser here: it drives `/usr/bin/chromium` (the Debian package
script/bootstrap installs). Each run gets a fresh user-data folder under `tmp_path`, and the
browser is always closed on the way out, so no chromium outlives its test. Chromium's fake
camera and microphone (a moving test pattern and a beep) stand in for devices, and its fake
permission prompt accepts them, so calls work with no hardware and no clicks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tests.needs import require_module, require_or_skip

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--no-sandbox",  # tests may run as root, where chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
)
LAUNCH_TIMEOUT_MS = 30_000


def chromium_available() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


@contextmanager
def running_chromium(tmp_path: Path, extra_flags: tuple[str, ...] = ()) -> Iterator[BrowserContext]:
    """A headless chromium with a fresh profile in `tmp_path`; its pages share that profile.

    Skips (fails under KIOSK_REQUIRE_HARDWARE=1) when chromium or Playwright is missing."""
    require_or_skip(chromium_available(), f"{CHROMIUM} is not installed (script/bootstrap "
                    "--test installs Debian's chromium)")
    sync_api = require_module("playwright.sync_api", "Playwright's Python package is not "
                              "installed (script/bootstrap --test installs it)")
    profile = tmp_path / "chromium-profile"
    profile.mkdir(parents=True, exist_ok=False)
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True,
            args=[*FLAGS, *extra_flags], timeout=LAUNCH_TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()

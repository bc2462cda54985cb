"""Fixtures for the modules that drive a real hub process in chromium (tests/web_calls/
real_hub.py): one browser and one server of kiosk pages per module, each stopped when the
module is done. Modules that test against the signalling double start their own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.browser import running_chromium
from tests.web_calls.real_hub import kiosk_pages

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext


@pytest.fixture(scope="module")
def pages() -> Iterator[str]:
    """The base URL the kiosks' call pages come from."""
    with kiosk_pages() as base_url:
        yield base_url


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """One headless chromium for the module; its pages share one profile (and so the
    advisor's sign-in)."""
    with running_chromium(tmp_path_factory.mktemp("chromium")) as context:
        yield context

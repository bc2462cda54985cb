"""The three sides of an advisor call in a real chromium against a REAL hub process
(tests/hub_server.py): the kiosk, the advisor console and the interpreter page.

- The kiosk queues through its own client (`kiosk.calls.hub_client.HubCalls`, the kiosk
  API with the kiosk key), then a chromium page runs the real mesh.js as role `kiosk` (the
  mesh test page, tests/web_calls/harness.py) and connects to the hub's signalling socket.
  The hub has no test page of its own, so the page comes from a small server of the test's
  on 127.0.0.1 (`kiosk_pages`). Not from a Playwright route at the hub's origin: chromium's
  Local Network Access checks count a document the browser answered itself as public, and
  refuse its WebSocket to a loopback address (net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS),
  while a page from a loopback server may reach the loopback hub.
- The console is the hub's own `/advisor`, signed in through the real `/sign-in` page with
  an account made by `kiosk-hub account add`.
- What the hub recorded is read from its database.
"""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import select

from hub import account_cli
from hub.calls.tables import Call
from hub.db import make_engine
from hub.passwords import Passwords
from kiosk.calls.base import EndReason, Joined, JoinRequest
from kiosk.calls.hub_client import HubCalls
from tests.hub_server import HubProcess
from tests.web_calls.harness import (
    HARNESS_HTML,
    HARNESS_PATH,
    MESH_PATH,
    Participant,
    flowing,
    join,
    mesh_source,
    wait_until,
)

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

KIOSK_KEY = "demo-kiosk-key"
ADVISOR = "ada"
PASSWORD = "correct horse battery"
HUB_ARGS = ("--insecure-cookies",)  # sign-in cookies over plain http: loopback only


def add_advisor(database_url: str, name: str = ADVISOR) -> None:
    """The advisor's account, made as an administrator makes it (`kiosk-hub account add`)."""
    assert account_cli.main(["add", name, "--role", "advisor", "--password-stdin",
                             "--database", database_url], environ={},
                            stdin=io.StringIO(PASSWORD + "\n"),
                            passwords=Passwords.cheap_for_tests()) == 0


@dataclass(frozen=True)
class Hub:
    """A running hub process, as the pages and the kiosk client reach it."""

    process: HubProcess

    @property
    def base_url(self) -> str:
        return self.process.base_url

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1) + "/calls/v1/ws"

    def recorded(self, call_id: str) -> dict[str, Any]:
        """The call's row as the hub stored it."""
        engine = make_engine(self.process.database_url)
        try:
            with engine.connect() as connection:
                row = connection.execute(select(Call).where(Call.id == call_id)).one()
        finally:
            engine.dispose()
        return dict(row._mapping)


@dataclass(frozen=True)
class KioskSite:
    """Where a kiosk's call page is (`base_url`) and the hub socket it joins (`ws_url`)."""

    base_url: str
    ws_url: str


class _Pages(BaseHTTPRequestHandler):
    files: ClassVar[dict[str, tuple[bytes, str]]] = {}

    def do_GET(self) -> None:
        found = self.files.get(self.path)
        if found is None:
            self.send_error(404)
            return
        body, kind = found
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the test's output is for the test


@contextmanager
def kiosk_pages() -> Iterator[str]:
    """The mesh test page and mesh.js on a free 127.0.0.1 port; stopped on the way out."""
    handler = type("KioskPages", (_Pages,), {"files": {
        HARNESS_PATH: (HARNESS_HTML.encode("utf-8"), "text/html; charset=utf-8"),
        MESH_PATH: (mesh_source().encode("utf-8"), "text/javascript; charset=utf-8")}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="kiosk-pages", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass
class Kiosk:
    """One terminal: its client for the hub's queue, and its call page once it has one."""

    hub: Hub
    pages: str  # where the call page comes from (kiosk_pages)
    terminal: str
    calls: HubCalls = field(init=False)
    joined: Joined | None = None
    page: Participant | None = None

    def __post_init__(self) -> None:
        self.calls = HubCalls(self.hub.base_url + "/kiosk/v1", KIOSK_KEY)

    @property
    def call_id(self) -> str:
        assert self.joined is not None
        return self.joined.call_id

    def queue(self, site: str, *, service: str | None = None, language: str = "en",
              interpreter: str | None = None) -> Joined:
        joined = self.calls.join(JoinRequest(self.terminal, site, service, language, interpreter))
        assert isinstance(joined, Joined), joined
        self.joined = joined
        return joined

    def status(self) -> Any:
        assert self.joined is not None
        return self.calls.status(self.joined.call_id, self.joined.token)

    def open_call_page(self, browser: BrowserContext) -> Participant:
        """The call page joins the signalling while the call is still queued, as the kiosk's
        does; returns once the hub has welcomed it."""
        assert self.joined is not None
        site = KioskSite(self.pages, self.hub.ws_url)
        self.page = join(browser, site, self.joined.call_id, "kiosk", self.joined.token)
        self.page.wait_for_event("welcome")
        return self.page

    def end(self, reason: EndReason) -> bool:
        assert self.joined is not None
        return self.calls.end(self.joined.call_id, self.joined.token, reason)

    def close(self) -> None:
        if self.page is not None and not self.page.page.is_closed():
            self.page.page.close()
        if self.joined is not None:  # a test that failed half-way leaves no call queued
            self.calls.end(self.joined.call_id, self.joined.token, "kiosk_error")
        self.calls.close()


@contextmanager
def kiosks(hub: Hub, pages: str, *terminals: str) -> Iterator[list[Kiosk]]:
    made = [Kiosk(hub, pages, terminal) for terminal in terminals]
    try:
        yield made
    finally:
        for kiosk in made:
            kiosk.close()


@dataclass
class Console:
    """The advisor console in a browser tab, with the script errors it has thrown."""

    page: Page
    errors: list[str] = field(default_factory=list)

    def text(self, selector: str) -> str:
        return self.page.locator(selector).text_content() or ""

    def wait_text(self, selector: str, pattern: str, deadline: float = 15) -> None:
        wait_until(lambda: re.search(pattern, self.text(selector)),
                   f"{selector} to say /{pattern}/ (it says {self.text(selector)!r}; alert "
                   f"{self.text('#console-alert')!r}; errors {self.errors})", deadline=deadline)

    def rows(self) -> list[list[str]]:
        return [row.locator("td").all_inner_texts()
                for row in self.page.locator("#queue-table tbody tr").all()]

    def stats(self) -> list[dict[str, Any]]:
        """What the console's own mesh receives from each other peer."""
        found: list[dict[str, Any]] = self.page.evaluate(
            "AdvisorConsole.state.mesh ? AdvisorConsole.state.mesh.stats()"
            ".then(s => s.peers) : []")
        return found

    def wait_for_media(self, roles: list[str]) -> list[dict[str, Any]]:
        seen: list[dict[str, Any]] = []

        def ready() -> bool:
            seen[:] = self.stats()
            return (sorted(p["role"] for p in seen) == sorted(roles)
                    and all(flowing(p) for p in seen))

        try:
            wait_until(ready, f"media from {roles} at the console")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; last stats {seen}; errors {self.errors}") from None
        return seen

    def video_playing(self, selector: str) -> bool:
        return bool(self.page.evaluate(
            "s => { const v = document.querySelector(s); return v.srcObject !== null "
            "&& v.videoWidth >= 320 && v.videoHeight >= 240; }", selector))

    def close(self) -> None:
        if not self.page.is_closed():
            self.page.close()


def open_console(browser: BrowserContext, hub: Hub, *, available: bool = True) -> Console:
    """The console, signed in through the real sign-in page if this browser is not yet,
    and (by default) available, as the hub confirms."""
    console = Console(browser.new_page())
    console.page.on("pageerror", lambda exc: console.errors.append(str(exc)))
    console.page.goto(hub.base_url + "/advisor")
    if "/sign-in" in console.page.url:
        console.page.fill("#name", ADVISOR)
        console.page.fill("#password", PASSWORD)
        console.page.keyboard.press("Enter")
        console.page.wait_for_url(hub.base_url + "/advisor")
    toggle = console.page.locator("#available")
    wait_until(toggle.is_enabled, "the availability toggle enabled by the first queue poll")
    if available and not toggle.is_checked():
        console.page.get_by_label("I am available to answer calls").check()
        console.wait_text("#console-status", "You are available to answer calls")
    return console


def media_rate(sides: dict[str, Callable[[], list[dict[str, Any]]]], seconds: float = 2.0
               ) -> dict[str, float]:
    """Video frames decoded per second over `seconds`, by who receives them (one peer each)."""
    before = {name: stats()[0]["frames_decoded"] for name, stats in sides.items()}
    started = time.monotonic()
    wait_until(lambda: time.monotonic() - started >= seconds, f"{seconds} s of call",
               deadline=seconds + 5)
    elapsed = time.monotonic() - started
    return {name: round((stats()[0]["frames_decoded"] - before[name]) / elapsed, 1)
            for name, stats in sides.items()}

"""What the call view's tests share: the engine's environment, a real page server on
127.0.0.1, and clicks the page counts as a person's (tests/ui/test_call_view_*.py)."""

from __future__ import annotations

import json
import os
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).parent / "call_pages"
ECHO_TEMPLATE = PAGES / "echo.html"
MESH_STUB = PAGES / "mesh_stub.js"


def engine_environment() -> None:
    """As root Chromium's sandbox cannot start (stack-notes.md): QtWebEngine exits at once
    unless told to run without it. Set before the first web profile of the process."""
    if os.geteuid() == 0:
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"


@dataclass
class Response:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class PageServer:
    """A real HTTP server on 127.0.0.1 serving fixed responses; it remembers the paths asked
    for (`requested`), so a test can tell a refused navigation never left the browser."""

    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        """`tls`: a certificate and key to serve https with."""
        self.routes: dict[str, Callable[[], Response]] = {}
        self.requested: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self._server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                server.requested.append(path)
                route = server.routes.get(path)
                response = route() if route else Response(b"not here", "text/plain", 404)
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
                self.send_header("Cache-Control", "no-store")
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(response.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def start(self) -> PageServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def page_servers(count: int) -> Iterator[list[PageServer]]:
    servers = [PageServer().start() for _ in range(count)]
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


def run_js(qtbot, page, script: str, timeout: int = 5000):
    """The value of `script` in the page."""
    results: list[object] = []
    page.runJavaScript(script, 0, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=timeout)
    return results[0]


def click(qtbot, view, element_id: str) -> None:
    """A real left click (mouse press and release on the web view's render widget) in the
    middle of the element: the page sees a user gesture, which window.open, file choosers
    and screen capture insist on."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    found = run_js(qtbot, view.page(), f"""(() => {{
        const element = document.getElementById({element_id!r});
        if (!element) return "null";
        const r = element.getBoundingClientRect();
        return JSON.stringify([r.left + r.width / 2, r.top + r.height / 2]); }})()""")
    rect = json.loads(str(found))
    assert rect is not None, f"no element {element_id} on the page"
    target = view.focusProxy()
    QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(round(rect[0]), round(rect[1])))

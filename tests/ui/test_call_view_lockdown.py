"""The call view refuses what a page must not do (issue 12; reliability-security V14, K11).

A hostile page, served by a real HTTP server on 127.0.0.1 that plays the hub (so the page
has the hub's origin), tries everything in turn after a real click (a user gesture, which
popups, file choosers and screen capture require). Each refusal is checked twice: by what
the page itself reports through the bridge, and by the view's own count of refusals. A
second server on another port is the "elsewhere" nothing may reach.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QFile, QIODevice, QUrl
from PySide6.QtWidgets import QApplication

from tests.ui.call_support import PAGES, PageServer, Response, click, engine_environment, page_servers
from ui.app_lockdown import lock_application

engine_environment()


def _channel_js() -> bytes:
    import PySide6.QtWebChannel  # noqa: F401 - its library holds the resource

    resource = QFile(":/qtwebchannel/qwebchannel.js")
    assert resource.open(QIODevice.OpenModeFlag.ReadOnly)
    return bytes(resource.readAll().data())


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[PageServer, PageServer]]:
    with page_servers(2) as (hub, other):
        hostile = (PAGES / "hostile.html").read_text(encoding="utf-8").replace(
            "OTHER_ORIGIN", other.origin).encode()
        channel = _channel_js()
        for server in (hub, other):
            server.routes["/hostile"] = lambda: Response(hostile)
            server.routes["/qwebchannel.js"] = lambda: Response(channel, "text/javascript")
            server.routes["/popup"] = lambda: Response(b"<p>a new window</p>")
            server.routes["/landing"] = lambda: Response(b"<p>elsewhere</p>")
        hub.routes["/download"] = lambda: Response(
            b"a file the kiosk must never write", "application/octet-stream",
            headers={"Content-Disposition": 'attachment; filename="leak.bin"'})
        hub.routes["/redirect"] = lambda: Response(
            b"", status=302, headers={"Location": f"{other.origin}/landing"})
        yield hub, other


class Hostile:
    """A call view showing the hostile page, and what the page said."""

    def __init__(self, qtbot, view, origin: str) -> None:
        self.qtbot, self.view = qtbot, view
        self.said: list[str] = []
        view.events.error.connect(self.said.append)
        view.page.load(QUrl(f"{origin}/hostile"))
        self.wait_for("probe ready")

    def wait_for(self, report: str) -> str:
        self.qtbot.waitUntil(lambda: any(s.startswith(report) for s in self.said), timeout=10000)
        return next(s for s in self.said if s.startswith(report))

    def probe(self, element: str, report: str) -> str:
        click(self.qtbot, self.view.view, element)
        return self.wait_for(f"probe {report}")


@pytest.fixture
def open_view(qtbot, servers, tmp_path):
    from ui.call.view import CallView

    views = []

    def make(view_class=CallView):
        view = view_class(servers[0].origin, fake_media=True, storage_parent=tmp_path)
        qtbot.addWidget(view)
        view.resize(800, 700)
        view.show()
        views.append(view)
        return view

    yield make
    for view in views:
        assert view.teardown() == []
        assert not view.folder.exists()


def test_the_hostile_page_is_refused_everything(qtbot, servers, open_view, tmp_path):
    hub, other = servers
    view = open_view()
    hostile_url = f"{hub.origin}/hostile"
    # The application's own refusal of links, as the kiosk installs it: it counts every
    # URL handed to the desktop, so a mailto: link that got out of the page would show.
    links = lock_application(QApplication.instance())
    links_before = links.refused_urls
    page = Hostile(qtbot, view, hub.origin)
    counts = view.refusals.counts
    # The page tried to delete the bridge over the web channel: refused, bridge alive.
    assert page.wait_for("probe deleteLater") == "probe deleteLater called"
    assert counts["bridge_deletion"] == 1

    assert page.probe("open", "open") == "probe open refused"
    assert counts["window"] == 1
    page.probe("blank", "blank stayed")
    assert counts["window"] == 2
    assert "/popup" not in hub.requested

    page.probe("download", "download stayed")
    assert counts["download"] == 1
    assert page.probe("file", "file") == "probe file cancel"
    assert counts["file_chooser"] == 1

    page.probe("away", "away stayed")
    page.probe("away-link", "away-link stayed")
    page.probe("redirect", "redirect stayed")
    assert counts["navigation"] == 3
    assert other.requested == []  # nothing ever left for the other origin
    assert view.page.url().toString() == hostile_url

    assert page.probe("screen", "screen") == "probe screen refused AbortError"
    assert counts["screen_capture"] == 1
    assert page.probe("where", "where") == "probe where refused 1"  # PERMISSION_DENIED
    assert counts["permission:Geolocation"] == 1
    assert page.probe("notify", "notify") == "probe notify denied"
    assert counts["permission:Notifications"] == 1
    assert page.probe("clipboard", "clipboard") == "probe clipboard refused NotAllowedError"
    assert counts["permission:ClipboardReadWrite"] == 1
    assert page.probe("dialogs", "dialogs") == "probe dialogs false null"
    assert counts["dialog"] == 3
    assert page.probe("full", "full").startswith("probe full refused")
    page.probe("mail", "mail stayed")
    assert links.refused_urls == links_before  # mailto: never went to the desktop
    # ...nor even as far as the navigation check: unknown schemes stop in the browser.
    assert counts["navigation"] == 3

    # What the call needs still works: camera and microphone for the hub's origin.
    assert page.probe("camera", "camera") == "probe camera granted 1 1"
    assert not any(key.startswith("permission:Media") for key in counts)
    # Nothing was written: not the download, not anything else, anywhere we can see.
    assert [p for p in view.folder.rglob("*")] == []
    assert not (Path.home() / "Downloads").exists()
    assert view.page.url().toString() == hostile_url


def test_camera_and_microphone_are_denied_to_another_origin(qtbot, servers, open_view):
    """With the navigation lock loosened (the first line), the permission lock (the second)
    still keeps the camera from a page of another origin."""
    from ui.call.page import CallPage
    from ui.call.view import CallView

    class AnyNavigation(CallPage):
        def acceptNavigationRequest(self, url, type, isMainFrame):
            return True

    class LooseView(CallView):
        def _new_page(self, profile):
            return AnyNavigation(profile, self.hub, self.refusals)

    view = open_view(LooseView)
    page = Hostile(qtbot, view, servers[1].origin)
    assert page.probe("camera", "camera").startswith("probe camera refused")
    assert view.refusals.counts["permission:MediaAudioVideoCapture"] == 1


def test_a_hub_whose_certificate_is_not_trusted_is_not_loaded(qtbot, tmp_path):
    """The browser is never told to accept a certificate it does not trust (a self-signed
    one here): the page does not load and the refusal is counted."""
    from tests.kiosk.smtp_server import self_signed
    from ui.call.view import CallView

    server = PageServer(tls=self_signed(tmp_path, "hub")).start()
    try:
        server.routes["/hostile"] = lambda: Response(b"<p>must not show</p>")
        view = CallView(server.origin, storage_parent=tmp_path)
        qtbot.addWidget(view)
        with qtbot.waitSignal(view.page.loadFinished, timeout=10000) as loaded:
            view.page.load(QUrl(f"{server.origin}/hostile"))
        assert loaded.args == [False]
        assert view.refusals.counts["certificate"] >= 1
        assert server.requested == []  # no request ever went over the untrusted connection
        assert view.teardown() == []
    finally:
        server.stop()

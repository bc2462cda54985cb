"""What a resident cannot do, offscreen (issue 9; reliability-security V2, V5-V7; K5, K6):
the key allow-list, context menus, drops and other buttons refused at every widget, the
window taking back full screen, links refused for every scheme, and the quit paths (the
demo's Ctrl+Shift+Q, SIGTERM) still ending the app cleanly through the real start-up path.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import (
    QContextMenuEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from tests.ui.lockdown_pages import reach, where
from tests.ui.processes import Watched
from ui.app_lockdown import REFUSED_SCHEMES, AppLockdown
from ui.key_policy import key_allowed
from ui.lockdown import Lockdown

_K, _M = Qt.Key, Qt.KeyboardModifier


@pytest.mark.parametrize(("key", "mods", "text", "allowed"), [
    (_K.Key_A, _M.NoModifier, "a", True),
    (_K.Key_A, _M.ShiftModifier, "A", True),
    (_K.Key_unknown, _M.NoModifier, "ą", True),  # the on-screen keyboard's character
    (_K.Key_2, _M.KeypadModifier, "2", True),
    (_K.Key_Backspace, _M.NoModifier, "\x08", True),
    (_K.Key_Tab, _M.NoModifier, "\t", True),
    (_K.Key_Backtab, _M.ShiftModifier, "", True),
    (_K.Key_Left, _M.ShiftModifier, "", True),
    (_K.Key_Return, _M.NoModifier, "\r", True),
    (_K.Key_Shift, _M.ShiftModifier, "", True),
    (_K.Key_Delete, _M.NoModifier, "", True),
    (_K.Key_Delete, _M.ShiftModifier, "", False),  # cut
    (_K.Key_Insert, _M.ShiftModifier, "", False),  # paste
    (_K.Key_Insert, _M.NoModifier, "", False),
    (_K.Key_F4, _M.AltModifier, "", False),
    (_K.Key_Tab, _M.AltModifier, "\t", False),
    (_K.Key_Space, _M.AltModifier, " ", False),
    (_K.Key_Q, _M.ControlModifier, "\x11", False),
    (_K.Key_W, _M.ControlModifier, "\x17", False),
    (_K.Key_V, _M.ControlModifier, "\x16", False),
    (_K.Key_Z, _M.ControlModifier, "\x1a", False),
    (_K.Key_Delete, _M.ControlModifier | _M.AltModifier, "", False),
    (_K.Key_F1, _M.ControlModifier | _M.AltModifier, "", False),
    (_K.Key_F1, _M.NoModifier, "", False),
    (_K.Key_F1, _M.ShiftModifier, "", False),  # What's This
    (_K.Key_F10, _M.ShiftModifier, "", False),  # context menu
    (_K.Key_F35, _M.NoModifier, "", False),
    (_K.Key_Menu, _M.NoModifier, "", False),
    (_K.Key_Super_L, _M.NoModifier, "", False),
    (_K.Key_Meta, _M.MetaModifier, "", False),
    (_K.Key_E, _M.MetaModifier, "e", False),
    (_K.Key_Print, _M.NoModifier, "", False),
    (_K.Key_SysReq, _M.AltModifier, "", False),
    (_K.Key_Escape, _M.NoModifier, "\x1b", False),
    (_K.Key_Q, _M.ControlModifier | _M.ShiftModifier, "Q", False),
])
def test_the_key_allow_list(key: Qt.Key, mods: Qt.KeyboardModifier, text: str,
                            allowed: bool) -> None:
    assert key_allowed(key, mods, text) is allowed


def test_escape_only_where_wanted_and_the_quit_chord_only_when_asked() -> None:
    assert key_allowed(_K.Key_Escape, _M.NoModifier, "\x1b", escape_wanted=True)
    assert not key_allowed(_K.Key_Escape, _M.ShiftModifier, "\x1b", escape_wanted=True)
    quit_chord = _M.ControlModifier | _M.ShiftModifier
    assert key_allowed(_K.Key_Q, quit_chord, "Q", quit_chord=True)
    assert not key_allowed(_K.Key_Q, quit_chord | _M.AltModifier, "Q", quit_chord=True)
    assert not key_allowed(_K.Key_W, quit_chord, "W", quit_chord=True)


def _shown(window: QWidget) -> list[QWidget]:
    return [w for w in window.findChildren(QWidget) if w.isVisible()]


def _at(window: QWidget, target: QWidget) -> QPoint:
    return target.mapTo(window, target.rect().center())


@pytest.mark.parametrize("kind", ["attract", "menu", "question", "staff_panel"])
def test_context_menus_drops_and_other_buttons_are_refused_at_every_widget(
        make_kiosk, qtbot, kind: str) -> None:
    kiosk = make_kiosk()
    window, lockdown = kiosk.window, kiosk.lockdown
    reach(kiosk, kind)
    handle = window.windowHandle()
    before = where(kiosk)
    widgets = _shown(window)
    fields = [w for w in widgets if isinstance(w, QLineEdit)]
    for target in widgets:
        point = _at(window, target)
        # As the platform delivers them: through the native window, at the widget.
        QApplication.sendEvent(handle, QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, point, window.mapToGlobal(point)))
        uris = QMimeData()
        uris.setUrls([QUrl("file:///etc/passwd")])
        uris.setText("file:///etc/passwd")
        enter = QDragEnterEvent(point, Qt.DropAction.CopyAction, uris,
                                Qt.MouseButton.LeftButton, _M.NoModifier)
        QApplication.sendEvent(handle, enter)
        assert not enter.isAccepted()
        QApplication.sendEvent(handle, QDropEvent(QPointF(point), Qt.DropAction.CopyAction, uris,
                                                  Qt.MouseButton.LeftButton, _M.NoModifier))
        for button in (Qt.MouseButton.RightButton, Qt.MouseButton.MiddleButton):
            QTest.mouseClick(handle, button, _M.NoModifier, point)
        # And straight to the widget, as only our own code could: no menu of its own.
        QApplication.sendEvent(target, QContextMenuEvent(
            QContextMenuEvent.Reason.Keyboard, QPoint(1, 1), target.mapToGlobal(QPoint(1, 1))))
        assert QApplication.activePopupWidget() is None, f"a menu on {target.objectName()}"
    assert where(kiosk) == before
    assert all("passwd" not in f.text() for f in fields)
    assert lockdown.refused["menu"] >= len(widgets)
    assert lockdown.refused["drop"] >= len(widgets)
    assert lockdown.refused["button"] >= 2 * len(widgets)
    assert window.acceptDrops() is False


def test_a_middle_click_pastes_nothing_into_the_focused_field(make_kiosk, qtbot) -> None:
    """Offscreen has no PRIMARY (`supportsSelection()` is False): the click is refused
    before the field sees it all the same. The paste itself: test_x11_lockdown.py."""
    kiosk = make_kiosk()
    field = reach(kiosk, "question")
    assert isinstance(field, QLineEdit)
    field.setText("DE99")
    handle = kiosk.window.windowHandle()
    refused = kiosk.lockdown.refused["button"]
    QTest.mouseClick(handle, Qt.MouseButton.MiddleButton, _M.NoModifier, _at(kiosk.window, field))
    assert field.text() == "DE99"
    assert kiosk.lockdown.refused["button"] == refused + 2  # press and release


def test_minimised_or_out_of_full_screen_it_comes_back_unless_in_maintenance(
        make_kiosk, qtbot) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    window.showFullScreen()
    qtbot.waitUntil(window.isFullScreen)
    window.showMinimized()
    qtbot.waitUntil(lambda: window.isFullScreen() and not window.isMinimized(), timeout=5000)
    window.showNormal()
    qtbot.waitUntil(window.isFullScreen, timeout=5000)
    # Offscreen echoes each change back from the "platform" a moment later: counted again.
    assert kiosk.lockdown.refused["state"] >= 2
    kiosk.lockdown.maintenance = True
    window.showNormal()
    QTest.qWait(50)  # a restore would be queued on a zero timer: let any run
    assert not window.isFullScreen()


def test_our_own_code_may_close_the_window(make_kiosk, qtbot) -> None:
    """A close from the window system (spontaneous: Alt+F4 under a window manager) is refused;
    offscreen cannot make one, so test_x11_lockdown.py does. Our own close goes through."""
    kiosk = make_kiosk()
    assert kiosk.window.close()
    assert not kiosk.window.isVisible()


def test_one_lock_per_window_and_it_runs_before_the_kiosk_filters(make_kiosk, qtbot) -> None:
    from ui.lockdown import install_lockdown

    kiosk = make_kiosk()
    again = install_lockdown(kiosk.window.page)
    assert again is kiosk.lockdown
    assert len(kiosk.window.findChildren(Lockdown)) == 1
    app = QApplication.instance()
    assert len(app.findChildren(AppLockdown)) == 1


def _processes_started_since(pid: int, before: set[int]) -> list[str]:
    """Our children and anything else started since (a detached launch is reparented)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in before:
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid or "xdg-open" in command or "launched-by-kiosk" in command:
            found.append(command or stat)
    return found


def test_no_url_scheme_opens_anything(make_kiosk, qtbot, tmp_path: Path, monkeypatch,
                                      caplog) -> None:
    """K5: every scheme, named or not, starts no process and shows no window. A fake
    `xdg-open` (and browser) on PATH would leave a mark if anything tried."""
    fake = tmp_path / "bin"
    fake.mkdir()
    mark = tmp_path / "launched"
    for name in ("xdg-open", "x-www-browser", "firefox", "chromium"):
        (fake / name).write_text(f"#!/bin/sh\necho launched-by-kiosk \"$@\" >> {mark}\n")
        (fake / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    monkeypatch.setenv("BROWSER", str(fake / "firefox"))
    caplog.set_level(logging.WARNING)
    kiosk = make_kiosk()
    app_lock = QApplication.instance().findChild(AppLockdown)
    shown = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
    before = {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()}
    refused = app_lock.refused_urls
    named = ["http://example.org/?postcode=DE99", "https://x", "file:///etc/passwd", "mailto:a@b",
             "tel:999", "ftp://x/", "smb://server/share", "irc://x/#c", "data:text/html,<b>x</b>",
             "javascript:alert(1)", "about:blank", "FILE:///etc/shadow", "C:/Windows",
             "etc/passwd", "ssh://root@x", "magnet:?xt=urn:x", "vnc://x"]
    for url in named + [f"{scheme}:probe" for scheme in REFUSED_SCHEMES if scheme]:
        QDesktopServices.openUrl(QUrl(url))
    QDesktopServices.openUrl(QUrl("x-kiosk-unregistered:probe"))  # Qt has no catch-all
    QTest.qWait(300)  # a detached launch takes a moment to show up
    assert _processes_started_since(os.getpid(), before) == []
    assert not mark.exists()
    assert {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()} <= shown
    assert app_lock.refused_urls - refused == len(named) + len(REFUSED_SCHEMES) - 1
    assert "postcode" not in caplog.text
    assert "passwd" not in caplog.text
    assert kiosk.window.isVisible()


def test_links_in_catalogue_text_are_shown_as_text(make_kiosk, qtbot) -> None:
    """V5: a service title or description from the catalogue with HTML in it is shown
    as the characters it is, never as a link or an image."""
    from kiosk.localtext import LocalText
    from ui.pages.menu import MenuPage

    kiosk = make_kiosk()
    window = kiosk.window
    hostile = '<a href="file:///etc/passwd">Open</a><img src="file:///etc/x.png">'
    service = kiosk.terminal.session.services()[0].model_copy(
        update={"title": LocalText({"en": hostile}), "description": LocalText({"en": hostile})})
    page = MenuPage(window.texts, window.theme, window.intents, (service,))
    qtbot.addWidget(page)
    words = page.buttons[0].words
    assert "<a href" in words.accessibleName() or "<a href" in page.buttons[0].accessibleName()
    activated: list[str] = []
    words.linkActivated.connect(activated.append)
    assert words.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction
    assert not words.openExternalLinks()
    for label in page.findChildren(QLabel):
        assert not label.openExternalLinks()
    assert activated == []


# ----- quitting still works, through the real start-up path --------------------------------


def probe(tmp_path: Path, *args: str, extra_env: dict[str, str] | None = None) -> Watched:
    """tests/ui/start_up_probe.py: `kiosk run`'s path offscreen, in a process of its own."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="offscreen", **(extra_env or {}))
    return Watched([sys.executable, "-m", "tests.ui.start_up_probe", str(tmp_path / "state"),
                    *args], env, Path(__file__).resolve().parents[2])


def _exit_code(process: Watched, timeout: float = 30) -> int:
    process.wait_for(lambda: process.proc.poll() is not None, timeout, "the kiosk to exit")
    return int(process.proc.returncode)


def test_the_demo_quit_chord_still_quits(tmp_path: Path) -> None:
    process = probe(tmp_path, "quit-chord")
    try:
        process.wait_for_line("KIOSK-IN", 30)
        assert _exit_code(process) == 0, process.output()
    finally:
        process.stop()


def test_sigterm_still_ends_the_app_cleanly(tmp_path: Path) -> None:
    """app.quit() (what SIGTERM asks for) closes every window first in Qt 6: the lock lets
    our own closes through, so the event loop ends and `finally` closes the kiosk."""
    process = probe(tmp_path)
    try:
        process.wait_for_line("KIOSK-IN", 30)
        assert process.terminate(30) == 0, process.output()
    finally:
        process.stop()

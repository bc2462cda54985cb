"""The call view with its page (docs/calls.md §4): the bridge both ways, the page built from a
template, a fresh profile per call, and a teardown that proves the call left nothing.

The page is a stand-in template (tests/ui/call_pages/echo.html) with the real template's
three places to fill; it echoes every order back through `report`.
"""

from __future__ import annotations

import json

import pytest

from tests.ui.call_support import ECHO_TEMPLATE, MESH_STUB, engine_environment, run_js

engine_environment()

HUB = "http://127.0.0.1:9"  # never contacted: the echo page opens no connection
NASTY = "</script><script>kiosk.report('{\"event\":\"error\",\"what\":\"injected\"}')</script><!-- & é"


class Call:
    """One call view on the echo page, and everything its page reported."""

    def __init__(self, qtbot, tmp_path, call_id: str, labels: dict[str, str]) -> None:
        from ui.call.page_html import CallConfig
        from ui.call.view import CallView

        self.qtbot = qtbot
        self.view = CallView(HUB, fake_media=True, storage_parent=tmp_path)
        qtbot.addWidget(self.view)
        self.view.resize(640, 480)
        self.view.show()
        self.errors: list[str] = []
        self.captions: list[tuple[str, str, bool]] = []
        self.ended: list[tuple[str, str]] = []
        events = self.view.events
        events.error.connect(self.errors.append)
        events.caption.connect(lambda *args: self.captions.append(args))
        events.call_ended.connect(lambda *args: self.ended.append(args))
        with qtbot.waitSignal(events.welcome, timeout=10000) as welcome:
            self.view.start(CallConfig(self.view.hub, call_id, f"token-{call_id}", labels),
                            template=ECHO_TEMPLATE, mesh=MESH_STUB)
        assert welcome.args == [call_id]
        self.said("stored ")  # the page's last word on loading

    def said(self, prefix: str) -> str:
        self.qtbot.waitUntil(lambda: any(e.startswith(prefix) for e in self.errors), timeout=5000)
        return next(e for e in self.errors if e.startswith(prefix))


def test_the_bridge_carries_orders_to_the_page_and_reports_back(qtbot, tmp_path):
    call = Call(qtbot, tmp_path, "call-1", {"title": NASTY})
    view, bridge = call.view, call.view.bridge
    # The settings reached the page intact, the label could not break out of its script,
    # and the mesh code was put in.
    assert json.loads(call.said("config ").removeprefix("config ")) == {
        "ws_url": "ws://127.0.0.1:9/calls/v1/ws", "call_id": "call-1", "token": "token-call-1",
        "role": "kiosk", "labels": {"title": NASTY}}
    assert ("label", NASTY, True) in call.captions
    assert call.said("mesh ") == "mesh true"
    assert run_js(qtbot, view.page, "document.getElementById('label').textContent") == NASTY
    assert "injected" not in call.errors
    assert view.page.url().toString() == "http://127.0.0.1:9/kiosk-call"

    bridge.mute(True)
    assert call.said("muted ") == "muted true"
    bridge.camera_off(True)
    assert call.said("camera off ") == "camera off true"
    bridge.send_text("Can you hear me?", False)
    qtbot.waitUntil(lambda: ("echo", "Can you hear me?", False) in call.captions)
    bridge.send_summary("missed-bin", [("Address", "1 High Street")])
    assert json.loads(call.said("summary ").removeprefix("summary "))["rows"] == [
        {"label": "Address", "value": "1 High Street"}]
    bridge.hang_up()
    qtbot.waitUntil(lambda: call.ended == [("resident_ended", "kiosk")])

    # A report that breaks the contract is dropped and counted, never delivered.
    run_js(qtbot, view.page, "kiosk.report('{\"event\": \"launch\"}'); kiosk.report('oops'); 1")
    qtbot.waitUntil(lambda: bridge.malformed == 2)
    assert view.teardown() == []


def test_each_call_gets_a_fresh_profile_and_leaves_no_folder(qtbot, tmp_path):
    first = Call(qtbot, tmp_path, "call-1", {})
    assert first.said("stored ") == "stored null "  # nothing before the first call
    page = first.view.page
    # Within the call the page's storage works (it is in memory, not on disk).
    assert run_js(qtbot, page, "localStorage.getItem('left-by-last-call')") == "call-1"
    assert run_js(qtbot, page, "document.cookie") == "last_call=call-1"
    folder = first.view.folder
    assert folder.is_dir()
    assert list(folder.rglob("*")) == []
    assert first.view.wipe_check() == ["the call view was not torn down"]
    with qtbot.waitSignal(first.view.torn_down) as torn:
        assert first.view.teardown() == []
    assert torn.args == [[]]
    assert not folder.exists()
    assert first.view.wipe_check() == []
    assert first.view.teardown() == []  # once is enough; again says the same

    second = Call(qtbot, tmp_path, "call-2", {})
    assert second.said("stored ") == "stored null "  # the first call's storage is gone
    assert second.view.folder != folder
    second.view.close()  # closing the widget tears the call down too
    assert second.view.wipe_check() == []
    assert not second.view.folder.exists()


def test_a_teardown_that_finds_something_written_says_so(qtbot, tmp_path):
    """The session wipe fails closed on this: something of the call reached the disk."""
    call = Call(qtbot, tmp_path, "call-1", {})
    (call.view.folder / "storage").mkdir()
    (call.view.folder / "storage" / "Cookies").write_bytes(b"resident's cookie")
    problems = call.view.teardown()
    assert problems == ["the call's web folder held 1 file(s) after the call"]
    assert call.view.wipe_check() == problems
    assert not call.view.folder.exists()


def test_a_page_for_another_hub_is_refused(qtbot, tmp_path):
    from ui.call.page_html import CallConfig, CallPageError
    from ui.call.policy import Origin
    from ui.call.view import CallView

    with pytest.raises(ValueError, match="need the hub on https"):
        CallView("http://10.1.2.3:8000", storage_parent=tmp_path)
    view = CallView(HUB, storage_parent=tmp_path)
    qtbot.addWidget(view)
    with pytest.raises(ValueError, match="not the hub this view trusts"):
        view.start(CallConfig(Origin.parse("http://127.0.0.1:10"), "c", "t"),
                   template=ECHO_TEMPLATE, mesh=MESH_STUB)
    with pytest.raises(CallPageError, match="template is missing"):
        view.start(CallConfig(view.hub, "c", "t"), template=tmp_path / "absent.html",
                   mesh=MESH_STUB)
    assert view.teardown() == []
    with pytest.raises(RuntimeError, match="torn down"):
        view.start(CallConfig(view.hub, "c", "t"), template=ECHO_TEMPLATE, mesh=MESH_STUB)


def test_a_view_deleted_without_its_teardown_still_ends_page_then_profile(qtbot, tmp_path, caplog):
    """Its parent went first (a page being destroyed, say): no crash, no folder left."""
    import shiboken6
    from PySide6.QtWidgets import QWidget

    holder = QWidget()
    call = Call(qtbot, tmp_path, "call-1", {})
    call.view.setParent(holder)
    page, folder = call.view.page, call.view.folder
    shiboken6.delete(holder)
    assert not shiboken6.isValid(page)
    assert not folder.exists()
    assert "deleted without its teardown" in caplog.text

"""The live call: the advisor's video large (the locked-down web view, `ui/call/`), and
around it native, themed controls — Mute, Camera off, End call, the captions of what the
advisor types (real-time text, for residents who cannot hear well) and a text box for
residents who cannot speak.

Imported only when an advisor answers: it loads QtWebEngine. What the page reports that
changes the call (it ended, the advisor's connection dropped) goes to the terminal's
`CallDesk`, which decides; this view only shows and forwards.

The view is torn down (page, then profile, then its private folder, verified) when the
window retires it; a teardown that cannot be verified ends the visit, and the wipe's check
then fails closed (docs/calls.md, "Privacy").
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from accessibility.themes import Theme
from kiosk.calls.screens import CallLiveScreen
from kiosk.terminal_calls import CallDesk
from kiosk.texts import Texts
from ui.call.bridge import PeerStats
from ui.call.page_html import CallConfig
from ui.call.view import CallView
from ui.pages.base import Intents
from ui.widgets import button, label, line_edit

log = logging.getLogger(__name__)

CAPTION_LINES = 4
# What the page may report that means the call cannot go on from here.
FATAL_ERRORS = frozenset({"disconnected", "refused", "render_process_ended", "ice_failed",
                          "autoplay"})


class CallLiveView(QWidget):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents, screen: CallLiveScreen,
                 desk: CallDesk, *, on_teardown_failed: Callable[[list[str]], None]) -> None:
        super().__init__()
        self.setObjectName("page")
        self.setProperty("pageName", "call_live")
        self.texts, self.theme, self.desk, self.call_screen = texts, theme, desk, screen
        self._on_teardown_failed = on_teardown_failed
        self._muted = self._camera_off = self._summary_sent = False
        self._finals: list[str] = []
        self._draft = ""
        self.last_stats: list[PeerStats] = []
        settings = desk.settings
        if settings is not None and settings.fake_media and os.geteuid() == 0:
            # The demo (and tests) may run as root, where Chromium's sandbox cannot start
            # (stack-notes.md). A production kiosk runs as its own user, sandboxed; fake_media
            # is refused in production profiles, so this never loosens one.
            os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
        self.call = CallView(screen.origin, fake_media=bool(settings and settings.fake_media),
                             parent=self)
        events = self.call.events
        events.connected.connect(self._connected)
        events.peer_joined.connect(self._peer_joined)
        events.peer_left.connect(self._peer_left)
        events.caption.connect(self._caption)
        events.call_ended.connect(self._ended)
        events.error.connect(self._error)
        events.media.connect(self._media)
        events.stats.connect(self._stats)
        self._build(texts, theme, intents)
        labels = {"connecting": texts("call.live.connecting"),
                  "advisor": texts("call.live.advisor_label"),
                  "interpreter": texts("call.live.interpreter_label"),
                  "you": texts("call.live.you"), "lang": texts.language}
        self.call.start(CallConfig(self.call.hub, screen.call_id, screen.token, labels))

    # ----- layout ------------------------------------------------------------------------

    def _build(self, texts: Texts, theme: Theme, intents: Intents) -> None:
        outer = QVBoxLayout(self)
        m = theme.margin_px
        outer.setContentsMargins(m, theme.gap_px, m, 0)
        outer.setSpacing(theme.gap_px)
        self.status = label(texts("call.live.connecting"), "heading", name="title")
        outer.addWidget(self.status)
        self.note = label("", "hint", name="callNote")
        self.note.hide()
        outer.addWidget(self.note)
        middle = QHBoxLayout()
        middle.setSpacing(theme.gap_px * 2)
        middle.addWidget(self.call, 3)
        side = QVBoxLayout()
        side.setSpacing(theme.gap_px)
        side.addWidget(label(texts("call.live.captions_title"), "value", name="captionsTitle"))
        self.captions = label(texts("call.live.captions_empty"), "", name="captions")
        self.captions.setTextFormat(Qt.TextFormat.PlainText)
        self.captions.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        side.addWidget(self.captions, 1)
        self.shared = label(texts("call.live.answers_shared"), "hint", name="answersShared")
        self.shared.hide()
        side.addWidget(self.shared)
        side.addWidget(label(texts("call.live.type_label"), "value", name="typeLabel"))
        self.text_box = line_edit("", max_length=500, name="residentText")
        self.text_box.textEdited.connect(lambda text: self.call.bridge.send_text(text, False))
        self.text_box.returnPressed.connect(self._send)
        side.addWidget(self.text_box)
        self.send_button = button(texts("call.live.send"), name="sendText")
        self.send_button.clicked.connect(self._send)
        side.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignLeft)
        middle.addLayout(side, 2)
        outer.addLayout(middle, 1)
        bar = QWidget()
        bar.setObjectName("actionBar")
        bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, theme.gap_px, 0, theme.gap_px)
        row.setSpacing(theme.gap_px * 2)
        self.mute_button = button(texts("call.live.mute"), name="mute")
        self.mute_button.clicked.connect(self._toggle_mute)
        self.camera_button = button(texts("call.live.camera_off"), name="cameraOff")
        self.camera_button.clicked.connect(self._toggle_camera)
        self.end_button = button(texts("call.live.end"), "primary", name="endCall")
        self.end_button.clicked.connect(intents.leave_call)
        for widget in (self.mute_button, self.camera_button):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.end_button)
        outer.addWidget(bar)

    def focus_first(self) -> None:
        self.end_button.setFocus()

    # ----- the resident's controls -------------------------------------------------------

    def _toggle_mute(self) -> None:
        self._muted = not self._muted
        self.call.bridge.mute(self._muted)
        self.mute_button.setText(self.texts("call.live.unmute" if self._muted else "call.live.mute"))

    def _toggle_camera(self) -> None:
        self._camera_off = not self._camera_off
        self.call.bridge.camera_off(self._camera_off)
        self.camera_button.setText(self.texts("call.live.camera_on" if self._camera_off
                                              else "call.live.camera_off"))

    def _send(self) -> None:
        text = self.text_box.text().strip()
        if text:
            self.call.bridge.send_text(text, True)
        self.text_box.clear()

    # ----- what the page reports ---------------------------------------------------------

    def _connected(self, peer_id: str, role: str) -> None:
        if role != "advisor":
            return
        self.status.setText(self.texts("call.live.connected"))
        summary = self.desk.summary()
        if summary is not None and not self._summary_sent:
            self._summary_sent = True
            self.call.bridge.send_summary(summary["service"], [
                (row["label"], row["value"]) for row in summary["rows"]])
            self.shared.show()

    def _peer_joined(self, peer_id: str, role: str) -> None:
        if role == "interpreter":
            self._say(self.texts("call.live.interpreter_joined"))

    def _peer_left(self, peer_id: str, role: str, reason: str) -> None:
        if role == "interpreter":
            self._say(self.texts("call.live.interpreter_left"))
        self.desk.call_event("peer_left", {"peer_id": peer_id, "role": role, "reason": reason})

    def _caption(self, role: str, text: str, final: bool) -> None:
        if final:
            self._finals = [*self._finals, text][-CAPTION_LINES:]
            self._draft = ""
        else:
            self._draft = text
        shown = [*self._finals, self._draft] if self._draft else list(self._finals)
        self.captions.setText("\n".join(shown) or self.texts("call.live.captions_empty"))

    def _ended(self, reason: str, by: str) -> None:
        self.desk.call_event("call_ended", {"reason": reason, "by": by})

    def _error(self, what: str) -> None:
        log.warning("call page reported an error: %s", what)
        if what in FATAL_ERRORS:
            self.desk.call_event("error", {"what": what})

    def _media(self, ok: bool, error: str) -> None:
        if not ok:
            log.warning("the camera or microphone could not be opened: %s", error[:80])
            self.desk.call_event("error", {"what": "media"})

    def _stats(self, peers: list[PeerStats]) -> None:
        self.last_stats = peers

    def _say(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()

    # ----- the end -----------------------------------------------------------------------

    def retire_call(self) -> list[str]:
        """The window is taking this page away: say goodbye, then tear the view down and
        verify. Problems are handed to the window, which fails closed."""
        self.call.bridge.hang_up()
        problems = self.call.teardown()
        if problems:
            self._on_teardown_failed(problems)
        return problems


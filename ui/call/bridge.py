"""The QWebChannel object between the native controls and the call page (docs/calls.md §4).

`CallBridge` is registered as `kiosk`. Its signals are the page's orders (mute, camera off,
text, summary, hang up); its one slot, `report(json)`, is how the page tells Qt what
happened. Everything a page can reach is on it: a QWebChannel publishes an object's signals,
slots and properties, so the Python-facing signals live on a separate object, `CallEvents`,
that is never registered.

A report is untrusted input: it is parsed against the contract's fields and types, text is
capped, and anything else is counted in `malformed` and dropped, logged by kind only (a
caption's text is what the advisor said to the resident). Events reach `CallEvents` on the
next turn of the event loop, never inside the page's call: a handler may tear the view down
(the call ended), and deleting a page from inside its own web channel message is unsafe.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot

from ui.call.policy import Refusals

log = logging.getLogger(__name__)

TEXT_LIMIT = 500  # docs/calls.md §2.3: captions and typed text are capped at 500 characters
NAME_LIMIT = 100  # peer ids, roles, reasons
REPORT_LIMIT = 64 * 1024

# The contract's events: field → (type, may be null).
_STR, _BOOL, _INT, _LIST = str, bool, int, list
EVENT_FIELDS: dict[str, dict[str, tuple[type, bool]]] = {
    "media": {"ok": (_BOOL, False), "error": (_STR, True)},
    "welcome": {"peer_id": (_STR, False)},
    "peer_joined": {"peer_id": (_STR, False), "role": (_STR, False)},
    "peer_left": {"peer_id": (_STR, False), "role": (_STR, False), "reason": (_STR, False)},
    "connected": {"peer_id": (_STR, False), "role": (_STR, False)},
    "caption": {"role": (_STR, False), "text": (_STR, False), "final": (_BOOL, False)},
    "call_ended": {"reason": (_STR, False), "by": (_STR, False)},
    "stats": {"peers": (_LIST, False)},
    "error": {"what": (_STR, False)},
}
_LONG_TEXT = frozenset({"text", "what"})


class MalformedReport(ValueError):
    """A report that does not follow docs/calls.md §4. The message never quotes it."""


@dataclass(frozen=True)
class PeerStats:
    """One other peer's media, once a second (EN 301 549: ≥ 20 fps, ≥ 320×240)."""

    role: str
    frames_decoded: int
    fps: float
    width: int
    height: int
    audio_bytes: int


def parse_report(text: str) -> tuple[str, dict[str, Any]]:
    """The event's kind and its checked fields (text capped, numbers typed)."""
    if len(text) > REPORT_LIMIT:
        raise MalformedReport("report too long")
    try:
        data = json.loads(text)
    except ValueError:
        raise MalformedReport("report is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise MalformedReport("report has no event")
    kind = data["event"]
    fields = EVENT_FIELDS.get(kind)
    if fields is None:
        raise MalformedReport("unknown event")
    values: dict[str, Any] = {}
    for name, (kind_of, nullable) in fields.items():
        value = data.get(name)
        if value is None and nullable:
            values[name] = None
            continue
        if not isinstance(value, kind_of) or (kind_of is int and isinstance(value, bool)):
            raise MalformedReport(f"{kind}: field {name} missing or of the wrong type")
        if isinstance(value, str):
            value = value[:TEXT_LIMIT if name in _LONG_TEXT else NAME_LIMIT]
        values[name] = value
    if kind == "stats":
        values["peers"] = [_peer_stats(entry) for entry in values["peers"][:8]]
    return kind, values


def _peer_stats(entry: object) -> PeerStats:
    if not isinstance(entry, dict) or not isinstance(entry.get("role"), str):
        raise MalformedReport("stats: a peer without a role")

    def number(name: str) -> float:
        value = entry.get(name, 0)
        if value is None:
            return 0.0
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise MalformedReport(f"stats: {name} is not a number")
        return float(value)

    return PeerStats(role=entry["role"][:NAME_LIMIT], frames_decoded=int(number("frames_decoded")),
                     fps=number("fps"), width=int(number("width")), height=int(number("height")),
                     audio_bytes=int(number("audio_bytes")))


class CallEvents(QObject):
    """What the page reported, one signal per event of docs/calls.md §4. Empty strings stand
    for the contract's nulls."""

    media = Signal(bool, str)  # ok, error
    welcome = Signal(str)  # peer_id
    peer_joined = Signal(str, str)  # peer_id, role
    peer_left = Signal(str, str, str)  # peer_id, role, reason
    connected = Signal(str, str)  # peer_id, role
    caption = Signal(str, str, bool)  # role, text, final
    call_ended = Signal(str, str)  # reason, by
    stats = Signal(list)  # [PeerStats]
    error = Signal(str)  # what
    _arrived = Signal(str, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._arrived.connect(self.deliver, Qt.ConnectionType.QueuedConnection)

    def post(self, kind: str, values: dict[str, Any]) -> None:
        """Deliver on the next turn of the event loop."""
        self._arrived.emit(kind, values)

    def deliver(self, kind: str, values: dict[str, Any]) -> None:
        if kind == "media":
            self.media.emit(values["ok"], values["error"] or "")
        elif kind == "welcome":
            self.welcome.emit(values["peer_id"])
        elif kind == "peer_joined":
            self.peer_joined.emit(values["peer_id"], values["role"])
        elif kind == "peer_left":
            self.peer_left.emit(values["peer_id"], values["role"], values["reason"])
        elif kind == "connected":
            self.connected.emit(values["peer_id"], values["role"])
        elif kind == "caption":
            self.caption.emit(values["role"], values["text"], values["final"])
        elif kind == "call_ended":
            self.call_ended.emit(values["reason"], values["by"])
        elif kind == "stats":
            self.stats.emit(values["peers"])
        elif kind == "error":
            self.error.emit(values["what"])


class CallBridge(QObject):
    """The object the page sees as `kiosk`. Call the methods; the page hears the signals.

    A web channel also publishes the slots every QObject has, `deleteLater` among them, and
    Qt 6.11 carries out `kiosk.deleteLater()` from the page (measured: the bridge was gone,
    and the teardown that followed crashed). So the bridge refuses to be deleted by a
    posted event: only its owner, the call view, deletes it (directly, with its parent).
    """

    # Qt → page (docs/calls.md §4)
    muteRequested = Signal(bool)
    cameraOffRequested = Signal(bool)
    textToSend = Signal(str, bool)
    summaryToSend = Signal(str)
    hangUpRequested = Signal()

    def __init__(self, refusals: Refusals, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.refusals = refusals
        self.events = CallEvents(self)
        self.malformed = 0

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.DeferredDelete:
            self.refusals.note("bridge_deletion")
            return True
        return super().event(event)

    # ----- Qt → page -----------------------------------------------------------------------

    def mute(self, muted: bool) -> None:
        self.muteRequested.emit(muted)

    def camera_off(self, off: bool) -> None:
        self.cameraOffRequested.emit(off)

    def send_text(self, text: str, final: bool) -> None:
        """The resident's typed text, as real-time text (every keystroke; `final` on Enter)."""
        self.textToSend.emit(text[:TEXT_LIMIT], final)

    def send_summary(self, service: str, rows: list[tuple[str, str]]) -> None:
        """The journey so far, for the advisor: only after the resident agreed (the caller's
        duty, docs/calls.md §2.3)."""
        self.summaryToSend.emit(json.dumps({
            "type": "summary", "service": service,
            "rows": [{"label": label, "value": value} for label, value in rows]}))

    def hang_up(self) -> None:
        self.hangUpRequested.emit()

    # ----- page → Qt -----------------------------------------------------------------------

    @Slot(str)
    def report(self, text: str) -> None:
        try:
            kind, values = parse_report(text)
        except MalformedReport as exc:
            self.malformed += 1
            log.warning("call page sent a malformed report: %s", exc)
            return
        self.events.post(kind, values)

"""What the kiosk asks of the hub's call queue, and every answer it can get back.

A backend never raises: each method returns a typed outcome, and `CallUnavailable` carries a
short reason and a detail with no URL, no token and none of the hub's free text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

UnavailableReason = Literal["unreachable", "timeout", "refused", "bad_answer", "not_configured"]
EndReason = Literal["resident_left_queue", "resident_ended", "session_ended", "no_answer",
                    "kiosk_error"]
CallState = Literal["queued", "answered", "ended"]


@dataclass(frozen=True)
class JoinRequest:
    terminal: str
    site: str
    service: str | None
    language: str
    interpreter: str | None


@dataclass(frozen=True)
class Joined:
    call_id: str
    token: str = field(repr=False)
    position: int
    wait_seconds: int


@dataclass(frozen=True)
class CallStatus:
    state: CallState
    position: int | None = None
    wait_seconds: int | None = None
    end_reason: str | None = None
    advisors_available: int = 0


@dataclass(frozen=True)
class CallUnavailable:
    reason: UnavailableReason
    detail: str = ""


class Calls(Protocol):
    """The council's call queue (the hub's, or the fake's)."""

    @property
    def signalling_url(self) -> str:
        """The WebSocket the call page connects to (ws:// or wss://)."""

    @property
    def origin(self) -> str:
        """The hub's origin: the only one the call page may use camera and microphone on."""

    def join(self, request: JoinRequest) -> Joined | CallUnavailable: ...

    def status(self, call_id: str, token: str) -> CallStatus | CallUnavailable: ...

    def end(self, call_id: str, token: str, reason: EndReason) -> bool: ...

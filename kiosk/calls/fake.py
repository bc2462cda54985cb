"""A call queue in memory, for headless tests and fault injection: the same interface as
`HubCalls`, with an "advisor" the test drives (`answer`, `hang_up`) and faults it can set."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field

from kiosk.calls.base import CallStatus, CallUnavailable, EndReason, Joined, JoinRequest


@dataclass
class _Call:
    request: JoinRequest
    token: str
    state: str = "queued"
    end_reason: str | None = None
    ended_by_kiosk: str | None = None


@dataclass
class FakeCalls:
    origin: str = "http://127.0.0.1:9"
    signalling_url: str = "ws://127.0.0.1:9/calls/v1/ws"
    mean_call_seconds: int = 300
    advisors: int = 1
    # Faults a test sets: every request fails with this reason, or status answers stop.
    failing: str | None = None
    calls: dict[str, _Call] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def join(self, request: JoinRequest) -> Joined | CallUnavailable:
        with self._lock:
            if self.failing:
                return CallUnavailable("unreachable", self.failing)
            call_id = f"call-{next(self._ids)}"
            self.calls[call_id] = _Call(request, f"token-{call_id}-0123456789abcdef")
            position = self._position(call_id) or 1
            return Joined(call_id, self.calls[call_id].token, position,
                          self._wait(position))

    def status(self, call_id: str, token: str) -> CallStatus | CallUnavailable:
        with self._lock:
            if self.failing:
                return CallUnavailable("unreachable", self.failing)
            call = self.calls.get(call_id)
            if call is None or call.token != token:
                return CallUnavailable("not_configured", "HTTP 404")
            if call.state == "queued":
                position = self._position(call_id) or 1
                return CallStatus("queued", position, self._wait(position),
                                  advisors_available=self.advisors)
            return CallStatus("answered" if call.state == "answered" else "ended",
                              end_reason=call.end_reason, advisors_available=self.advisors)

    def end(self, call_id: str, token: str, reason: EndReason) -> bool:
        with self._lock:
            call = self.calls.get(call_id)
            if call is None or call.token != token or self.failing:
                return False
            if call.state != "ended":
                call.state, call.end_reason, call.ended_by_kiosk = "ended", reason, reason
            return True

    # ----- the test's advisor ------------------------------------------------------------

    def answer(self, call_id: str | None = None) -> str:
        """Answer the given call, or the oldest waiting one; its id."""
        with self._lock:
            waiting = [cid for cid, call in self.calls.items() if call.state == "queued"]
            chosen = call_id or waiting[0]
            self.calls[chosen].state = "answered"
            return chosen

    def hang_up(self, call_id: str, reason: str = "resolved") -> None:
        with self._lock:
            call = self.calls[call_id]
            call.state, call.end_reason = "ended", reason

    def _position(self, call_id: str) -> int | None:
        waiting = [cid for cid, call in self.calls.items() if call.state == "queued"]
        return waiting.index(call_id) + 1 if call_id in waiting else None

    def _wait(self, position: int) -> int:
        return position * self.mean_call_seconds // max(1, self.advisors)

"""A TEST DOUBLE of the hub's advisor JSON API and signalling (docs/calls.md §2.2-2.3), added
to a real hub app so the real console page can be driven in a browser before the calls
backend (hub/calls/, another branch) is merged. When it is, the console browser test should
drive the real backend instead, and this file goes.

The queue is a list the test fills; answering takes a call off it (409 when it has gone);
"next" answers the oldest; an invitation makes a /join link that the interpreter page's
`call_for_invite` knows; ending records the outcome and ends the call for every peer.
Signalling is `RelayCore` behind a Starlette WebSocket at /calls/v1/ws (behind the sign-in
gate like any unlisted route: the test's pages share the advisor's browser profile, so they
carry the session cookie).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, JSONResponse, Response

from tests.web_calls.harness import HARNESS_HTML, mesh_source
from tests.web_calls.signal_relay import RelayCore


class _StarletteChannel:
    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    async def recv(self) -> str:
        try:
            return await self.websocket.receive_text()
        except (WebSocketDisconnect, RuntimeError) as exc:
            raise ConnectionError("socket closed") from exc

    async def send(self, text: str) -> None:
        try:
            await self.websocket.send_text(text)
        except (WebSocketDisconnect, RuntimeError) as exc:
            raise ConnectionError("socket closed") from exc

    async def close(self, code: int) -> None:
        with contextlib.suppress(RuntimeError):
            await self.websocket.close(code)


@dataclass
class FakeCall:
    call_id: str
    site: str
    service: str | None
    service_title: str | None
    language: str
    interpreter: str | None
    waited_seconds: int
    tokens: dict[str, str] = field(default_factory=dict)

    def listed(self) -> dict[str, Any]:
        return {"call_id": self.call_id, "site": self.site, "service": self.service,
                "service_title": self.service_title, "language": self.language,
                "interpreter": self.interpreter, "waited_seconds": self.waited_seconds}


class AdvisorDouble:
    def __init__(self) -> None:
        self.core = RelayCore()
        self.available = False
        self.queue: list[FakeCall] = []
        self.calls: dict[str, FakeCall] = {}
        self.invites: dict[str, str] = {}  # invitation -> call id
        self.outcomes: dict[str, dict[str, Any]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None

    def enqueue(self, call_id: str, site: str, *, service: str | None = None,
                service_title: str | None = None, language: str = "en",
                interpreter: str | None = None, waited_seconds: int = 0) -> FakeCall:
        call = FakeCall(call_id, site, service, service_title, language, interpreter,
                        waited_seconds, {role: secrets.token_urlsafe(16)
                                         for role in ("kiosk", "advisor", "interpreter")})
        self.core.add_call(call_id, **call.tokens)
        self.calls[call_id] = call
        self.queue.append(call)
        return call

    def call_for_invite(self, sessions: object, token: str) -> tuple[str, str] | None:
        """Stands in for hub.calls.invites.call_for_invite."""
        call_id = self.invites.get(token)
        return None if call_id is None else (call_id, self.calls[call_id].tokens["interpreter"])

    def end_from_test(self, call_id: str, reason: str, by: str) -> None:
        assert self.loop is not None, "no socket has connected yet"
        asyncio.run_coroutine_threadsafe(self.core.end_call(call_id, reason, by),
                                         self.loop).result(10)

    def _answer(self, call: FakeCall) -> Response:
        if call not in self.queue:
            return JSONResponse({"error": "taken"}, status_code=409)
        self.queue.remove(call)
        return JSONResponse({"call_id": call.call_id, "token": call.tokens["advisor"]})

    def router(self) -> APIRouter:
        router = APIRouter()

        @router.get("/advisor/queue")
        def queue() -> dict[str, Any]:
            return {"available": self.available, "calls": [c.listed() for c in self.queue],
                    "my_call": None}

        @router.post("/advisor/availability")
        async def availability(request: Request) -> dict[str, Any]:
            self.available = bool((await request.json())["available"])
            return {"available": self.available}

        @router.post("/advisor/calls/{call_id}/answer")
        def answer(call_id: str) -> Response:
            return self._answer(self.calls[call_id])

        @router.post("/advisor/next")
        def answer_next() -> Response:
            if not self.queue:
                return JSONResponse({"error": "none_waiting"}, status_code=404)
            return self._answer(self.queue[0])

        @router.post("/advisor/calls/{call_id}/invite")
        def invite(call_id: str) -> dict[str, str]:
            token = secrets.token_urlsafe(32)
            self.invites[token] = call_id
            return {"link": f"/join/{token}"}

        @router.post("/advisor/calls/{call_id}/end")
        async def end(call_id: str, request: Request) -> dict[str, bool]:
            self.outcomes[call_id] = await request.json()
            if not self.core.rooms[call_id].ended:
                await self.core.end_call(call_id, "advisor_ended", "advisor")
            return {"ok": True}

        @router.websocket("/calls/v1/ws")
        async def signalling(websocket: WebSocket) -> None:
            self.loop = asyncio.get_running_loop()
            await websocket.accept()
            await self.core.session(_StarletteChannel(websocket))

        @router.get("/mesh-test.html")
        def harness() -> HTMLResponse:
            return HTMLResponse(HARNESS_HTML)

        @router.get("/mesh.js")
        def mesh() -> Response:
            return Response(mesh_source(), media_type="text/javascript")

        return router

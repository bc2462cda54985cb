"""`POST /kiosk/v1/heartbeat`, and the one thread that writes what it receives.

Each request hands its body to `HeartbeatWriter` and waits for its verdict; the writer takes
everything waiting (up to `MAX_BATCH`) as one batch: one read, one transaction, one commit
(`hub.heartbeat_intake.ingest_batch`). At a beat a minute from each of thousands of
terminals, a commit per beat would spend most of the hub's time in fsync; a batch spends it
once. A beat waits for its own commit before it is answered, so "accepted" means stored.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine

from hub.db import utcnow
from hub.heartbeat_intake import REFUSALS, Verdict, ingest_batch
from kiosk.heartbeat import MAX_ENVELOPE_BYTES

log = logging.getLogger(__name__)

PATH = "/kiosk/v1/heartbeat"
MAX_BATCH = 256
_Item = tuple[bytes | None, Future[Verdict]]  # None: too large, never read


class HeartbeatWriter:
    """A daemon thread, started by the first beat, stopped by `close` (the app's lifespan)."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.clock = clock
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def submit(self, raw: bytes | None) -> Future[Verdict]:
        future: Future[Verdict] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the heartbeat writer is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="heartbeats", daemon=True)
                self._thread.start()
            self._queue.put((raw, future))
        return future

    def close(self, timeout: float = 10.0) -> None:
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            self._write(batch)
            if stop:
                return

    def _write(self, batch: list[_Item]) -> None:
        oversized = b"\0" * (MAX_ENVELOPE_BYTES + 1)  # stands for a body never read
        try:
            verdicts = ingest_batch(self.engine, [raw if raw is not None else oversized
                                                  for raw, _ in batch], self.clock())
        except Exception as exc:  # noqa: BLE001 - every waiting request gets an answer
            log.error("heartbeat batch of %d not stored: %s", len(batch), type(exc).__name__)
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), verdict in zip(batch, verdicts, strict=True):
            future.set_result(verdict)


def answer(verdict: Verdict) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if verdict.reason is None:
        return JSONResponse({"accepted": True}, status_code=verdict.status, headers=headers)
    return JSONResponse({"error": {"code": verdict.reason, "message": REFUSALS[verdict.reason][1]}},
                        status_code=verdict.status, headers=headers)


async def read_capped(request: Request, limit: int) -> bytes | None:
    """The body, or None once it passes `limit` (the rest is never read). Usage batches are
    read this way too (`hub.usage.route`)."""
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isdigit() or int(declared) > limit):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def heartbeat_router(writer: HeartbeatWriter) -> APIRouter:
    async def heartbeat(request: Request) -> Response:
        raw = await read_capped(request, MAX_ENVELOPE_BYTES)
        try:
            verdict = await asyncio.wrap_future(writer.submit(raw))
        except Exception:  # noqa: BLE001 - logged by the writer; the terminal tries again
            return JSONResponse({"error": {"code": "unavailable",
                                           "message": "The hub cannot store heartbeats now"}},
                                status_code=503, headers={"Cache-Control": "no-store"})
        return answer(verdict)

    router = APIRouter()
    router.add_api_route(PATH, heartbeat, methods=["POST"])
    return router

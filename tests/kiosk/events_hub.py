"""A hub-like server for usage events on 127.0.0.1: verifies the device's signature, parses
each batch with the shared model, stores a batch id once and answers a repeat `duplicate`,
as `{hub}/kiosk/v1/events` does. Faults: answer a status instead, or take a batch and then
hold the answer (the relay dies before hearing it)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pydantic import ValidationError

from kiosk.device_identity import PublicIdentity, unb64
from kiosk.usage_events import EventBatch


class EventsHub:
    def __init__(self, identity: PublicIdentity) -> None:
        self.identity = identity
        self.batches: dict[str, EventBatch] = {}
        self.answers: list[tuple[str, int, dict[str, Any]]] = []  # batch id, status, answer
        self.status: int | None = None  # answer this instead, storing nothing
        self.hold_next = False  # store the next batch, then wait for `release` to answer
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.url = ""

    def events(self) -> list[str]:
        """Every stored event as canonical JSON, in the order batches arrived."""
        with self.lock:
            return [e.to_json().decode() for b in self.batches.values() for e in b.events]

    def handle(self, path: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        if path.endswith("/heartbeat"):
            return 200, {}
        if not path.endswith("/kiosk/v1/events"):
            return 404, {}
        envelope = json.loads(raw)
        if envelope.get("device_id") != self.identity.device_id:
            return 403, {"detail": "unknown device"}
        body = envelope["body"].encode("ascii")
        if not self.identity.verify(unb64(envelope["signature"]), body):
            return 401, {"detail": "bad signature"}
        try:
            batch = EventBatch.parse(body)
        except ValidationError as exc:
            return 422, {"detail": str(exc.errors()[0]["loc"])}
        with self.lock:
            if self.status is not None:
                status, answer = self.status, {}
            elif batch.batch_id in self.batches:
                status, answer = 200, {"accepted": 0, "duplicate": True}
            else:
                self.batches[batch.batch_id] = batch
                status, answer = 200, {"accepted": len(batch.events), "duplicate": False}
            self.answers.append((batch.batch_id, status, answer))
            hold, self.hold_next = self.hold_next and status == 200, False
        if hold:
            self.holding.set()
            self.release.wait(30)
        return status, answer


@contextmanager
def running_events_hub(identity: PublicIdentity) -> Iterator[EventsHub]:
    hub = EventsHub(identity)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, answer = hub.handle(self.path, raw)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the relay was killed while we held the answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    hub.url = f"http://127.0.0.1:{server.server_address[1]}/kiosk/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        hub.release.set()
        server.shutdown()
        server.server_close()
        thread.join(10)

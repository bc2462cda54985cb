"""The two processes the kill test SIGKILLs, and the server that counts what arrived.

Both children run exactly the production code paths: the relay is a `RelayService` (worker
thread and socket) over the outbox file; the submission loop enqueues as the screen does and
asks the relay to deliver at once over the socket, as `deliver_and_print` does. The loop
writes "saved <id>" once `enqueue` has returned (the confirmation would say "saved"), and
"sent <id>" when the relay said delivered, each line one `write(2)` to an O_APPEND file: a
SIGKILL cannot tear a line, and what was written survives the process.

They are started from a fork server that has already imported everything, so a round costs
milliseconds, not an interpreter start.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs

from kiosk.outbox import Open311Sender, Outbox, Relay, RelayClient, RelayService, socket_path
from kiosk.submission import Submission

KEY = bytes(range(32))


def outbox_path(state_dir: str) -> Path:
    return Path(state_dir) / "outbox.db"


# "Tell us once" rounds: each submission is one row per delivery, to three destinations (all
# this test's recording server, each with its own sender, health and backoff).
PARTS = (("council_tax", "council"), ("electoral", "elections"), ("libraries", "libraries"))


def run_relay(state_dir: str, url: str, seed: int, multi: bool = False) -> None:
    """The relay process: deliver until killed. Quick backoff, so rows move within a round."""
    outbox = Outbox(outbox_path(state_dir), KEY)
    names = [to for _, to in PARTS] if multi else ["council"]
    senders = {name: Open311Sender(url, "kill-key", timeout_seconds=2.0) for name in names}
    relay = Relay(outbox, senders, time.time, random.Random(seed), base_delay=0.01,
                  max_delay=0.05, max_attempts=1_000_000)
    service = RelayService(relay, socket_path(Path(state_dir)), interval_seconds=0.01)
    service.start()
    threading.Event().wait()


def run_submissions(state_dir: str, log_path: str, seed: int, multi: bool = False) -> None:
    """The screen's side: enqueue (all the rows of a "tell us once" submission together, with
    `multi`), note "saved" for each row, sometimes ask for delivery at once and note "sent";
    until killed."""
    rng = random.Random(seed)
    outbox = Outbox(outbox_path(state_dir), KEY)
    client = RelayClient(socket_path(Path(state_dir)), wait=0.05, connect_timeout=0.2)
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    while True:
        submission = _submission(rng)
        rows = [replace(submission, submission_id=f"{submission.submission_id}-{part}",
                        destination=to, part=part) for part, to in PARTS] if multi else [submission]
        outbox.enqueue_all(rows)
        os.write(fd, "".join(f"saved {r.submission_id}\n" for r in rows).encode())
        # Not after every one: a kiosk in a busy library queues reports faster than a slow
        # back office takes them, and the relay's own passes must carry some.
        for row in rows:
            if rng.random() < 0.4 and client.deliver_now(row.submission_id):
                os.write(fd, f"sent {row.submission_id}\n".encode())


def _submission(rng: random.Random) -> Submission:
    sid = uuid.UUID(int=rng.getrandbits(128)).hex
    return Submission(
        submission_id=sid, reference=sid[:10].upper(), service_id="missed-bin",
        service_version=1, created_at="2026-11-23T10:00:00+00:00", destination="council",
        service_code="MISSED_BIN", attributes={"bin_type": "general"},
        fields={"address_string": "14, DE99 1AB", "description": "By the gate"},
    )


def confirmations(log_path: Path) -> dict[str, str]:
    """submission id -> what the confirmation said ("saved" or "sent")."""
    said: dict[str, str] = {}
    if not log_path.exists():
        return said
    for line in log_path.read_text(encoding="ascii").splitlines():
        word, _, sid = line.partition(" ")
        if word == "sent" or sid not in said:
            said[sid] = word
    return said


class RecordingServer:
    """A plain Open311 back office without idempotency: every POST is a new request, so
    every resend shows up as a duplicate. Answers after a short random pause, so kills land
    mid-request too."""

    def __init__(self, seed: int = 1) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self.received: list[str] = []  # the Idempotency-Key (submission id) of each POST
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/open311/v2"

    def __enter__(self) -> RecordingServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        server.daemon_threads = True  # a killed client may leave a handler writing into a void
        server.request_queue_size = 64
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.01,),
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()

    def record(self, key: str) -> tuple[int, float]:
        with self._lock:
            self.received.append(key)
            return len(self.received), self._rng.uniform(0, 0.004)


def _handler(server: RecordingServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            form = parse_qs(body.decode("utf-8"))
            if form.get("service_code") != ["MISSED_BIN"]:
                self.send_error(400)
                return
            number, pause = server.record(self.headers.get("Idempotency-Key", ""))
            time.sleep(pause)
            data = f'[{{"service_request_id": "R-{number}"}}]'.encode()
            try:
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                self.close_connection = True  # the relay was killed while we answered

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler

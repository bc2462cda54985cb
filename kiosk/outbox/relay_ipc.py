"""The screen asks the relay, over a Unix socket in the state folder; it never sends itself.

Only the relay process holds the outbox's relay lock and talks to back offices, so the
screen needs no network route to them. After Send the screen has already written the row
to the outbox; it then asks the relay to deliver that row now and waits a bounded time for
the answer, so a resident sees "sent" when the council has it and "saved" otherwise.

The protocol is JSON lines, one request and one answer per line, on a stream socket that
only the kiosk user may open (mode 0600, in the 0700 state folder):

    {"op": "deliver", "submission_id": "…", "wait": 3.0}
        → {"ok": true, "submission_id": "…", "state": "delivered|pending|dead", "detail": "…"}
        → {"ok": false, "error": "unknown_submission"}
    {"op": "status"}
        → {"ok": true, "destinations": {"council": "up|failing|auth|null"}, "depth": 0,
           "ambiguous": 0, "dead_total": 1, "dead_letters": [{"reference": "…",
           "service": "missed-bin", "destination": "council", "reason": "http_400 …",
           "retryable": true}]}
    {"op": "retry", "reference": "ABCD2345"}     (IT, from the maintenance screen)
        → {"ok": true, "result": "requeued|unknown|not_dead|erased"}
    anything else → {"ok": false, "error": "bad_request"}

The status lists at most `MAX_DEAD_LETTERS` dead letters (the longest dead first) and counts
them all, so a backlog of failures never makes an answer too long for one line.

Answers carry state ids, short detail codes (`http_201`, `connection_error`, `busy`) and
dead letters' references, service ids and reasons, never a payload: nothing a resident typed
crosses the socket or reaches a log.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import selectors
import socket
import stat
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from kiosk.outbox.dead_letter_view import MAX_DEAD_LETTERS, DeadLetter, from_wire, to_wire
from kiosk.outbox.lock import RelayBusy
from kiosk.outbox.relay import Health, Relay
from kiosk.outbox.store import UnknownSubmission

logger = logging.getLogger(__name__)

SOCKET_NAME = "relay.sock"
MAX_LINE = 4096
ANSWER_GRACE = 0.5  # a send already on the wire when the wait ran out may still finish
IDLE_SECONDS = 60.0
MAX_WAIT = 30.0
_DETAIL = re.compile(r"[^a-z0-9_]")
_UNIX_PATH_MAX = 107

AnswerState = Literal["delivered", "pending", "dead", "unknown"]
RetryAnswer = Literal["requeued", "unknown", "not_dead", "erased"]
_RETRY_ANSWERS = ("requeued", "unknown", "not_dead", "erased")


def socket_path(state_dir: Path) -> Path:
    return state_dir / SOCKET_NAME


class RelayUnavailable(Exception):
    """No relay answers on the socket: not running, refusing, or gone mid-answer."""


class RelaySocketError(Exception):
    """The socket cannot be served (path in the way, too long); the message says what."""


@dataclass(frozen=True)
class DeliveryAnswer:
    """The relay's word on one row; `pending` includes "busy" and "no answer in time"."""

    submission_id: str
    state: AnswerState
    detail: str

    @property
    def delivered(self) -> bool:
        return self.state == "delivered"


@dataclass(frozen=True)
class RelayStatus:
    """Destination health as the relay last saw it (None before any attempt), depth, the
    first few dead letters with the count of all of them, and how many rows had an attempt
    whose answer was lost (each may be a duplicate at the council)."""

    destinations: Mapping[str, Health | None]
    depth: int
    dead_letters: tuple[DeadLetter, ...] = ()
    dead_total: int = 0
    ambiguous: int = 0


def _detail(text: str) -> str:
    """A short code only: whatever a sender reports must not smuggle text through."""
    return _DETAIL.sub("_", text.lower())[:64]


# --- client ---------------------------------------------------------------------------------


class RelayClient:
    """The screen's side. `deliver_now` is what `KioskParts.deliver_now` is wired to."""

    def __init__(self, path: Path, *, wait: float = 3.0, connect_timeout: float = 0.5) -> None:
        self.path = path
        self.wait = wait
        self.connect_timeout = connect_timeout

    def deliver_now(self, submission_id: str) -> bool:
        """True only when the relay says the council has it; never raises for a relay problem."""
        try:
            return self.deliver(submission_id).delivered
        except RelayUnavailable as exc:
            logger.warning("relay not answering on %s (%s); the submission stays in the outbox "
                           "for the relay to send", self.path, exc)
            return False

    def deliver(self, submission_id: str, wait: float | None = None) -> DeliveryAnswer:
        """Ask for this row now; "pending" if no answer within `wait` (+ a short grace)."""
        limit = self.wait if wait is None else wait
        request = {"op": "deliver", "submission_id": submission_id, "wait": limit}
        try:
            reply = self._ask(request, limit + ANSWER_GRACE)
        except TimeoutError:
            return DeliveryAnswer(submission_id, "pending", "no_answer_in_time")
        if not reply.get("ok"):
            if reply.get("error") == "unknown_submission":
                return DeliveryAnswer(submission_id, "unknown", "unknown_submission")
            raise RelayUnavailable(f"relay refused the request ({_detail(str(reply.get('error')))})")
        state = reply.get("state")
        if state not in ("delivered", "pending", "dead"):
            raise RelayUnavailable("relay answered without a state")
        return DeliveryAnswer(submission_id, cast(AnswerState, state),
                              _detail(str(reply.get("detail", ""))))

    def status(self, timeout: float = 2.0) -> RelayStatus:
        try:
            reply = self._ask({"op": "status"}, timeout)
        except TimeoutError:
            raise RelayUnavailable(f"no status within {timeout:g} s") from None
        destinations = reply.get("destinations")
        depth = reply.get("depth")
        if not reply.get("ok") or not isinstance(destinations, dict) or not isinstance(depth, int):
            raise RelayUnavailable("relay answered the status request badly")
        health = {str(name): cast(Health | None, value if value in ("up", "failing", "auth")
                                  else None)
                  for name, value in destinations.items()}
        listed = reply.get("dead_letters")
        found = [from_wire(item) for item in (listed if isinstance(listed, list) else [])]
        letters = tuple(d for d in found if d is not None)[:MAX_DEAD_LETTERS]
        total = reply.get("dead_total")
        ambiguous = reply.get("ambiguous", 0)
        return RelayStatus(health, depth, letters,
                           max(total, len(letters)) if isinstance(total, int) else len(letters),
                           ambiguous if isinstance(ambiguous, int) else 0)

    def retry(self, reference: str, timeout: float = 5.0) -> RetryAnswer:
        """Ask the relay to put a dead letter back in the queue and send it now (IT only:
        the maintenance screen). RelayUnavailable when no relay answers."""
        try:
            reply = self._ask({"op": "retry", "reference": reference}, timeout)
        except TimeoutError:
            raise RelayUnavailable(f"no answer within {timeout:g} s") from None
        result = reply.get("result")
        if not reply.get("ok") or result not in _RETRY_ANSWERS:
            raise RelayUnavailable("relay answered the retry request badly")
        return cast(RetryAnswer, result)

    def _ask(self, request: Mapping[str, object], timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(self.connect_timeout)
            try:
                sock.connect(str(self.path))
            except (FileNotFoundError, ConnectionRefusedError) as exc:
                raise RelayUnavailable(f"no relay is running: {type(exc).__name__}") from None
            except OSError as exc:
                raise RelayUnavailable(f"cannot reach the relay: {type(exc).__name__}") from None
            try:
                sock.sendall(json.dumps(request).encode() + b"\n")
                line = _read_line(sock, deadline)
            except TimeoutError:
                raise
            except OSError as exc:
                raise RelayUnavailable(f"the relay went away: {type(exc).__name__}") from None
        try:
            reply = json.loads(line)
        except ValueError:
            raise RelayUnavailable("the relay's answer was not JSON") from None
        if not isinstance(reply, dict):
            raise RelayUnavailable("the relay's answer was not an object")
        return reply


def _read_line(sock: socket.socket, deadline: float) -> bytes:
    buffer = b""
    while b"\n" not in buffer:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        sock.settimeout(remaining)
        chunk = sock.recv(MAX_LINE)
        if not chunk:
            raise ConnectionResetError("closed before answering")
        buffer += chunk
        if len(buffer) > MAX_LINE:
            raise ConnectionResetError("answer too long")
    return buffer.split(b"\n", 1)[0]


# --- server ---------------------------------------------------------------------------------


class RelayServer:
    """The relay's side: answers on the socket, one thread per connection.

    A deliver request runs `Relay.deliver` on the connection's thread: it waits at most the
    asked time for a pass already running (then answers pending/"busy" and kicks the worker,
    so the row goes in the very next pass rather than after the interval).
    """

    def __init__(self, path: Path, relay: Relay, *, kick: Callable[[], None] | None = None,
                 max_wait: float = MAX_WAIT) -> None:
        if len(os.fsencode(path)) > _UNIX_PATH_MAX:
            raise RelaySocketError(f"the relay socket path {path} is longer than a Unix socket "
                                   f"allows ({_UNIX_PATH_MAX} bytes); use a shorter --state-dir")
        self.path = path
        self._relay = relay
        self._kick = kick
        self._max_wait = max_wait
        self._listener: socket.socket | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None
        self._thread: threading.Thread | None = None
        self._inode: int | None = None
        self._guard = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("relay server already started")
        self._clear_stale()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(self.path))
            # The state folder is 0700, so nobody else could reach the socket before this.
            os.chmod(self.path, 0o600)
            self._inode = os.stat(self.path).st_ino
            listener.listen(16)
            listener.setblocking(False)
        except BaseException:
            listener.close()
            raise
        wake = socket.socketpair()
        self._listener, self._wake = listener, wake
        self._thread = threading.Thread(target=self._serve, args=(listener, wake[0]),
                                        name="relay-socket", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop accepting, remove the socket file, end every connection (join its thread)."""
        thread, listener, wake = self._thread, self._listener, self._wake
        if thread is None or listener is None or wake is None:
            return
        self._thread = self._listener = self._wake = None
        deadline = time.monotonic() + timeout
        with contextlib.suppress(OSError):
            wake[1].send(b"x")
        thread.join(timeout)
        listener.close()
        for end in wake:
            end.close()
        self._unlink_own()
        with self._guard:
            open_now = dict(self._connections)
        for conn in open_now:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for handler in open_now.values():
            handler.join(max(0.0, deadline - time.monotonic()))
        left = [t for t in open_now.values() if t.is_alive()]
        if left:
            logger.warning("relay socket: %d request(s) still running at stop", len(left))

    def _clear_stale(self) -> None:
        try:
            mode = os.lstat(self.path).st_mode
        except FileNotFoundError:
            return
        if not stat.S_ISSOCK(mode):
            raise RelaySocketError(f"{self.path} exists and is not a socket; move it away")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            try:
                probe.connect(str(self.path))
            except OSError:
                # Nobody listens: left behind by a relay that was killed. Safe to replace.
                self.path.unlink(missing_ok=True)
                return
        raise RelayBusy(f"another relay already answers on {self.path}; run only one relay")

    def _unlink_own(self) -> None:
        """Remove the socket file unless another relay has since replaced it."""
        with contextlib.suppress(FileNotFoundError):
            if os.lstat(self.path).st_ino == self._inode:
                self.path.unlink()

    def _serve(self, listener: socket.socket, wake: socket.socket) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    if key.fileobj is wake:
                        return
                    try:
                        conn, _ = listener.accept()
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError as exc:
                        logger.error("relay socket: accept failed: %s", type(exc).__name__)
                        continue
                    self._spawn(conn)

    def _spawn(self, conn: socket.socket) -> None:
        conn.setblocking(True)
        conn.settimeout(IDLE_SECONDS)
        handler = threading.Thread(target=self._handle, args=(conn,), name="relay-request",
                                   daemon=True)
        with self._guard:
            self._connections[conn] = handler
        handler.start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            with conn, conn.makefile("rb") as reader:
                while True:
                    line = reader.readline(MAX_LINE + 1)
                    if not line:
                        return
                    too_long = len(line) > MAX_LINE
                    reply = (_bad("too_long") if too_long else self._answer(line))
                    conn.sendall(json.dumps(reply).encode() + b"\n")
                    if too_long:
                        return
        except OSError:
            return  # the screen gave up waiting, or we are stopping
        finally:
            with self._guard:
                self._connections.pop(conn, None)

    def _answer(self, line: bytes) -> dict[str, object]:
        try:
            request = json.loads(line)
        except ValueError:
            # Only its size: a malformed line might still carry something personal.
            logger.warning("relay socket: ignored a request that is not JSON (%d bytes)",
                           len(line))
            return _bad("not_json")
        if not isinstance(request, dict):
            logger.warning("relay socket: ignored a request that is not an object")
            return _bad("not_an_object")
        op = request.get("op")
        try:
            if op == "deliver":
                return self._deliver(request)
            if op == "status":
                return self._status()
            if op == "retry":
                return self._retry(request)
        except Exception as exc:  # noqa: BLE001 - one bad request must not stop the server
            logger.error("relay socket: %s request failed: %s", op, type(exc).__name__)
            return {"ok": False, "error": "internal"}
        logger.warning("relay socket: ignored a request with an unknown op")
        return _bad("unknown_op")

    def _deliver(self, request: Mapping[str, object]) -> dict[str, object]:
        submission_id, wait = request.get("submission_id"), request.get("wait", 3.0)
        if not isinstance(submission_id, str) or not submission_id or len(submission_id) > 64:
            return _bad("submission_id")
        if isinstance(wait, bool) or not isinstance(wait, int | float) or not wait >= 0:
            return _bad("wait")
        try:
            outcome = self._relay.deliver(submission_id, wait=min(float(wait), self._max_wait))
        except UnknownSubmission:
            return {"ok": False, "error": "unknown_submission"}
        if outcome.detail == "busy" and self._kick is not None:
            self._kick()  # a pass is running: it did not see this row, so run one more
        logger.debug("relay socket: %s is %s (%s)", submission_id, outcome.state, outcome.detail)
        return {"ok": True, "submission_id": submission_id, "state": outcome.state,
                "detail": _detail(outcome.detail)}

    def _status(self) -> dict[str, object]:
        relay = self._relay
        outbox = relay.outbox
        letters = [to_wire(row) for row in outbox.dead_letters(MAX_DEAD_LETTERS)]
        return {"ok": True, "depth": outbox.depth(), "ambiguous": outbox.ambiguous_count(),
                "destinations": {name: relay.health(name) for name in relay.destinations},
                "dead_total": outbox.counts()["dead"], "dead_letters": letters}

    def _retry(self, request: Mapping[str, object]) -> dict[str, object]:
        reference = request.get("reference")
        if not isinstance(reference, str) or not 0 < len(reference) <= 16:
            return _bad("reference")
        result = self._relay.outbox.requeue(reference)
        if result == "requeued":
            logger.info("relay socket: dead letter %s put back in the queue by IT", reference)
            if self._kick is not None:
                self._kick()
        return {"ok": True, "result": result}


def _bad(reason: str) -> dict[str, object]:
    return {"ok": False, "error": "bad_request", "detail": reason}

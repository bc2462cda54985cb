"""The relay socket: the screen asks, the relay delivers and answers; nothing personal crosses.

Real Unix sockets in tmp_path, a real relay thread, a loopback Open311 back office.
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kiosk.outbox import (
    Open311Sender,
    Outbox,
    Relay,
    RelayBusy,
    RelayClient,
    RelayServer,
    RelayService,
    RelaySocketError,
    Sender,
    SendResult,
)
from kiosk.outbox.relay_ipc import ANSWER_GRACE, MAX_LINE
from kiosk.submission import Submission
from tests.hub_server import free_port
from tests.kiosk.open311_fake import Open311Fake, Reply, make_submission

KEY = bytes(range(32))
CANARY = "CANARY-7d1e-JANE-DOE-SW1A"


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    with Outbox(tmp_path / "outbox.db", KEY, time.time) as box:
        yield box


def _relay(outbox: Outbox, senders: dict[str, Sender]) -> Relay:
    return Relay(outbox, senders, time.time, random.Random(5))


@contextmanager
def serving(outbox: Outbox, senders: dict[str, Sender]) -> Iterator[RelayService]:
    """The relay service on `<outbox folder>/relay.sock`; no timed pass within a test."""
    service = RelayService(_relay(outbox, senders), outbox.path.parent / "relay.sock",
                           interval_seconds=3600)
    service.start()
    try:
        yield service
    finally:
        service.stop(10)


def _sender(url: str) -> Open311Sender:
    return Open311Sender(url, "key", timeout_seconds=5)


def _closed_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}/open311/v2"


def _wait_for(condition: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def _raw(path: Path, *lines: bytes) -> list[dict[str, object]]:
    """Send raw lines on one connection; the answers, one per line sent."""
    answers = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(str(path))
        reader = sock.makefile("rb")
        for line in lines:
            sock.sendall(line)
            answers.append(json.loads(reader.readline()))
        reader.close()
    return answers


def test_deliver_now_is_delivered_when_the_council_has_it(outbox: Outbox) -> None:
    with Open311Fake() as fake, serving(outbox, {"council": _sender(fake.url)}) as service:
        submission = make_submission()
        outbox.enqueue(submission)
        client = RelayClient(service.server.path, wait=3.0)
        assert client.deliver_now(submission.submission_id)
        row = outbox.get(submission.submission_id)
        assert row is not None
        assert row.state == "delivered"
        assert len(fake.service_requests) == 1
        # Asked again: already delivered, and nothing is sent twice.
        again = client.deliver(submission.submission_id)
        assert (again.state, again.detail) == ("delivered", "already_delivered")
        assert len(fake.received) == 1


def test_hub_down_answers_pending_within_the_limit(outbox: Outbox) -> None:
    with serving(outbox, {"council": _sender(_closed_port_url())}) as service:
        submission = make_submission()
        outbox.enqueue(submission)
        client = RelayClient(service.server.path, wait=2.0)
        started = time.monotonic()
        answer = client.deliver(submission.submission_id)
        assert time.monotonic() - started < 2.0
        assert (answer.state, answer.detail) == ("pending", "connection_error")
        assert not client.deliver_now(submission.submission_id)
        row = outbox.get(submission.submission_id)
        assert row is not None
        assert row.state == "pending"


def test_a_hub_that_hangs_costs_the_resident_only_the_limit(outbox: Outbox) -> None:
    fake = Open311Fake(Reply(201, delay=3.0)).__enter__()
    service = RelayService(_relay(outbox, {"council": _sender(fake.url)}),
                           outbox.path.parent / "relay.sock", interval_seconds=3600)
    service.start()
    try:
        submission = make_submission()
        outbox.enqueue(submission)
        started = time.monotonic()
        answer = RelayClient(service.server.path, wait=0.3).deliver(submission.submission_id)
        elapsed = time.monotonic() - started
        assert (answer.state, answer.detail) == ("pending", "no_answer_in_time")
        assert elapsed < 0.3 + ANSWER_GRACE + 0.5
    finally:
        fake.__exit__(None, None, None)  # cuts the held answer short, then the relay stops
        service.stop(10)


def test_an_unknown_submission_is_not_delivered(outbox: Outbox) -> None:
    with Open311Fake() as fake, serving(outbox, {"council": _sender(fake.url)}) as service:
        client = RelayClient(service.server.path)
        answer = client.deliver("no-such-submission")
        assert (answer.state, answer.detail) == ("unknown", "unknown_submission")
        assert not client.deliver_now("no-such-submission")
        assert fake.received == []


def test_no_relay_running_is_false_at_once_with_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = RelayClient(tmp_path / "relay.sock", wait=3.0)
    caplog.set_level(logging.WARNING)
    started = time.monotonic()
    assert not client.deliver_now("a1b2c3")
    assert time.monotonic() - started < 0.5
    [record] = caplog.records
    assert "relay not answering" in record.getMessage()
    assert "FileNotFoundError" in record.getMessage()
    assert "a1b2c3" not in record.getMessage()

    # A socket file left by a relay that died: refused, just as fast.
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(tmp_path / "relay.sock"))
    stale.close()
    caplog.clear()
    started = time.monotonic()
    assert not client.deliver_now("a1b2c3")
    assert time.monotonic() - started < 0.5
    assert "ConnectionRefusedError" in caplog.records[0].getMessage()


def test_a_pass_already_running_answers_busy_then_the_next_pass_sends_it(
    outbox: Outbox,
) -> None:
    sending, release = threading.Event(), threading.Event()
    sent: list[str] = []

    class Slow:
        def send(self, submission: Submission) -> SendResult:
            sent.append(submission.submission_id)
            if len(sent) == 1:
                sending.set()
                release.wait(10)
            return SendResult("delivered", "http_201", 201, remote_id=f"SR-{len(sent)}")

    first, latest = make_submission(), make_submission()
    outbox.enqueue(first)  # the worker's first pass takes it, and hangs on the send
    with serving(outbox, {"council": Slow()}) as service:
        assert sending.wait(10)
        outbox.enqueue(latest)
        started = time.monotonic()
        answer = RelayClient(service.server.path, wait=0.3).deliver(latest.submission_id)
        assert time.monotonic() - started < 0.3 + ANSWER_GRACE
        assert (answer.state, answer.detail) == ("pending", "busy")
        release.set()
        # The interval is an hour: only the kick the busy answer gave runs the next pass.
        _wait_for(lambda: outbox.counts()["delivered"] == 2)
    assert sent == [first.submission_id, latest.submission_id]


def test_malformed_requests_do_not_kill_the_server(
    outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with Open311Fake() as fake, serving(outbox, {"council": _sender(fake.url)}) as service:
        path = service.server.path
        answers = _raw(path, f"not json {CANARY}\n".encode(), b"[1, 2]\n",
                       b'{"op": "launch"}\n', b'{"op": "deliver"}\n',
                       b'{"op": "deliver", "submission_id": "x", "wait": "soon"}\n',
                       b'{"op": "deliver", "submission_id": "x", "wait": -1}\n',
                       b"\xff\xfe\n", b'{"op": "status"}\n')
        assert [a.get("detail") for a in answers[:7]] == [
            "not_json", "not_an_object", "unknown_op", "submission_id", "wait", "wait",
            "not_json"]
        assert all(a["error"] == "bad_request" for a in answers[:7])
        assert answers[7] == {"ok": True, "depth": 0, "ambiguous": 0,
                              "destinations": {"council": None},
                              "dead_total": 0, "dead_letters": []}
        [too_long] = _raw(path, b"{" + b" " * MAX_LINE + b"}\n")
        assert too_long["detail"] == "too_long"
        # A client that connects and hangs up without a word.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as quiet:
            quiet.connect(str(path))
        submission = make_submission()
        outbox.enqueue(submission)
        assert RelayClient(path).deliver_now(submission.submission_id)
    assert CANARY not in caplog.text


def test_the_socket_is_private_replaces_a_stale_one_and_is_removed_on_stop(
    tmp_path: Path, outbox: Outbox
) -> None:
    path = tmp_path / "relay.sock"
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))  # a relay killed with SIGKILL leaves its socket file behind
    stale.close()
    with serving(outbox, {}) as service:
        mode = os.lstat(path).st_mode
        assert stat.S_ISSOCK(mode)
        assert stat.S_IMODE(mode) == 0o600
        # A second server on the same path while the first answers: refused, first untouched.
        with pytest.raises(RelayBusy, match="already answers"):
            RelayServer(path, service.relay).start()
        assert RelayClient(path).status().depth == 0
    assert not path.exists()


def test_a_file_in_the_way_is_a_clear_error(tmp_path: Path, outbox: Outbox) -> None:
    path = tmp_path / "relay.sock"
    path.write_text("not a socket")
    with pytest.raises(RelaySocketError, match="exists and is not a socket"):
        RelayServer(path, _relay(outbox, {})).start()
    assert path.read_text() == "not a socket"
    with pytest.raises(RelaySocketError, match="longer than a Unix socket allows"):
        RelayServer(tmp_path / ("x" * 120) / "relay.sock", _relay(outbox, {}))


def test_status_reports_destination_health_and_depth(outbox: Outbox) -> None:
    with Open311Fake() as fake:
        senders: dict[str, Sender] = {"council": _sender(fake.url),
                                      "highways": _sender(_closed_port_url())}
        with serving(outbox, senders) as service:
            client = RelayClient(service.server.path)
            assert client.status().destinations == {"council": None, "highways": None}
            good, bad = make_submission(), make_submission(destination="highways")
            outbox.enqueue(good)
            outbox.enqueue(bad)
            assert client.status().depth == 2
            assert client.deliver_now(good.submission_id)
            assert not client.deliver_now(bad.submission_id)
            status = client.status()
            assert status.destinations == {"council": "up", "highways": "failing"}
            assert status.depth == 1


def test_nothing_personal_is_logged_or_answered(
    outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with Open311Fake(400, 503, 201) as fake, \
            serving(outbox, {"council": _sender(fake.url)}) as service:
        path = service.server.path
        rows = [make_submission(text=CANARY) for _ in range(3)]
        answers = []
        for row in rows:
            outbox.enqueue(row)
            request = {"op": "deliver", "submission_id": row.submission_id, "wait": 3}
            answers += _raw(path, json.dumps(request).encode() + b"\n")
        assert [a["state"] for a in answers] == ["dead", "pending", "delivered"]
        assert RelayClient(path).status().depth == 1
    assert CANARY not in caplog.text
    assert CANARY not in json.dumps(answers)
    assert len(fake.received) == 3

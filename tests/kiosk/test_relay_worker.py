"""The relay thread and the single-relay lock."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.outbox import (
    Open311Sender,
    Outbox,
    Outcome,
    Relay,
    RelayBusy,
    RelayWorker,
    Sender,
    SendResult,
)
from kiosk.submission import Submission
from tests.kiosk.open311_fake import Open311Fake, make_submission

KEY = bytes(range(32))
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "outbox.db"


@pytest.fixture
def outbox(path: Path) -> Iterator[Outbox]:
    with Outbox(path, KEY, FakeClock().epoch) as box:
        yield box


def _relay(outbox: Outbox, senders: dict[str, Sender] | None = None) -> Relay:
    return Relay(outbox, senders or {}, FakeClock().epoch, random.Random(3))


def _relay_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "outbox-relay"]


def test_a_second_worker_on_the_same_outbox_fails_to_start(path: Path, outbox: Outbox) -> None:
    first = RelayWorker(_relay(outbox), interval_seconds=3600)
    with Outbox(path, KEY, FakeClock().epoch) as other_box:
        second_relay = _relay(other_box)
        second = RelayWorker(second_relay, interval_seconds=3600)
        first.start()
        try:
            with pytest.raises(RelayBusy, match=r"another relay \(pid \d+\) is already"):
                second.start()
            with pytest.raises(RelayBusy):
                second_relay.deliver_due()
            assert len(_relay_threads()) == 1
        finally:
            first.stop(timeout=5)
        second.start()  # free again once the first has stopped
        second.stop(timeout=5)


def test_the_lock_holds_across_processes(path: Path, outbox: Outbox) -> None:
    holder = textwrap.dedent("""
        import sys
        from pathlib import Path
        from kiosk.outbox import RelayLock
        lock = RelayLock(Path(sys.argv[1]))
        lock.acquire()
        print("locked", flush=True)
        sys.stdin.read()
    """)
    lock_path = Path(f"{path}.relay.lock")
    relay = _relay(outbox)
    with subprocess.Popen([sys.executable, "-c", holder, str(lock_path)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}) as child:
        assert child.stdout is not None
        assert child.stdin is not None
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(RelayBusy, match=f"pid {child.pid}"), relay.exclusive():
            pass
        child.stdin.close()  # the holder exits, and the kernel drops its lock
    with relay.exclusive(), relay.exclusive():  # re-entrant for its owner
        pass


def test_start_and_stop_leave_no_thread_and_free_the_lock(outbox: Outbox) -> None:
    before = set(threading.enumerate())
    relay = _relay(outbox)
    worker = RelayWorker(relay, interval_seconds=3600)
    worker.start()
    with pytest.raises(RuntimeError, match="already started"):
        worker.start()
    assert len(_relay_threads()) == 1
    assert _relay_threads()[0].daemon
    worker.stop(timeout=5)
    worker.stop(timeout=5)  # stopping twice is harmless
    assert set(threading.enumerate()) == before
    with _relay(outbox).exclusive():  # another relay may now take over
        pass


def test_a_kick_delivers_at_once(outbox: Outbox) -> None:
    delivered = threading.Event()

    def on_pass(outcomes: list[Outcome]) -> None:
        if any(o.delivered for o in outcomes):
            delivered.set()

    with Open311Fake() as fake:
        sender = Open311Sender(fake.url, "key", timeout_seconds=5)
        worker = RelayWorker(_relay(outbox, {"council": sender}), interval_seconds=3600,
                             on_pass=on_pass)
        worker.start()
        try:
            outbox.enqueue(make_submission())
            worker.kick()
            assert delivered.wait(10)
        finally:
            worker.stop(timeout=10)
        assert len(fake.service_requests) == 1


def test_a_failing_pass_does_not_kill_the_worker(outbox: Outbox) -> None:
    passes: list[int] = []
    second_pass = threading.Event()

    def on_pass(outcomes: list[Outcome]) -> None:
        passes.append(len(outcomes))
        if len(passes) == 1:
            raise RuntimeError("a bug in a callback")
        second_pass.set()

    worker = RelayWorker(_relay(outbox), interval_seconds=3600, on_pass=on_pass)
    worker.start()
    try:
        worker.kick()
        assert second_pass.wait(10)
    finally:
        worker.stop(timeout=10)


def test_stop_waits_for_a_send_in_flight(outbox: Outbox) -> None:
    sending, release = threading.Event(), threading.Event()

    class Slow:
        def send(self, submission: Submission) -> SendResult:
            sending.set()
            release.wait(10)
            return SendResult("delivered", "http_201", 201, remote_id="SR-1")

    outbox.enqueue(make_submission())
    relay = _relay(outbox, {"council": Slow()})
    worker = RelayWorker(relay, interval_seconds=3600)
    worker.start()
    assert sending.wait(10)
    # A resident who just pressed Send is not kept waiting behind the pass in flight.
    latest = make_submission()
    outbox.enqueue(latest)
    busy = relay.deliver(latest.submission_id, wait=0.01)
    assert (busy.state, busy.detail) == ("pending", "busy")
    with pytest.raises(TimeoutError):
        worker.stop(timeout=0.05)
    assert len(_relay_threads()) == 1  # still finishing; the lock is still held
    with pytest.raises(RelayBusy):
        _relay(outbox).deliver_due()
    release.set()
    worker.stop(timeout=10)
    assert _relay_threads() == []
    assert outbox.counts()["delivered"] == 1
    assert relay.deliver(latest.submission_id).delivered

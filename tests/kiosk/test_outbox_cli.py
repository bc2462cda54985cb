"""`kiosk outbox list|show|retry|discard`, run as a real process against a state folder the
test filled, with and without a real `kiosk relay` process running on it."""

from __future__ import annotations

import json
import os
import select
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.outbox import Outbox, load_or_create_key
from kiosk.reference import spaced
from kiosk.submission import Submission
from tests.hub_server import REPO_ROOT
from tests.kiosk.delivery_helpers import CANARY, missed_bin
from tests.kiosk.remanence import encodings, traces
from tests.kiosk.webhook_receiver import WebhookReceiver
from tests.kiosk_fixtures import demo_profile_copy
from tests.needs import require_or_skip
from tests.relay_process import running_relay

SECRET = "a-council-webhook-secret-of-32-chars-or-more"
DAY = 86400.0


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", ""))
                                        if p)
    return env


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk.cli", "outbox", *args]


def kiosk_outbox(*args: str, stdin: int | None = subprocess.DEVNULL
                 ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_command(*args), capture_output=True, text=True, timeout=60,
                          stdin=stdin, cwd=REPO_ROOT, env=_env(), check=False)


def on_a_terminal(args: list[str], typed: str = "", *, prefix: tuple[str, ...] = ()
                  ) -> tuple[int, str]:
    """Run with stdin, stdout and stderr on a pseudo-terminal; what it printed there."""
    master, slave = os.openpty()
    try:
        process = subprocess.Popen([*prefix, *args], stdin=slave, stdout=slave, stderr=slave,
                                   cwd=REPO_ROOT, env=_env())
    finally:
        os.close(slave)
    if typed:
        os.write(master, typed.encode())
    output = b""
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], deadline - time.monotonic())
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        return process.wait(timeout=10), output.decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)


class State:
    """A terminal's state folder, filled by the test through the real outbox."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(mode=0o700, exist_ok=True)
        self.key = load_or_create_key(folder / "outbox.key")
        self.db = folder / "outbox.db"

    def outbox(self, at: float | None = None) -> Outbox:
        return Outbox(self.db, self.key, (lambda: at) if at is not None else time.time)

    def add(self, *, dead: str | None = None, delivered: bool = False,
            age_days: float = 0.0) -> Submission:
        submission = missed_bin()
        with self.outbox(time.time() - age_days * DAY) as box:
            box.enqueue(submission)
            if dead is not None:
                box.mark_retry(submission.submission_id, next_attempt_at=0,
                               error="http_503 Service Unavailable")
                box.mark_dead(submission.submission_id, error=dead)
            if delivered:
                box.mark_delivered(submission.submission_id, remote_id="SR-9", remote_token=None)
        return submission

    def row(self, submission: Submission) -> tuple[object, ...]:
        with sqlite3.connect(self.db) as conn:
            found = conn.execute("SELECT state, attempts, payload IS NOT NULL, discarded_at "
                                 "FROM outbox WHERE reference = ?",
                                 (submission.reference,)).fetchone()
        assert found is not None
        return tuple(found)

    def blob(self, submission: Submission) -> bytes:
        with sqlite3.connect(self.db) as conn:
            (payload,) = conn.execute("SELECT payload FROM outbox WHERE reference = ?",
                                      (submission.reference,)).fetchone()
        return bytes(payload)


@pytest.fixture
def state(tmp_path: Path) -> State:
    return State(tmp_path / "state")


def _no_personal_data(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text
        assert "resident@example.org" not in text


def test_list_shows_waiting_and_dead_reports_and_nothing_personal(state: State) -> None:
    waiting = state.add(age_days=3.2)
    dead = state.add(dead="http_400 unknown service code", age_days=1)
    delivered = state.add(delivered=True)
    done = kiosk_outbox("list", "--state-dir", str(state.folder))
    assert done.returncode == 0, done.stderr
    _no_personal_data(done.stdout, done.stderr)
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["REFERENCE", "SERVICE", "DESTINATION", "STATE", "ATTEMPTS",
                                "AGE", "REASON"]
    assert lines[1].split()[:7] == [waiting.reference, "missed-bin", "council", "pending", "0",
                                    "3d", "4h"]
    assert lines[2].split()[:6] == [dead.reference, "missed-bin", "council", "dead", "2", "1d"]
    assert lines[2].endswith("http_400 unknown service code")
    assert delivered.reference not in done.stdout
    everything = kiosk_outbox("list", "--all", "--json", "--state-dir", str(state.folder))
    rows = [json.loads(line) for line in everything.stdout.splitlines()]
    assert [(r["reference"], r["state"]) for r in rows] == [
        (waiting.reference, "pending"), (dead.reference, "dead"),
        (delivered.reference, "delivered")]
    _no_personal_data(everything.stdout)


def test_show_gives_one_report_and_its_history(state: State) -> None:
    dead = state.add(dead="http_400 unknown service code")
    done = kiosk_outbox("show", spaced(dead.reference).lower(), "--state-dir",
                        str(state.folder))
    assert done.returncode == 0, done.stderr
    _no_personal_data(done.stdout, done.stderr)
    assert f"reference:    {dead.reference}" in done.stdout
    assert "state:        dead" in done.stdout
    assert "reason:       http_400 unknown service code" in done.stdout
    assert "(retention 30 days)" in done.stdout
    history = done.stdout.split("history:\n", 1)[1].splitlines()
    assert [line.split()[3:] for line in history] == [
        ["accepted"], ["retry", "http_503", "Service", "Unavailable"],
        ["dead", "http_400", "unknown", "service", "code"]]
    missing = kiosk_outbox("show", "ZZ9ZZ9ZZ", "--state-dir", str(state.folder))
    assert missing.returncode == 1
    assert "no report with reference ZZ9ZZ9ZZ" in missing.stderr


def test_the_profile_sets_the_retention_shown_and_a_bad_one_is_refused(
    state: State, tmp_path: Path
) -> None:
    dead = state.add(dead="x")
    profile = demo_profile_copy(tmp_path, outbox={"retention_days": 7})
    done = kiosk_outbox("show", dead.reference, "--state-dir", str(state.folder),
                        "--profile", str(profile))
    assert "(retention 7 days)" in done.stdout
    bad = demo_profile_copy(tmp_path, outbox={"retention_days": 0})
    refused = kiosk_outbox("list", "--state-dir", str(state.folder), "--profile", str(bad))
    assert refused.returncode == 2
    assert "outbox.retention_days" in refused.stderr


def test_decrypt_refuses_anything_but_a_terminal(state: State) -> None:
    dead = state.add(dead="x")
    piped = kiosk_outbox("show", dead.reference, "--decrypt", "--state-dir", str(state.folder))
    assert piped.returncode == 2
    assert "only to a terminal" in piped.stderr
    _no_personal_data(piped.stdout, piped.stderr)


def test_decrypt_refuses_anyone_but_root_even_on_a_terminal(state: State) -> None:
    require_or_skip(os.geteuid() == 0 and shutil.which("unshare"),
                    "root and unshare(1), to run the command as a user that is not root")
    dead = state.add(dead="x")
    # In a new user namespace the process is uid 65534 to itself (and still reads the files).
    status, output = on_a_terminal(_command("show", dead.reference, "--decrypt", "--state-dir",
                                            str(state.folder)), prefix=("unshare", "--user"))
    assert status == 2
    assert "Only root may read" in output
    _no_personal_data(output)


def test_root_on_a_terminal_sees_what_the_resident_sent(state: State) -> None:
    require_or_skip(os.geteuid() == 0, "root (decrypting is for root only)")
    dead = state.add(dead="x")
    status, output = on_a_terminal(_command("show", dead.reference, "--decrypt",
                                            "--state-dir", str(state.folder)))
    assert status == 0, output
    assert CANARY in output
    assert dead.submission_id in output


def test_retry_without_a_relay_requeues_for_when_it_starts(state: State) -> None:
    dead = state.add(dead="http_400 unknown service code")
    waiting = state.add()
    done = kiosk_outbox("retry", dead.reference, "--state-dir", str(state.folder))
    assert done.returncode == 0, done.stderr
    assert "no relay is running" in done.stdout
    assert state.row(dead) == ("pending", 0, 1, None)
    again = kiosk_outbox("retry", waiting.reference, "--state-dir", str(state.folder))
    assert again.returncode == 1
    assert "is pending, not a dead letter" in again.stderr


def test_discard_needs_confirmation_then_leaves_nothing_on_disk(state: State) -> None:
    dead = state.add(dead="http_400 unknown service code")
    ciphertext = state.blob(dead)[12:44]
    unconfirmed = kiosk_outbox("discard", dead.reference, "--state-dir", str(state.folder))
    assert unconfirmed.returncode == 2
    assert "pass --yes" in unconfirmed.stderr
    assert state.row(dead)[2] == 1  # still there
    done = kiosk_outbox("discard", dead.reference, "--yes", "--state-dir", str(state.folder))
    assert done.returncode == 0, done.stderr
    assert "discarded" in done.stdout
    status, payload, _discarded_at = state.row(dead)[0], state.row(dead)[2], state.row(dead)[3]
    assert (status, payload) == ("dead", 0)
    assert _discarded_at is not None
    assert traces(state.db, [*encodings(CANARY), ciphertext]) == []
    listed = kiosk_outbox("list", "--state-dir", str(state.folder))
    assert dead.reference not in listed.stdout
    retried = kiosk_outbox("retry", dead.reference, "--state-dir", str(state.folder))
    assert retried.returncode == 1
    assert "contents were destroyed" in retried.stderr


def test_discard_asks_on_a_terminal(state: State) -> None:
    keep, drop = state.add(dead="x"), state.add(dead="x")
    status, output = on_a_terminal(_command("discard", keep.reference, "--state-dir",
                                            str(state.folder)), "no\n")
    assert status == 1
    assert "Type yes to discard" in output
    assert state.row(keep)[2] == 1
    status, output = on_a_terminal(_command("discard", drop.reference, "--state-dir",
                                            str(state.folder)), "yes\n")
    assert status == 0, output
    assert state.row(drop)[2] == 0


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as server:
        yield server


def test_with_the_relay_running_retry_sends_at_once_and_retention_expires_old_reports(
    state: State, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    """A real `kiosk relay` process on the same folder: its first pass expires a report older
    than the retention limit (an alert in its log, nothing of the report on disk), and a
    retry from the command goes through the relay's socket and is delivered at once."""
    old = state.add(age_days=31)
    old_blob = state.blob(old)[12:44]
    dead = state.add(dead="http_400 unknown service code")
    destination = {"type": "webhook", "url": receiver.url, "secret": SECRET,
                   "status_url": "https://council.example/track/{reference}"}
    profile = demo_profile_copy(tmp_path, destinations={"council": destination})
    with running_relay(profile, state.folder, tmp_path / "logs", interval=3600) as relay:
        deadline = time.monotonic() + 20
        while state.row(old)[2] == 1:  # the first pass and the retention after it
            assert time.monotonic() < deadline, relay.output()
            time.sleep(0.05)
        listed = kiosk_outbox("list", "--state-dir", str(state.folder))
        [expired] = [line for line in listed.stdout.splitlines()
                     if line.startswith(old.reference)]
        assert expired.split()[1:5] == ["missed-bin", "council", "expired", "0"]
        assert expired.endswith("expired: not delivered within 30 days, contents destroyed")
        done = kiosk_outbox("retry", dead.reference, "--state-dir", str(state.folder))
        assert done.returncode == 0, done.stderr
        assert "the relay is sending it now" in done.stdout
        while not receiver.deliveries:
            assert time.monotonic() < deadline, relay.output()
            time.sleep(0.05)
        assert state.row(dead)[0] == "delivered"
        log = relay.output()
    assert [d.document["reference"] for d in receiver.deliveries] == [dead.reference]
    assert f"older than 30 days: dead-lettered and their contents destroyed ({old.reference})" \
        in log
    _no_personal_data(log)
    assert traces(state.db, [*encodings(CANARY), old_blob]) == []

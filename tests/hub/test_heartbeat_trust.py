"""Heartbeat trust: only a registered, unrevoked terminal's own signature over the exact body,
fresh and newer than its last, puts anything on the fleet page; every refusal is counted
by reason, and the counts are on the page."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hub.db import utcnow
from hub.devices import revoke
from hub.fleet_db import HISTORY, HeartbeatHistory
from hub.heartbeat_intake import PRUNE_EVERY, ingest, ingest_batch, refusal_counts
from hub.heartbeat_writer import PATH, HeartbeatWriter
from kiosk.device_identity import b64, unb64
from kiosk.heartbeat import MAX_ENVELOPE_BYTES, OutboxState
from tests.hub.fleet_helpers import beat, make_body, memory_keys, registered, signed_raw
from tests.hub.helpers import add_account, sign_in


@pytest.fixture
def it_browser(app: FastAPI, browser: TestClient) -> TestClient:
    add_account(app, "ivy", "it")
    sign_in(browser, "ivy")
    return browser


def counts(app: FastAPI) -> dict[str, int]:
    return refusal_counts(app.state.hub.engine)


def post(client: TestClient, data: bytes | Iterator[bytes]) -> tuple[int, str]:
    response = client.post(PATH, content=data, headers={"Content-Type": "application/json"})
    code = response.json().get("error", {}).get("code", "accepted")
    return response.status_code, code


def test_a_good_beat_puts_the_terminal_on_the_fleet_page(app, client, it_browser) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    waiting = OutboxState(depth=3, oldest_pending_seconds=420, dead=0)
    assert post(client, beat(keys, 100, outbox=waiting)) == (202, "accepted")
    page = it_browser.get("/fleet")
    assert page.status_code == 200
    row = page.text.split('id="terminal-kiosk-0001"')[1].split("</tr>")[0]
    assert "3 waiting, oldest 7 minutes" in row
    assert "<code>v7</code>" in row
    assert "<code>0.1.0</code>" in row
    assert "Printer: online" in row
    assert "Needs attention" in row  # reports waiting: a warning, in words
    assert counts(app) == {}


def test_an_unknown_device_is_refused_and_counted(app, client, it_browser) -> None:
    registered(app.state.hub.sessions, "kiosk-0001")
    stranger = memory_keys("kiosk-0666")
    assert post(client, beat(stranger, 1)) == (401, "unknown_device")
    assert counts(app) == {"unknown_device": 1}
    page = it_browser.get("/fleet").text
    assert "kiosk-0666" not in page  # a stranger cannot fill the fleet page
    assert "From a device that is not registered</td><td>1</td>" in page


def test_a_registered_id_with_another_key_is_refused(app, client) -> None:
    registered(app.state.hub.sessions, "kiosk-0001")
    impostor = memory_keys("kiosk-0001")  # same id, its own key: cannot fake the terminal
    assert post(client, beat(impostor, 10**9)) == (401, "bad_signature")
    assert counts(app) == {"bad_signature": 1}


def test_a_revoked_device_is_refused_from_then_on(app, client, it_browser) -> None:
    sessions = app.state.hub.sessions
    keys = registered(sessions, "kiosk-0001")
    assert post(client, beat(keys, 1)) == (202, "accepted")
    revoke(sessions, "kiosk-0001", utcnow())
    assert post(client, beat(keys, 2)) == (401, "revoked")
    assert counts(app) == {"revoked": 1}
    page = it_browser.get("/fleet").text
    row = page.split('id="terminal-kiosk-0001"')[1].split("</tr>")[0]
    assert "Revoked" in row


def test_a_replayed_beat_is_refused(app, client) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    first = beat(keys, 5)
    assert post(client, first) == (202, "accepted")
    assert post(client, first) == (409, "replay")
    assert post(client, beat(keys, 4)) == (409, "replay")  # an older one, freshly signed
    assert post(client, beat(keys, 6)) == (202, "accepted")
    assert counts(app) == {"replay": 2}


def test_a_beat_altered_in_transit_is_refused(app, client, it_browser) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    original = json.loads(beat(keys, 1, outbox=OutboxState(depth=9, oldest_pending_seconds=7200,
                                                           dead=2)))
    hidden = original["body"].replace('"dead":2', '"dead":0').replace('"depth":9', '"depth":0')
    assert hidden != original["body"]
    altered = json.dumps({**original, "body": hidden}).encode()
    assert post(client, altered) == (401, "bad_signature")
    flipped = bytearray(unb64(original["signature"]))
    flipped[0] ^= 1
    assert post(client, json.dumps({**original, "signature": b64(bytes(flipped))}).encode()) \
        == (401, "bad_signature")
    respaced = json.dumps({**original, "body": original["body"].replace(",", ", ", 1)}).encode()
    assert post(client, respaced) == (401, "bad_signature")  # the exact bytes, not the meaning
    assert counts(app) == {"bad_signature": 3}
    assert "Never heard from" in it_browser.get("/fleet").text


def test_stale_timestamps_are_refused_either_way(app, client) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    now = utcnow()
    assert post(client, beat(keys, 1, at=now - timedelta(minutes=11))) == (400, "stale")
    assert post(client, beat(keys, 2, at=now + timedelta(minutes=11))) == (400, "stale")
    assert post(client, beat(keys, 3, at=now - timedelta(minutes=9))) == (202, "accepted")
    assert counts(app) == {"stale": 2}


def test_the_terminal_page_says_why_its_own_beats_are_refused(app, client, it_browser) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    assert post(client, beat(keys, 1)) == (202, "accepted")
    assert post(client, beat(keys, 2, at=utcnow() + timedelta(hours=2))) == (400, "stale")
    page = it_browser.get("/fleet/kiosk-0001").text
    assert "Its last heartbeat was refused: Clock more than 10 minutes" in page


def test_oversized_beats_are_refused_unread(app, client) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    padded = beat(keys, 1)[:-1] + b"," + b'"pad":"' + b"x" * MAX_ENVELOPE_BYTES + b'"}'
    assert post(client, padded) == (413, "too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: stopped once past the cap
        for _ in range(64):
            yield b"x" * 1024

    assert post(client, chunks()) == (413, "too_large")
    assert counts(app) == {"too_large": 2}


def test_things_that_are_not_heartbeats(app, client) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    other = registered(app.state.hub.sessions, "kiosk-0002")
    assert post(client, b"service_code=MISSED_BIN") == (401, "unsigned")
    assert post(client, b'{"device_id": "kiosk-0001"}') == (401, "unsigned")
    body = make_body(keys, 1).model_dump(mode="json")
    assert post(client, signed_raw(keys, {**body, "note": "free text"})) == (400, "malformed")
    assert post(client, signed_raw(keys, {**body, "device_id": "kiosk-0002"})) == (400, "malformed")
    assert post(client, signed_raw(other, body)) == (400, "malformed")  # another's body, re-signed
    assert counts(app) == {"unsigned": 2, "malformed": 3}


def test_two_copies_racing_are_accepted_once(app) -> None:
    sessions = app.state.hub.sessions
    engine = app.state.hub.engine
    keys = registered(sessions, "kiosk-0001")
    raw = beat(keys, 1)
    verdicts: list[str | None] = []
    start = threading.Barrier(4)

    def send() -> None:
        start.wait()
        verdicts.append(ingest(engine, raw, utcnow()).reason)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(verdicts, key=str) == [None, "replay", "replay", "replay"]


def test_history_is_bounded(app) -> None:
    sessions = app.state.hub.sessions
    engine = app.state.hub.engine
    keys = registered(sessions, "kiosk-0001")
    for seq in range(1, HISTORY + 3 * PRUNE_EVERY):
        assert ingest(engine, beat(keys, seq), utcnow()).reason is None
    with sessions() as session:
        kept = session.scalar(select(func.count()).select_from(HeartbeatHistory))
    assert HISTORY <= kept <= HISTORY + PRUNE_EVERY


def test_one_batch_gives_each_beat_its_own_verdict(app) -> None:
    engine = app.state.hub.engine
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    stranger = memory_keys("kiosk-0666")
    raws = [beat(keys, 5), beat(keys, 5), beat(keys, 6), beat(stranger, 1), b"junk",
            beat(stranger, 2), b"x" * (MAX_ENVELOPE_BYTES + 1)]
    verdicts = [v.reason for v in ingest_batch(engine, raws, utcnow())]
    assert verdicts == [None, "replay", None, "unknown_device", "unsigned", "unknown_device",
                        "too_large"]
    assert counts(app) == {"replay": 1, "unknown_device": 2, "unsigned": 1, "too_large": 1}


def test_the_writer_batches_concurrent_beats_and_stops(app) -> None:
    keys = [registered(app.state.hub.sessions, f"kiosk-{n:04d}") for n in range(40)]
    writer = HeartbeatWriter(app.state.hub.engine)
    futures = []
    lock = threading.Lock()

    def send(k) -> None:
        for seq in (1, 1, 2):
            future = writer.submit(beat(k, seq))
            with lock:
                futures.append(future)

    threads = [threading.Thread(target=send, args=(k,)) for k in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    reasons = sorted(str(f.result(30).reason) for f in futures)
    assert reasons == ["None"] * 80 + ["replay"] * 40
    writer.close()
    with pytest.raises(RuntimeError):
        writer.submit(b"{}")


def test_a_database_failure_answers_503_and_stores_nothing(app, client) -> None:
    from sqlalchemy import text

    from hub.fleet_db import HeartbeatLatest

    keys = registered(app.state.hub.sessions, "kiosk-0001")
    with app.state.hub.engine.begin() as conn:
        conn.execute(text("ALTER TABLE heartbeat_history RENAME TO moved_away"))
    response = client.post(PATH, content=beat(keys, 1))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    with app.state.hub.sessions() as session:
        latest = session.get(HeartbeatLatest, "kiosk-0001")
        assert latest is not None
        assert latest.seq == 0  # rolled back with the batch: the next beat is not a "replay"
    with app.state.hub.engine.begin() as conn:
        conn.execute(text("ALTER TABLE moved_away RENAME TO heartbeat_history"))
    assert post(client, beat(keys, 1)) == (202, "accepted")

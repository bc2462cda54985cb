"""POST /kiosk/v1/events: signed like heartbeats, the site from the registration, one batch
stored once however often it comes, and a precise reason for every refusal."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hub.devices import revoke
from hub.usage.intake import ingest_events, stored_counts
from hub.usage.tables import UsageEventRow
from kiosk.device_identity import b64
from kiosk.heartbeat import canonical_json
from tests.hub.fleet_helpers import memory_keys, registered
from tests.hub.usage_helpers import a_visit, batch, event, signed, visit_id

PATH = "/kiosk/v1/events"
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def events_stored(app: FastAPI) -> int:
    with app.state.hub.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(UsageEventRow)).scalar_one())


def test_a_batch_is_stored_with_the_registered_site(app: FastAPI, client: TestClient) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001", site="town-hall")
    answer = client.post(PATH, content=signed(keys, a_visit()))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"accepted": 6, "duplicate": False}
    counts = stored_counts(app.state.hub.engine)
    assert counts[("2026-03", "town-hall", "kiosk-0001", "", "visits", "")] == 1
    assert counts[("2026-03", "town-hall", "", "missed-bin", "outcome", "submitted")] == 1
    assert {site for (_, site, *_) in counts} == {"town-hall"}


def test_a_duplicate_batch_is_counted_once(app: FastAPI, client: TestClient) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    body = signed(keys, a_visit(), batch_id="ab" * 16)
    assert client.post(PATH, content=body).json() == {"accepted": 6, "duplicate": False}
    before = stored_counts(app.state.hub.engine)
    again = client.post(PATH, content=body)
    assert again.status_code == 200
    assert again.json() == {"accepted": 0, "duplicate": True}
    # The same id re-signed around other events is the same batch too: never stored twice.
    other = client.post(PATH, content=signed(keys, a_visit(visit_id(9)), batch_id="ab" * 16))
    assert other.json() == {"accepted": 0, "duplicate": True}
    assert stored_counts(app.state.hub.engine) == before
    assert events_stored(app) == 6


def test_copies_of_a_batch_at_the_same_moment_are_stored_once(app: FastAPI) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    body = signed(keys, a_visit(), batch_id="cd" * 16)
    engine = app.state.hub.engine
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: ingest_events(engine, body, NOW, LONDON), range(8)))
    assert sorted(a.document["duplicate"] for a in answers) == [False] + [True] * 7
    assert events_stored(app) == 6
    assert stored_counts(engine)[("2026-03", "central-library", "kiosk-0001", "", "visits", "")] == 1


def test_a_visit_split_across_batches_counts_as_one(app: FastAPI, client: TestClient) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    events = a_visit()
    assert client.post(PATH, content=signed(keys, events[3:])).status_code == 200  # late half first
    assert client.post(PATH, content=signed(keys, events[:3])).status_code == 200
    counts = stored_counts(app.state.hub.engine)
    assert counts[("2026-03", "central-library", "kiosk-0001", "", "visits", "")] == 1
    assert counts[("2026-03", "central-library", "", "missed-bin", "stopped", "submitted")] == 1
    assert sum(n for key, n in counts.items() if key[4] == "visits") == 2  # all, and missed-bin


@pytest.mark.parametrize(("mutate", "status", "code"), [
    ("unsigned", 401, "unsigned"),
    ("unknown", 401, "unknown_device"),
    ("forged", 401, "bad_signature"),
])
def test_unsigned_unknown_or_forged_batches_are_refused(app: FastAPI, client: TestClient,
                                                        mutate: str, status: int, code: str) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    body = signed(keys, a_visit())
    if mutate == "unsigned":
        body = canonical_json({"device_id": "kiosk-0001", "body": "{}"})
    elif mutate == "unknown":
        body = signed(memory_keys("kiosk-9999"), a_visit())
    else:
        stranger = memory_keys("kiosk-0001")  # the same id, another key
        body = signed(stranger, a_visit())
    answer = client.post(PATH, content=body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
    assert events_stored(app) == 0


def test_a_revoked_terminal_is_forbidden(app: FastAPI, client: TestClient) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    revoke(app.state.hub.sessions, "kiosk-0001", NOW)
    answer = client.post(PATH, content=signed(keys, a_visit()))
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "revoked")


def _raw(keys, body: dict) -> bytes:  # type: ignore[no-untyped-def]
    text = canonical_json(body)
    return canonical_json({"device_id": keys.identity.device_id, "body": text.decode(),
                           "signature": b64(keys.sign(text))})


@pytest.mark.parametrize(("change", "reason"), [
    ({"hour": "2026-13-02T10"}, "events[1].hour: String should match pattern"),
    ({"kind": "typed_text"}, "events[1].kind: Input should be"),
    ({"answer": "14 Acacia Avenue"}, "events[1].answer: Extra inputs are not permitted"),
    ({"kind": "satisfaction", "value": "7", "service": None},
     "events[1]: satisfaction value must be one of"),
    ({"page": "address"}, "events[1]: a service_chosen event carries no page"),
])
def test_an_invalid_event_is_refused_naming_event_and_field(
        app: FastAPI, client: TestClient, change: dict[str, str | None], reason: str) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    events = [e.model_dump(mode="json", exclude_none=True) for e in a_visit()]
    events[1].update(change)
    events[1] = {k: v for k, v in events[1].items() if v is not None}
    answer = client.post(PATH, content=_raw(keys, {"batch_id": "ef" * 16,
                                                   "sent_at": "2026-03-02T10:05:00Z",
                                                   "events": events}))
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid"
    assert answer.json()["error"]["message"].startswith(reason), answer.json()
    assert "Acacia" not in answer.text  # never the value that was sent
    assert events_stored(app) == 0


def test_events_from_a_clock_far_ahead_are_refused(app: FastAPI, client: TestClient) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    answer = client.post(PATH, content=signed(keys, [event("visit_started", 0, "2099-01-01T10")]))
    assert answer.status_code == 422
    assert answer.json()["error"]["message"].startswith("events[0].hour: later than")


def test_an_oversized_batch_is_refused_unread(app: FastAPI, client: TestClient) -> None:
    registered(app.state.hub.sessions, "kiosk-0001")
    answer = client.post(PATH, content=b"{" + b" " * (2 * 1024 * 1024) + b"}")
    assert answer.status_code == 413


def test_the_body_must_be_a_batch(app: FastAPI, client: TestClient) -> None:
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    answer = client.post(PATH, content=_raw(keys, {"batch_id": "short", "events": []}))
    assert answer.status_code == 422
    message = answer.json()["error"]["message"]
    assert message.startswith("batch_id: String should match pattern"), message
    assert "more problems" in message
    assert json.loads(answer.text)["error"]["code"] == "invalid"


def test_batch_helper_round_trips() -> None:
    made = batch(a_visit())
    assert len(made.events) == 6

"""The call queue through the kiosk and advisor APIs, in process on a clock the test moves,
on SQLite and PostgreSQL: fair order, positions and the wait estimate, availability that
lapses, answering, outcomes, interpreter invites, and the refusals docs/calls.md lists."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from hub.app import create_app
from hub.calls import peers, queue
from hub.calls.invites import call_for_invite
from hub.calls.tables import Call, CallPeer
from hub.passwords import Passwords
from hub.settings import HubSettings
from tests.hub.appointment_helpers import MovingClock
from tests.hub.calls_helpers import CALLS, call_status, end_call, new_call
from tests.hub.helpers import API_KEY, BASE_URL, add_account, csrf_token, sign_in

START = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(START)


@pytest.fixture
def calls_app(database_url: str, clock: MovingClock) -> Iterator[FastAPI]:
    app = create_app(HubSettings(database_url=database_url, api_keys=frozenset({API_KEY})),
                     passwords=Passwords.cheap_for_tests(), clock=clock)
    yield app
    app.state.hub.engine.dispose()


@pytest.fixture
def hub(calls_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(calls_app, base_url=BASE_URL) as client:
        yield client


class Console:
    """The advisor console's calls, on a client signed in as one advisor."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = csrf_token(client)

    def post(self, path: str, body: dict[str, object] | None = None) -> Response:
        answer: Response = self.client.post(path, json=body or {},
                                            headers={"X-CSRF-Token": self.csrf})
        return answer

    def queue(self) -> dict[str, Any]:
        answer = self.client.get("/advisor/queue")
        assert answer.status_code == 200, answer.text
        document: dict[str, Any] = answer.json()
        return document


@pytest.fixture
def console(calls_app: FastAPI, hub: TestClient) -> Console:
    add_account(calls_app, "ada", "advisor")
    sign_in(hub, "ada")
    return Console(hub)


def _queued(hub: TestClient, terminal: str, **fields: object) -> tuple[str, str]:
    answer = new_call(hub, API_KEY, terminal, **fields)
    assert answer.status_code == 201, answer.text
    return answer.json()["call_id"], answer.json()["token"]


def test_kiosks_are_served_in_the_order_they_queued(hub: TestClient, console: Console,
                                                    clock: MovingClock) -> None:
    first = new_call(hub, API_KEY, "kiosk-1", interpreter="pl")
    assert first.status_code == 201
    assert first.json() | {"call_id": "", "token": ""} == {
        "call_id": "", "token": "", "state": "queued", "position": 1, "wait_seconds": 300,
        "end_reason": None, "advisors_available": 0}
    assert len(first.json()["token"]) >= 43  # 32 random bytes
    clock.advance(seconds=5)
    second_id, second_token = _queued(hub, "kiosk-2", service=None, language="cy")
    assert call_status(hub, API_KEY, second_id, second_token).json()["position"] == 2

    listed = console.queue()
    assert [c["call_id"] for c in listed["calls"]] == [first.json()["call_id"], second_id]
    assert listed["calls"][0] == {
        "call_id": first.json()["call_id"], "site": "central-library", "service": "MISSED_BIN",
        "service_title": "Report a missed bin collection", "language": "en",
        "interpreter": "pl", "waited_seconds": 5}
    assert listed["calls"][1]["service_title"] is None
    assert listed["my_call"] is None
    assert listed["available"] is False

    nxt = console.post("/advisor/next")
    assert nxt.status_code == 200
    assert nxt.json()["call_id"] == first.json()["call_id"]
    assert nxt.json()["token"]
    # The waiting kiosk moves up; the answered one hears it was answered.
    waiting = call_status(hub, API_KEY, second_id, second_token).json()
    assert waiting["position"] == 1
    assert waiting["state"] == "queued"
    answered = call_status(hub, API_KEY, first.json()["call_id"], first.json()["token"]).json()
    assert answered == {"state": "answered", "position": None, "wait_seconds": None,
                        "end_reason": None, "advisors_available": 0}
    mine = console.queue()
    assert mine["my_call"]["call_id"] == first.json()["call_id"]
    assert [c["call_id"] for c in mine["calls"]] == [second_id]
    # One call at a time: answering another while in a call is refused.
    busy = console.post(f"/advisor/calls/{second_id}/answer")
    assert busy.status_code == 409
    assert busy.json()["error"] == "in_call"


def test_next_never_skips_the_queue(hub: TestClient, console: Console, calls_app: FastAPI,
                                    clock: MovingClock) -> None:
    ids = []
    for n in range(3):
        ids.append(_queued(hub, f"kiosk-{n}")[0])
        clock.advance(seconds=1)
    # Someone else answers the oldest directly; "next" then gives the second, not the third.
    add_account(calls_app, "bea", "manager")
    other = TestClient(calls_app, base_url=BASE_URL)
    sign_in(other, "bea")
    taken = other.post(f"/advisor/calls/{ids[0]}/answer",
                       headers={"X-CSRF-Token": csrf_token(other)})
    assert taken.status_code == 200
    again = console.post(f"/advisor/calls/{ids[0]}/answer")
    assert again.status_code == 409
    assert again.json() == {
        "error": "taken", "message": "Another advisor answered this call first"}
    assert console.post("/advisor/next").json()["call_id"] == ids[1]


def test_next_with_nobody_waiting_and_unknown_calls(hub: TestClient, console: Console) -> None:
    assert console.post("/advisor/next").status_code == 404
    assert console.post("/advisor/next").json()["error"] == "queue_empty"
    for action in ("answer", "invite"):
        missing = console.post(f"/advisor/calls/{'0' * 32}/{action}")
        assert missing.status_code == 404
        assert missing.json()["error"] == "unknown_call"
    ended = console.post(f"/advisor/calls/{'0' * 32}/end", {"outcome": "resolved"})
    assert ended.status_code == 404


def test_the_wait_is_position_times_the_mean_call_over_advisors(
        hub: TestClient, console: Console, clock: MovingClock, calls_app: FastAPI) -> None:
    # Two answered calls, of 2 and 4 minutes: the mean is 180 s.
    for minutes in (2, 4):
        call_id, token = _queued(hub, "kiosk-0")
        console.post(f"/advisor/calls/{call_id}/answer")
        clock.advance(minutes=minutes)
        assert end_call(hub, API_KEY, call_id, token, "resident_ended").status_code == 200
        console.post(f"/advisor/calls/{call_id}/end", {"outcome": "resolved"})
    first = _queued(hub, "kiosk-1")
    clock.advance(seconds=1)
    second = _queued(hub, "kiosk-2")
    assert call_status(hub, API_KEY, *second).json()["wait_seconds"] == 2 * 180
    # Two advisors available halve it.
    assert console.post("/advisor/availability", {"available": True}).json() == {
        "available": True}
    add_account(calls_app, "cy", "advisor")
    other = TestClient(calls_app, base_url=BASE_URL)
    sign_in(other, "cy")
    other.post("/advisor/availability", json={"available": True},
               headers={"X-CSRF-Token": csrf_token(other)})
    status = call_status(hub, API_KEY, *second).json()
    assert status["advisors_available"] == 2
    assert status["wait_seconds"] == 180
    assert call_status(hub, API_KEY, *first).json()["wait_seconds"] == 90


def test_availability_lapses_a_minute_after_the_last_poll(hub: TestClient, console: Console,
                                                          clock: MovingClock) -> None:
    call_id, token = _queued(hub, "kiosk-1")
    console.post("/advisor/availability", {"available": True})
    for _ in range(3):  # the console polls: still available
        clock.advance(seconds=50)
        assert console.queue()["available"] is True
        call_status(hub, API_KEY, call_id, token)  # the kiosk polls too
    assert call_status(hub, API_KEY, call_id, token).json()["advisors_available"] == 1
    clock.advance(seconds=61)  # the tab was closed
    assert call_status(hub, API_KEY, call_id, token).json()["advisors_available"] == 0
    assert console.queue()["available"] is False  # and it stays lapsed
    clock.advance(seconds=1)
    assert console.queue()["available"] is False
    console.post("/advisor/availability", {"available": True})
    assert console.queue()["available"] is True
    console.post("/advisor/availability", {"available": False})
    assert call_status(hub, API_KEY, call_id, token).json()["advisors_available"] == 0


def test_the_outcome_is_recorded_and_nothing_personal(hub: TestClient, console: Console,
                                                      calls_app: FastAPI, clock: MovingClock
                                                      ) -> None:
    call_id, token = _queued(hub, "kiosk-1", interpreter="ro")
    console.post(f"/advisor/calls/{call_id}/answer")
    clock.advance(minutes=3)
    too_long = console.post(f"/advisor/calls/{call_id}/end",
                            {"outcome": "resolved", "note": "x" * 501})
    assert too_long.status_code == 422
    assert too_long.json()["field"] == "note"
    assert console.post(f"/advisor/calls/{call_id}/end", {"outcome": "solved"}).status_code == 422
    ended = console.post(f"/advisor/calls/{call_id}/end",
                         {"outcome": "referred", "note": "Sent to housing"})
    assert ended.status_code == 200
    assert ended.json() == {"call_id": call_id, "state": "ended", "end_reason": "advisor_ended",
                            "outcome": "referred"}
    status = call_status(hub, API_KEY, call_id, token).json()
    assert status["state"] == "ended"
    assert status["end_reason"] == "advisor_ended"
    with calls_app.state.hub.engine.connect() as connection:
        row = connection.execute(select(Call).where(Call.id == call_id)).one()
    assert (row.advisor, row.outcome, row.note, row.ended_by) == (
        "ada", "referred", "Sent to housing", "advisor")
    assert (row.ended_at - row.answered_at).total_seconds() == 180
    assert token not in str(row)
    assert row.kiosk_token_digest != token


def test_an_outcome_after_the_kiosk_ended_keeps_the_kiosks_reason(
        hub: TestClient, console: Console, calls_app: FastAPI) -> None:
    call_id, token = _queued(hub, "kiosk-1")
    console.post(f"/advisor/calls/{call_id}/answer")
    first = end_call(hub, API_KEY, call_id, token, "session_ended")
    assert first.json() == {"state": "ended", "end_reason": "session_ended", "ended_by": "kiosk"}
    again = end_call(hub, API_KEY, call_id, token, "resident_ended")  # idempotent
    assert again.status_code == 200
    assert again.json()["end_reason"] == "session_ended"
    ended = console.post(f"/advisor/calls/{call_id}/end", {"outcome": "callback_booked"})
    assert ended.json()["end_reason"] == "session_ended"
    with calls_app.state.hub.engine.connect() as connection:
        assert connection.execute(select(Call.outcome)).scalar() == "callback_booked"


def test_an_invite_links_to_its_call_until_the_call_ends(hub: TestClient, console: Console,
                                                         calls_app: FastAPI) -> None:
    engine = calls_app.state.hub.engine
    call_id, token = _queued(hub, "kiosk-1", language="cy", interpreter="pl")
    early = console.post(f"/advisor/calls/{call_id}/invite")
    assert early.status_code == 404  # not answered by this advisor (yet)
    console.post(f"/advisor/calls/{call_id}/answer")
    links = [console.post(f"/advisor/calls/{call_id}/invite").json()["link"] for _ in range(2)]
    assert links[0] != links[1]
    assert all(link.startswith("/join/") for link in links)
    invited = call_for_invite(engine, links[0].removeprefix("/join/"))
    assert invited is not None
    assert (invited.call_id, invited.language, invited.interpreter) == (call_id, "cy", "pl")
    assert call_for_invite(engine, "not-a-link") is None
    assert call_for_invite(engine, "") is None
    end_call(hub, API_KEY, call_id, token, "resident_ended")
    assert call_for_invite(engine, links[1].removeprefix("/join/")) is None
    late = console.post(f"/advisor/calls/{call_id}/invite")
    assert late.status_code == 409
    assert late.json()["error"] == "call_ended"


def test_kiosk_refusals(hub: TestClient) -> None:
    body = {"terminal": "k", "site": "s", "service": None, "language": "en", "interpreter": None}
    assert hub.post(CALLS, json=body).status_code == 401
    assert hub.post(CALLS, json=body, headers={"X-Api-Key": "wrong"}).status_code == 403
    for bad in ({**body, "language": "english"}, {**body, "terminal": ""},
                {**body, "name": "Ann Smith"}, {**body, "site": 7}, {"terminal": "k"}):
        refused = hub.post(CALLS, json=bad, headers={"X-Api-Key": API_KEY})
        assert refused.status_code == 422, bad
        assert refused.json()["error"] == "invalid_body"
        assert "Ann Smith" not in refused.text
    not_json = hub.post(CALLS, content=b"{", headers={"X-Api-Key": API_KEY,
                                                       "Content-Type": "application/json"})
    assert not_json.status_code == 422
    call_id, token = _queued(hub, "kiosk-1")
    for path, extra in (("status", {}), ("end", {"reason": "resident_ended"})):
        wrong = hub.post(f"{CALLS}/{call_id}/{path}", headers={"X-Api-Key": API_KEY},
                         json={"token": ("y" if token[0] == "x" else "x") + token[1:], **extra})
        assert wrong.status_code == 404
        assert wrong.json()["error"] == "unknown_call"
        unknown = hub.post(f"{CALLS}/{'f' * 32}/{path}", headers={"X-Api-Key": API_KEY},
                           json={"token": token, **extra})
        assert unknown.status_code == 404
        assert unknown.json()["error"] == "unknown_call"
    bad_reason = end_call(hub, API_KEY, call_id, token, "bored")
    assert bad_reason.status_code == 422
    assert bad_reason.json()["field"] == "reason"
    assert call_status(hub, API_KEY, call_id, token).json()["state"] == "queued"
    left = end_call(hub, API_KEY, call_id, token, "resident_left_queue")
    assert left.json()["end_reason"] == "resident_left_queue"


def test_only_advisors_and_managers_use_the_console_api(hub: TestClient, calls_app: FastAPI
                                                        ) -> None:
    add_account(calls_app, "sam", "staff")
    sign_in(hub, "sam")
    assert hub.get("/advisor/queue").status_code == 403
    refused = hub.post("/advisor/next", headers={"X-CSRF-Token": csrf_token(hub)})
    assert refused.status_code == 403
    hub.cookies.clear()
    add_account(calls_app, "ada", "advisor")
    sign_in(hub, "ada")
    assert hub.post("/advisor/next").status_code == 403  # no CSRF token
    assert hub.post("/advisor/next").json()["error"]["code"] == "csrf_failed"


def test_a_kiosk_that_stops_asking_leaves_the_queue(hub: TestClient, calls_app: FastAPI,
                                                    clock: MovingClock) -> None:
    gone_id, gone_token = _queued(hub, "kiosk-1")
    clock.advance(seconds=30)
    here_id, here_token = _queued(hub, "kiosk-2")
    clock.advance(seconds=31)
    call_status(hub, API_KEY, here_id, here_token)
    assert hub.portal is not None
    hub.portal.call(calls_app.state.calls.signalling.tend)
    assert call_status(hub, API_KEY, gone_id, gone_token).json()["end_reason"] == "kiosk_gone"
    assert call_status(hub, API_KEY, here_id, here_token).json()["position"] == 1


def test_peers_of_a_dead_process_are_swept_and_a_lost_advisor_ends_the_call(
        hub: TestClient, console: Console, calls_app: FastAPI, clock: MovingClock) -> None:
    """A socket this process holds is renewed; a row no process renews (its process died)
    is swept as a peer that disconnected, and for an advisor that ends the call."""
    call_id, token = _queued(hub, "kiosk-1")
    advisor_token = console.post(f"/advisor/calls/{call_id}/answer").json()["token"]
    # The advisor joined through another process, which then died: only its row is left.
    joined = peers.join(calls_app.state.hub.engine, call_id, advisor_token, "advisor", "ghost",
                        clock())
    assert joined == peers.Joined(())
    with hub.websocket_connect("/calls/v1/ws") as kiosk:
        kiosk.send_json({"type": "hello", "call_id": call_id, "token": token, "role": "kiosk"})
        welcome = kiosk.receive_json()
        assert welcome["peers"] == [{"peer_id": "ghost", "role": "advisor"}]
        clock.advance(seconds=peers.STALE.total_seconds() + 1)
        assert hub.portal is not None
        hub.portal.call(calls_app.state.calls.signalling.tend)
        assert kiosk.receive_json() == {"type": "peer_left", "peer_id": "ghost",
                                        "role": "advisor", "reason": "disconnected"}
        assert kiosk.receive_json() == {"type": "call_ended", "reason": "advisor_disconnected",
                                        "by": "hub"}
    status = call_status(hub, API_KEY, call_id, token).json()
    assert status["end_reason"] == "advisor_disconnected"
    with calls_app.state.hub.engine.connect() as connection:
        assert connection.execute(select(CallPeer.peer_id)).all() == []


def test_an_answered_call_no_advisor_is_connected_to_is_ended_by_the_upkeep(
        hub: TestClient, console: Console, calls_app: FastAPI, clock: MovingClock) -> None:
    """The console that answered never joined (its tab went, its socket was blocked): the
    kiosk would wait for ever and the advisor could answer nobody else (409 in_call)."""
    assert hub.portal is not None
    engine = calls_app.state.hub.engine
    tend = calls_app.state.calls.signalling.tend
    # An advisor connected (here through another process: only its row) keeps the call.
    kept_id, kept_token = _queued(hub, "kiosk-1")
    advisor_token = console.post(f"/advisor/calls/{kept_id}/answer").json()["token"]
    assert isinstance(peers.join(engine, kept_id, advisor_token, "advisor", "elsewhere",
                                 clock()), peers.Joined)
    clock.advance(seconds=queue.ADVISOR_ABSENT.total_seconds() + 1)
    hub.portal.call(tend)
    assert call_status(hub, API_KEY, kept_id, kept_token).json()["state"] == "answered"
    assert console.post(f"/advisor/calls/{kept_id}/end", {"outcome": "resolved"}
                        ).status_code == 200

    call_id, token = _queued(hub, "kiosk-2")
    assert console.post(f"/advisor/calls/{call_id}/answer").status_code == 200
    with hub.websocket_connect("/calls/v1/ws") as kiosk:
        kiosk.send_json({"type": "hello", "call_id": call_id, "token": token, "role": "kiosk"})
        assert kiosk.receive_json()["peers"] == []
        clock.advance(seconds=queue.ADVISOR_ABSENT.total_seconds() - 1)
        hub.portal.call(tend)
        assert call_status(hub, API_KEY, call_id, token).json()["state"] == "answered"
        assert console.queue()["my_call"]["call_id"] == call_id
        clock.advance(seconds=2)
        hub.portal.call(tend)
        # Asked first: were the call not ended, waiting for the socket would never return.
        status = call_status(hub, API_KEY, call_id, token).json()
        assert status["end_reason"] == "advisor_disconnected"
        assert kiosk.receive_json() == {"type": "call_ended", "reason": "advisor_disconnected",
                                        "by": "hub"}
    assert console.queue()["my_call"] is None  # free to answer again
    # The outcome can still be recorded; the reason stays the hub's.
    ended = console.post(f"/advisor/calls/{call_id}/end", {"outcome": "callback_booked"})
    assert ended.json()["end_reason"] == "advisor_disconnected"

"""The signalling WebSocket on a real hub process (docs/calls.md 2.3), on SQLite and on
PostgreSQL (whose messages go through LISTEN/NOTIFY even within one process): hellos, what
is relayed to whom, leaving, dropping, ending, limits; and one answer per call when
advisors race for it over real HTTP."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from websockets.exceptions import ConnectionClosed

from tests.hub.calls_helpers import (
    Advisor,
    BaseUrl,
    Peer,
    add_advisor,
    call_status,
    end_call,
    first_reply,
    new_call,
    refused_hello,
    ws_url,
)
from tests.hub_server import HubProcess, running_hub

KEY = "demo-kiosk-key"
SECRET = b"coturn-shared-secret-for-tests"


@pytest.fixture
def hub(tmp_path: Path, database_url: str) -> Iterator[HubProcess]:
    with running_hub(tmp_path / "hub", database_url=database_url,
                     extra_args=("--insecure-cookies",)) as process:
        add_advisor(database_url, "ada")
        yield process


def _queued(kiosk: BaseUrl, terminal: str = "kiosk-1") -> tuple[str, str]:
    answer = new_call(kiosk, KEY, terminal)
    assert answer.status_code == 201, answer.text
    return answer.json()["call_id"], answer.json()["token"]


def test_hellos_turn_credentials_and_limits(tmp_path: Path, database_url: str) -> None:
    (tmp_path / "turn-secret").write_bytes(SECRET + b"\n")
    settings = tmp_path / "settings.yaml"
    settings.write_text(
        "calls:\n"
        "  ice_servers:\n"
        '    - urls: ["stun:127.0.0.1:3478"]\n'
        '    - urls: ["turn:127.0.0.1:3478?transport=udp"]\n'
        f"      turn_secret_file: {tmp_path / 'turn-secret'}\n"
        "  credential_ttl_seconds: 600\n"
        "  relay_only: true\n", encoding="utf-8")
    with running_hub(tmp_path / "hub", database_url=database_url,
                     extra_args=("--settings", str(settings))) as hub:
        kiosk = BaseUrl(hub.base_url)
        call_id, token = _queued(kiosk)
        url = ws_url(hub)
        wrong = ("y" if token[0] == "x" else "x") + token[1:]
        for hello in ({"type": "hello", "call_id": call_id, "token": wrong, "role": "kiosk"},
                      {"type": "hello", "call_id": call_id, "token": token, "role": "advisor"},
                      {"type": "hello", "call_id": call_id, "token": token,
                       "role": "interpreter"},
                      {"type": "hello", "call_id": "f" * 32, "token": token, "role": "kiosk"},
                      {"type": "signal", "call_id": call_id, "token": token, "role": "kiosk"},
                      {"type": "hello", "call_id": call_id, "token": token, "role": "hub"},
                      "not json"):
            assert refused_hello(url, hello) == 4403, hello

        before = int(time.time())
        peer = Peer(url, call_id, token, "kiosk")
        after = int(time.time())
        welcome = peer.welcome
        assert welcome["role"] == "kiosk"
        assert welcome["peers"] == []
        assert welcome["ice_transport_policy"] == "relay"
        stun, turn = welcome["ice_servers"]
        assert stun == {"urls": ["stun:127.0.0.1:3478"]}
        assert turn["urls"] == ["turn:127.0.0.1:3478?transport=udp"]
        expiry, peer_id = turn["username"].split(":", 1)
        assert peer_id == peer.peer_id
        assert before + 600 <= int(expiry) <= after + 600
        mac = hmac.new(SECRET, turn["username"].encode(), hashlib.sha1).digest()
        assert turn["credential"] == base64.b64encode(mac).decode()
        assert SECRET.decode() not in hub.output()

        peer.send(type="resident_text", text="x" * 70_000, final=False)
        assert peer.closed_with() == 1009
        flood = Peer(url, call_id, token, "kiosk")
        with contextlib.suppress(ConnectionClosed):  # the hub closes it mid-flood
            for n in range(1000):
                flood.send(type="resident_text", text=str(n), final=False)
        assert flood.closed_with() == 1008


def test_three_way_relay_leave_and_end(hub: HubProcess, database_url: str) -> None:
    kiosk_http = BaseUrl(hub.base_url)
    call_id, token = _queued(kiosk_http)
    url = ws_url(hub)
    kiosk = Peer(url, call_id, token, "kiosk")  # may join while queued
    ada = Advisor(hub, "ada")
    advisor = Peer(url, call_id, ada.answer(call_id), "advisor")
    assert advisor.welcome["peers"] == [{"peer_id": kiosk.peer_id, "role": "kiosk"}]
    assert advisor.welcome["ice_servers"] == []
    assert advisor.welcome["ice_transport_policy"] == "all"
    kiosk.expect("peer_joined", peer_id=advisor.peer_id, role="advisor")

    offer = {"sdp": {"type": "offer", "sdp": "v=0\r\n" + "a=x\r\n" * 2000}}  # > one NOTIFY
    advisor.send(type="signal", to=kiosk.peer_id, data=offer)
    assert kiosk.expect("signal") == {"type": "signal", "from": advisor.peer_id,
                                      "role": "advisor", "data": offer}

    link = ada.post(f"/advisor/calls/{call_id}/invite").json()["link"]
    interpreter = Peer(url, call_id, link.removeprefix("/join/"), "interpreter")
    assert {p["role"] for p in interpreter.welcome["peers"]} == {"kiosk", "advisor"}
    for peer in (kiosk, advisor):
        peer.expect("peer_joined", peer_id=interpreter.peer_id, role="interpreter")

    # A signal goes to its target only: the interpreter sees the fence after it, not it.
    candidate = {"candidate": {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host",
                               "sdpMid": "0", "sdpMLineIndex": 0}}
    kiosk.send(type="signal", to=advisor.peer_id, data=candidate)
    kiosk.send(type="resident_text", text="fence one", final=True)
    assert advisor.expect("signal")["data"] == candidate
    fence = interpreter.expect("resident_text", text="fence one")
    assert fence == {"type": "resident_text", "from": kiosk.peer_id, "role": "kiosk",
                     "text": "fence one", "final": True}
    assert interpreter.skipped == []

    # The summary goes to advisors only, and a kiosk cannot send captions.
    rows = [{"label": "Address", "value": "14 Elm Road"}, {"label": "Bin", "value": "Green"}]
    kiosk.send(type="summary", service="Report a missed bin", rows=rows)
    kiosk.send(type="caption", text="not mine to send", final=True)
    kiosk.send(type="resident_text", text="fence two", final=False)
    summary = advisor.expect("summary")
    assert summary == {"type": "summary", "from": kiosk.peer_id, "role": "kiosk",
                       "service": "Report a missed bin", "rows": rows}
    advisor.expect("resident_text", text="fence two")
    assert advisor.skipped == []
    interpreter.expect("resident_text", text="fence two")
    assert interpreter.skipped == []

    advisor.send(type="caption", text="y" * 600, final=False)
    for peer in (kiosk, interpreter):
        caption = peer.expect("caption")
        assert caption["role"] == "advisor"
        assert caption["text"] == "y" * 500

    # The interpreter leaves: the others are told, the call goes on.
    interpreter.send(type="bye")
    assert interpreter.closed_with() == 1000
    for peer in (kiosk, advisor):
        peer.expect("peer_left", peer_id=interpreter.peer_id, role="interpreter", reason="left")
    assert call_status(kiosk_http, KEY, call_id, token).json()["state"] == "answered"
    kiosk.send(type="resident_text", text="still here", final=True)
    advisor.expect("resident_text", text="still here")

    # The kiosk's session ends: the advisor hears why, and both sockets close.
    assert end_call(kiosk_http, KEY, call_id, token, "session_ended").status_code == 200
    for peer in (advisor, kiosk):
        assert peer.expect("call_ended") == {"type": "call_ended", "reason": "session_ended",
                                             "by": "kiosk"}
        assert peer.closed_with() == 1000
    assert refused_hello(url, {"type": "hello", "call_id": call_id, "role": "interpreter",
                               "token": link.removeprefix("/join/")}) == 4403
    ended = ada.post(f"/advisor/calls/{call_id}/end", {"outcome": "resolved", "note": None})
    assert ended.json()["end_reason"] == "session_ended"
    assert "14 Elm Road" not in hub.output()
    kiosk_http.close()
    ada.http.close()


def test_a_kiosk_may_drop_and_rejoin_but_an_advisor_drop_ends_the_call(hub: HubProcess) -> None:
    kiosk_http = BaseUrl(hub.base_url)
    call_id, token = _queued(kiosk_http)
    url = ws_url(hub)
    ada = Advisor(hub, "ada")
    advisor = Peer(url, call_id, ada.answer(call_id), "advisor")
    kiosk = Peer(url, call_id, token, "kiosk")
    assert kiosk.welcome["peers"] == [{"peer_id": advisor.peer_id, "role": "advisor"}]
    advisor.expect("peer_joined", peer_id=kiosk.peer_id)

    kiosk.drop()
    advisor.expect("peer_left", peer_id=kiosk.peer_id, role="kiosk", reason="disconnected")
    assert call_status(kiosk_http, KEY, call_id, token).json()["state"] == "answered"
    kiosk = Peer(url, call_id, token, "kiosk")
    assert kiosk.welcome["peers"] == [{"peer_id": advisor.peer_id, "role": "advisor"}]
    # An interpreter dropping does not end the call either.
    link = ada.post(f"/advisor/calls/{call_id}/invite").json()["link"]
    interpreter = Peer(url, call_id, link.removeprefix("/join/"), "interpreter")
    interpreter.drop()
    kiosk.expect("peer_left", peer_id=interpreter.peer_id, role="interpreter",
                 reason="disconnected")
    assert call_status(kiosk_http, KEY, call_id, token).json()["state"] == "answered"

    advisor.drop()
    kiosk.expect("peer_left", peer_id=advisor.peer_id, role="advisor", reason="disconnected")
    assert kiosk.expect("call_ended") == {"type": "call_ended",
                                          "reason": "advisor_disconnected", "by": "hub"}
    assert kiosk.closed_with() == 1000
    status = call_status(kiosk_http, KEY, call_id, token).json()
    assert (status["state"], status["end_reason"]) == ("ended", "advisor_disconnected")
    # Too late to join: the kiosk is told the call ended, as the others were.
    hello = {"type": "hello", "call_id": call_id, "token": token, "role": "kiosk"}
    assert first_reply(url, hello) == {"type": "call_ended", "reason": "advisor_disconnected",
                                       "by": "hub"}


def test_advisors_racing_for_one_call_get_one_answer(hub: HubProcess, database_url: str) -> None:
    names = [f"adv{n}" for n in range(6)]
    for name in names[1:]:
        add_advisor(database_url, name)
    advisors = [Advisor(hub, "ada")] + [Advisor(hub, name) for name in names[1:]]
    call_id, _ = _queued(BaseUrl(hub.base_url))
    start = threading.Barrier(len(advisors))

    def press_answer(advisor: Advisor) -> requests.Response:
        start.wait(timeout=30)
        return advisor.post(f"/advisor/calls/{call_id}/answer")

    with ThreadPoolExecutor(max_workers=len(advisors)) as pool:
        answers = list(pool.map(press_answer, advisors))
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] + [409] * (len(advisors) - 1), [a.text for a in answers]
    assert all(a.json()["error"] == "taken" for a in answers if a.status_code == 409)

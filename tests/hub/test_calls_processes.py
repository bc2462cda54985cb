"""Two hub processes on one PostgreSQL database: the kiosk's socket on one, the advisor's
on the other. Offer, answer and candidates cross both ways through LISTEN/NOTIFY, and so
does the end of the call, whichever process ends it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hub.calls_helpers import (
    Advisor,
    BaseUrl,
    Peer,
    add_advisor,
    call_status,
    end_call,
    new_call,
    ws_url,
)
from tests.hub.conftest import SharedDatabase
from tests.hub_server import HubProcess, running_hub

KEY = "demo-kiosk-key"


@pytest.fixture
def two_hubs(tmp_path: Path, postgres_hub: SharedDatabase
             ) -> Iterator[tuple[HubProcess, HubProcess]]:
    postgres_hub.empty()
    args = ("--insecure-cookies",)
    with running_hub(tmp_path / "a", database_url=postgres_hub.url, extra_args=args) as a, \
            running_hub(tmp_path / "b", database_url=postgres_hub.url, extra_args=args) as b:
        add_advisor(postgres_hub.url, "ada")
        yield a, b


def test_a_call_connects_across_two_hub_processes(two_hubs: tuple[HubProcess, HubProcess]
                                                  ) -> None:
    a, b = two_hubs
    kiosk_http = BaseUrl(a.base_url)
    queued = new_call(kiosk_http, KEY)
    call_id, token = queued.json()["call_id"], queued.json()["token"]
    ada = Advisor(b, "ada")
    assert [c["call_id"] for c in ada.http.get("/advisor/queue").json()["calls"]] == [call_id]
    advisor_token = ada.answer(call_id)
    assert call_status(kiosk_http, KEY, call_id, token).json()["state"] == "answered"

    kiosk = Peer(ws_url(a), call_id, token, "kiosk")
    advisor = Peer(ws_url(b), call_id, advisor_token, "advisor")
    assert advisor.welcome["peers"] == [{"peer_id": kiosk.peer_id, "role": "kiosk"}]
    kiosk.expect("peer_joined", peer_id=advisor.peer_id, role="advisor")

    # The newcomer (the advisor) offers; an SDP of several NOTIFY pieces arrives whole.
    offer = {"sdp": {"type": "offer", "sdp": "v=0\r\n" + "a=fingerprint:x\r\n" * 1500}}
    advisor.send(type="signal", to=kiosk.peer_id, data=offer)
    assert kiosk.expect("signal", **{"from": advisor.peer_id})["data"] == offer
    answer = {"sdp": {"type": "answer", "sdp": "v=0\r\na=answer\r\n"}}
    kiosk.send(type="signal", to=advisor.peer_id, data=answer)
    assert advisor.expect("signal", **{"from": kiosk.peer_id})["data"] == answer
    for n in range(5):
        kiosk.send(type="signal", to=advisor.peer_id,
                   data={"candidate": {"candidate": f"candidate:{n}", "sdpMid": "0"}})
        advisor.send(type="signal", to=kiosk.peer_id,
                     data={"candidate": {"candidate": f"candidate:{n + 10}", "sdpMid": "0"}})
    got_advisor = [advisor.expect("signal")["data"]["candidate"]["candidate"] for _ in range(5)]
    got_kiosk = [kiosk.expect("signal")["data"]["candidate"]["candidate"] for _ in range(5)]
    assert got_advisor == [f"candidate:{n}" for n in range(5)]  # in the order sent
    assert got_kiosk == [f"candidate:{n + 10}" for n in range(5)]
    advisor.send(type="caption", text="Hello, how can I help?", final=True)
    assert kiosk.expect("caption")["text"] == "Hello, how can I help?"

    # The kiosk ends the call on its process; the advisor's socket, on the other, hears it.
    assert end_call(kiosk_http, KEY, call_id, token, "resident_ended").status_code == 200
    for peer in (advisor, kiosk):
        assert peer.expect("call_ended") == {"type": "call_ended", "reason": "resident_ended",
                                             "by": "kiosk"}
        assert peer.closed_with() == 1000

    # A second call: the advisor's socket drops on B; the kiosk on A is told.
    queued = new_call(kiosk_http, KEY, "kiosk-2")
    call_id, token = queued.json()["call_id"], queued.json()["token"]
    advisor = Peer(ws_url(b), call_id, ada.answer(call_id), "advisor")
    kiosk = Peer(ws_url(a), call_id, token, "kiosk")
    advisor.expect("peer_joined", peer_id=kiosk.peer_id)
    advisor.drop()
    assert kiosk.expect("call_ended") == {"type": "call_ended",
                                          "reason": "advisor_disconnected", "by": "hub"}
    # And the advisor's outcome, posted to the kiosk's process, is recorded.
    ada_on_a = Advisor(a, "ada")
    ended = ada_on_a.post(f"/advisor/calls/{call_id}/end", {"outcome": "callback_booked"})
    assert ended.json()["end_reason"] == "advisor_disconnected"

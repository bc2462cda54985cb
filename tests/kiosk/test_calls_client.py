"""The kiosk's call queue client (`HubCalls`) against the real hub process on 127.0.0.1:
join, status, end, and every failure a typed outcome with no token in it."""

from __future__ import annotations

from pathlib import Path

from kiosk.calls.base import CallStatus, CallUnavailable, Joined, JoinRequest
from kiosk.calls.hub_client import HubCalls, hub_origin
from tests.hub_server import running_hub

REQUEST = JoinRequest("kiosk-1", "central-library", "missed-bin", "cy", "bfi")


def test_join_status_and_end_against_the_real_hub(tmp_path: Path) -> None:
    with running_hub(tmp_path) as hub:
        calls = HubCalls(hub.base_url + "/kiosk/v1", "demo-kiosk-key")
        try:
            assert calls.origin == hub.base_url
            assert calls.signalling_url == hub.base_url.replace("http", "ws") + "/calls/v1/ws"
            joined = calls.join(REQUEST)
            assert isinstance(joined, Joined), joined
            assert joined.position == 1
            assert joined.token not in repr(joined)
            second = calls.join(REQUEST)
            assert isinstance(second, Joined)
            status = calls.status(second.call_id, second.token)
            assert isinstance(status, CallStatus), status
            assert (status.state, status.position) == ("queued", 2)
            assert calls.end(joined.call_id, joined.token, "resident_left_queue")
            moved = calls.status(second.call_id, second.token)
            assert isinstance(moved, CallStatus)
            assert moved.position == 1
            wrong = calls.status(second.call_id, joined.token)
            assert isinstance(wrong, CallUnavailable)
            assert joined.token not in wrong.detail
            ended = calls.status(joined.call_id, joined.token)
            assert isinstance(ended, CallStatus)
            assert ended.state == "ended"
            assert ended.end_reason == "resident_left_queue"
        finally:
            calls.close()


def test_a_wrong_key_and_no_hub_are_typed_outcomes(tmp_path: Path) -> None:
    with running_hub(tmp_path) as hub:
        refused = HubCalls(hub.base_url + "/kiosk/v1", "wrong-key").join(REQUEST)
        assert isinstance(refused, CallUnavailable)
        assert refused.reason == "refused"
    gone = HubCalls("http://127.0.0.1:9/kiosk/v1", "demo-kiosk-key",
                    timeout_seconds=1, connect_timeout_seconds=0.5).join(REQUEST)
    assert isinstance(gone, CallUnavailable)
    assert gone.reason == "unreachable"


def test_the_origin_and_socket_follow_the_scheme() -> None:
    assert hub_origin("https://hub.example.gov.uk/kiosk/v1") == (
        "https://hub.example.gov.uk", "wss://hub.example.gov.uk/calls/v1/ws")
    assert hub_origin("http://127.0.0.1:8311/kiosk/v1") == (
        "http://127.0.0.1:8311", "ws://127.0.0.1:8311/calls/v1/ws")

"""The two-party call forced through a real coturn on 127.0.0.1: relay-only ICE policy, TURN
credentials made the way the hub makes them (coturn's REST-API scheme, docs/calls.md §2.4).

Proof that media went through the TURN server and not around it: each side's selected
candidate pair has a local candidate of type "relay", and coturn's log shows allocations
for both peers' usernames.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.browser import running_chromium
from tests.turn_server import running_turn
from tests.web_calls.harness import join, serve_harness
from tests.web_calls.signal_relay import RelayCore, running_relay, turn_credentials


def test_media_flows_through_coturn_with_relay_only_ice(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    with running_turn(tmp_path) as turn:
        def ice_servers(peer_id: str) -> list[dict[str, object]]:
            username, credential = turn_credentials(turn.secret, peer_id, ttl_seconds=600)
            return [{"urls": [turn.url], "username": username, "credential": credential}]

        core = RelayCore(ice_servers=ice_servers, relay_only=True)
        core.add_call("turn-call", kiosk="k-token", advisor="a-token")
        with running_relay(core) as relay, running_chromium(tmp_path) as browser:
            serve_harness(relay)
            kiosk = join(browser, relay, "turn-call", "kiosk", "k-token")
            welcome = kiosk.wait_for_event("welcome")[0]
            started = time.monotonic()
            advisor = join(browser, relay, "turn-call", "advisor", "a-token")
            try:
                at_advisor = advisor.wait_for_media(["kiosk"])
                at_kiosk = kiosk.wait_for_media(["advisor"])
                elapsed = time.monotonic() - started
                assert at_advisor[0]["route"] == "relay", at_advisor
                assert at_kiosk[0]["route"] == "relay", at_kiosk
                # No host candidate was ever offered: relay-only gathers relay candidates only.
                candidates = [m["data"]["candidate"]["candidate"] for m in core.log
                              if m["type"] == "signal" and "candidate" in m["data"]
                              and m["data"]["candidate"].get("candidate")]
                assert candidates
                assert all(" typ relay " in c for c in candidates), candidates
                with capsys.disabled():
                    print(f"\n[mesh via coturn] advisor join → both sides flowing "
                          f"{elapsed * 1000:.0f} ms; advisor's first frame "
                          f"{advisor.page.evaluate('H.firstFrame.kiosk'):.0f} ms")
            finally:
                kiosk.page.close()
                advisor.page.close()
        log = turn.log()
        assert f":{welcome['peer_id']}" in log, "coturn never saw the kiosk's username"
        assert "ALLOCATE processed, success" in log, log[-3000:]

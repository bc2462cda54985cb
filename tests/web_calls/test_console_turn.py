"""A call between the kiosk's page and the advisor console forced through a real coturn on
127.0.0.1 by the REAL hub: its settings file's `calls` section names the TURN server, its
shared secret in a file, and `relay_only: true`; each peer's time-limited credentials come
in the hub's `welcome` (docs/calls.md §2.4).

Proof that media went through coturn: both sides' selected candidate pair has a local
candidate of type "relay", and coturn's log shows allocations for both peers' usernames,
which carry expiry times within the settings' TTL.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.hub_server import running_hub
from tests.turn_server import running_turn
from tests.web_calls.harness import wait_until
from tests.web_calls.real_hub import HUB_ARGS, Hub, add_advisor, kiosks, open_console

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

TTL = 600


def test_a_console_call_relays_through_coturn_with_the_hubs_credentials(
        tmp_path: Path, pages: str, chromium: BrowserContext,
        capsys: pytest.CaptureFixture[str]) -> None:
    with running_turn(tmp_path) as turn:
        secret_file = tmp_path / "turn-secret"
        secret_file.write_text(turn.secret + "\n", encoding="utf-8")
        secret_file.chmod(0o600)
        settings = tmp_path / "hub-settings.yaml"
        settings.write_text(
            "calls:\n"
            "  ice_servers:\n"
            f'    - urls: ["{turn.url}"]\n'
            f"      turn_secret_file: {secret_file}\n"
            f"  credential_ttl_seconds: {TTL}\n"
            "  relay_only: true\n", encoding="utf-8")
        with running_hub(tmp_path / "hub", extra_args=(*HUB_ARGS, "--settings", str(settings))
                         ) as process, kiosks(Hub(process), pages, "turn-kiosk") as (kiosk,):
            hub = Hub(process)
            add_advisor(process.database_url)
            assert turn.secret not in process.output()  # read, never printed
            kiosk.queue("Central Library")
            at_kiosk = kiosk.open_call_page(chromium)
            console = open_console(chromium, hub)
            try:
                wait_until(lambda: len(console.rows()) == 1, "the resident in the queue")
                answered = time.monotonic()
                console.page.get_by_role("button", name="Answer next call").click()
                at_console = console.wait_for_media(["kiosk"])
                at_kiosk_stats = at_kiosk.wait_for_media(["advisor"])
                flowing_ms = (time.monotonic() - answered) * 1000
                assert at_console[0]["route"] == "relay", at_console
                assert at_kiosk_stats[0]["route"] == "relay", at_kiosk_stats
                peer_ids = {"kiosk": at_kiosk.page.evaluate("H.call.peerId()"),
                            "advisor": console.page.evaluate(
                                "AdvisorConsole.state.mesh.peerId()")}
                console.page.get_by_label("Resolved").check()
                console.page.get_by_role("button", name="End call").click()
                console.wait_text("#console-status", "Outcome recorded: Resolved")
                assert (console.errors, at_kiosk.errors) == ([], [])
            finally:
                console.close()
        log = turn.log()
        assert "ALLOCATE processed, success" in log, log[-3000:]
        now = time.time()
        for role, peer_id in peer_ids.items():
            expiries = [int(e) for e in re.findall(rf"(\d+):{re.escape(peer_id)}\b", log)]
            assert expiries, f"coturn never saw the {role}'s username"
            assert all(now < expiry <= now + TTL for expiry in expiries), (role, expiries, now)
        with capsys.disabled():
            print(f"\n[console via coturn, real hub] Answer next → both sides' media flowing "
                  f"{flowing_ms:.0f} ms; route {at_console[0]['route']}/"
                  f"{at_kiosk_stats[0]['route']}; {at_kiosk_stats[0]['width']}x"
                  f"{at_kiosk_stats[0]['height']}")

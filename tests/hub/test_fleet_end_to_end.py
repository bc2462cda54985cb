"""Relay to hub, for real: a `kiosk relay` process beats to a `python -m hub` process on
127.0.0.1 every second, and the terminal appears on the fleet page with its outbox depth and
the devices its screen reported; the page refuses anyone not signed in.

Two reports wait in the outbox (their back office is a closed port, so they stay), the
screen's last status is left as the screen leaves it, and the terminal is enrolled and
registered with the real `kiosk-hub device register`.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import requests

from hub.account_cli import main as account_main
from hub.cli import main as hub_main
from kiosk.assembly import open_outbox
from kiosk.clock import FakeClock
from kiosk.device_identity import IDENTITY, key_folder
from kiosk.health import Check, HealthMonitor, Level
from kiosk.screen_status import ScreenStatusFile
from tests.hub_server import running_hub
from tests.kiosk.open311_fake import make_submission
from tests.kiosk_fixtures import demo_profile_copy
from tests.relay_process import running_relay

DEADLINE = 30.0
PASSWORD = "correct horse battery"


class Probe:
    id = "printer"

    def checks(self) -> tuple[Check, ...]:
        return (Check("printer", Level.OK, "online"), Check("paper", Level.WARNING, "near_end"))


def signed_in(base_url: str) -> requests.Session:
    browser = requests.Session()
    form = browser.get(f"{base_url}/sign-in", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None, form.text
    answer = browser.post(f"{base_url}/sign-in", timeout=10, allow_redirects=False, data={
        "csrf_token": token.group(1), "name": "ivy", "password": PASSWORD, "next": "/fleet"})
    assert answer.status_code == 303, answer.text
    return browser


def test_a_real_relay_appears_on_a_real_hubs_fleet_page(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with running_hub(tmp_path / "hub", extra_args=["--insecure-cookies"]) as hub:
        database = ["--database", hub.database_url]
        profile = demo_profile_copy(
            tmp_path, base_url="http://127.0.0.1:9", mode="production", sealed_for=state,
            demo_quit_shortcut=False, card_reader={"type": "none"},
            heartbeat={"endpoint": f"{hub.base_url}/kiosk/v1", "interval_seconds": 1})
        assert hub_main(["device", "register", str(key_folder(state) / IDENTITY), *database]) == 0
        assert account_main(["add", "ivy", "--role", "it", "--password-stdin", *database],
                            stdin=io.StringIO(PASSWORD + "\n")) == 0
        with open_outbox(state) as outbox:
            for _ in range(2):
                outbox.enqueue(make_submission())
        HealthMonitor([Probe()], FakeClock(), on_status=ScreenStatusFile(state).write).refresh()

        stranger = requests.get(f"{hub.base_url}/fleet", allow_redirects=False, timeout=10,
                                headers={"Accept": "text/html"})
        assert stranger.status_code == 303
        assert stranger.headers["location"].startswith("/sign-in")
        assert requests.get(f"{hub.base_url}/fleet", timeout=10).status_code == 401

        with running_relay(profile, state, tmp_path / "relay", interval=3600) as relay:
            browser = signed_in(hub.base_url)
            deadline = time.monotonic() + DEADLINE
            row = ""
            while time.monotonic() < deadline:
                page = browser.get(f"{hub.base_url}/fleet", timeout=10)
                assert page.status_code == 200
                if 'id="terminal-test-device"' in page.text:
                    row = page.text.split('id="terminal-test-device"')[1].split("</tr>")[0]
                    if "2 waiting" in row:
                        break
                time.sleep(0.2)
            assert "2 waiting" in row, f"{row}\n--- relay:\n{relay.output()}\n--- hub:\n{hub.output()}"
            assert "Printer: online" in row
            assert "Paper: near end" in row
            assert "Needs attention" in row
            assert "central-library" in row
            # A beat a second: the history grows while we watch.
            first = _beats(browser, hub.base_url)
            deadline = time.monotonic() + DEADLINE
            while _beats(browser, hub.base_url) <= first and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _beats(browser, hub.base_url) > first
        assert "Traceback" not in relay.output()
        assert "refused the heartbeat" not in relay.output()


def _beats(browser: requests.Session, base_url: str) -> int:
    page = browser.get(f"{base_url}/fleet/test-device", timeout=10).text
    return page.split("Recent heartbeats")[1].count("<tr>") - 1  # less the header row


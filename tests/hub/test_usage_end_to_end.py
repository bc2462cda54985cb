"""Usage events for real, kiosk to report: the screen's buffer in a terminal's state folder,
a `kiosk relay` process sending it to a `python -m hub` process on 127.0.0.1 (signed by the
registered device), and the hub's aggregates and CSV counting the visits once.

The two helpers built the two halves against one spec, each with a stand-in for the other;
this is the test that the halves meet (the URL, the envelope, the answer, the site)."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

from hub.account_cli import main as account_main
from hub.cli import main as hub_main
from hub.usage.tables import UsageBatch, UsageEventRow
from kiosk.device_identity import IDENTITY, key_folder
from kiosk.usage_buffer import UsageBuffer
from tests.hub.test_fleet_end_to_end import PASSWORD, signed_in
from tests.hub.usage_helpers import a_visit, visit_id
from tests.hub_server import running_hub
from tests.kiosk_fixtures import demo_profile_copy
from tests.relay_process import running_relay

DEADLINE = 60.0
VISITS = 7  # more than the report's smallest shown count (5)


def test_a_real_relay_delivers_buffered_events_and_the_report_counts_each_visit_once(
        tmp_path: Path) -> None:
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
        buffer = UsageBuffer.in_state_dir(state)
        sent = [e for n in range(VISITS) for e in a_visit(visit_id(n), hour="2026-11-23T10")]
        for event in sent:
            buffer.append(event)
        engine = create_engine(hub.database_url)
        try:
            with running_relay(profile, state, tmp_path / "relay", interval=3600) as relay:
                deadline = time.monotonic() + DEADLINE
                while buffer.depth() and time.monotonic() < deadline:
                    time.sleep(0.1)  # another process empties the file: nothing to wait on
                assert buffer.depth() == 0, f"--- relay:\n{relay.output()}\n--- hub:\n{hub.output()}"
            with engine.connect() as conn:
                stored = conn.scalar(select(func.count()).select_from(UsageEventRow))
                batches = conn.scalar(select(func.count()).select_from(UsageBatch))
            assert stored == len(sent)
            assert batches is not None
            assert batches >= 1
            browser = signed_in(hub.base_url)
            answer = browser.get(f"{hub.base_url}/report.csv",
                                 params={"from": "2026-11", "to": "2026-11"}, timeout=30)
            assert answer.status_code == 200, answer.text[:500]
            rows = list(csv.reader(io.StringIO(answer.text)))
            headline = {r[1]: r[3] for r in rows if len(r) == 4 and r[0] == "key figures"}
            assert headline.get("Visits") == str(VISITS), rows[:12]
        finally:
            engine.dispose()
            buffer.close()
        assert "Traceback" not in relay.output()

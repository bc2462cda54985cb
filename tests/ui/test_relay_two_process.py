"""Production's shape: the screen in this process, `kiosk relay` in its own, the real hub.

The screen only writes the outbox and asks the relay over its socket. With the hub up the
resident sees "sent"; with it down, "saved", and the relay's own pass sends the report when
the hub comes back, with nothing else touched.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import ExitStack
from pathlib import Path

from kiosk.outbox import RelayClient
from tests.hub_server import HubProcess, running_hub
from tests.relay_process import running_relay
from ui.driving import answer_text, choose, page_name, tap, widget

FEEDBACK = "Lovely staff at the library"


def _send_feedback(qtbot, window) -> str:
    tap(window, "start")
    tap(window, "service-feedback")
    choose(window, "compliment")
    tap(window, "option-libraries")
    tap(window, "continue")
    answer_text(window, FEEDBACK)
    tap(window, "continue")  # optional date left empty
    choose(window, "no")
    tap(window, "submit")
    qtbot.waitUntil(lambda: page_name(window) == "confirmation", timeout=20000)
    return str(widget(window, "deliveryState").text())


def _stored_references(hub: HubProcess) -> list[str]:
    db = Path(hub.database_url.removeprefix("sqlite:///"))
    with sqlite3.connect(db) as conn:
        return [r for (r,) in conn.execute("SELECT kiosk_reference FROM service_requests")]


def test_the_relay_process_sends_and_the_screen_says_so(make_kiosk, qtbot, tmp_path: Path) -> None:
    hub_dir, state = tmp_path / "hub", tmp_path / "state"
    with ExitStack() as stack:
        first_hub = stack.enter_context(ExitStack())
        hub = first_hub.enter_context(running_hub(hub_dir))
        kiosk = make_kiosk(hub.base_url)  # start_relay=False: the screen runs no relay
        assert kiosk.assembly.relay is None
        relay = stack.enter_context(running_relay(tmp_path / "profile.yaml", state,
                                                  tmp_path / "relay", interval=0.5))
        window, outbox = kiosk.window, kiosk.assembly.outbox

        assert _send_feedback(qtbot, window) == "We have sent this to the council."
        first = window.session.outcome
        assert first is not None
        assert first.delivered
        assert _stored_references(hub) == [first.reference]
        tap(window, "finish")
        qtbot.waitUntil(lambda: page_name(window) == "attract", timeout=5000)

        first_hub.close()  # the hub stops; the relay and the screen carry on
        assert _send_feedback(qtbot, window).startswith("This is saved")
        second = window.session.outcome
        assert second is not None
        assert not second.delivered
        assert outbox.depth() == 1
        assert RelayClient(relay.socket).status().destinations == {"council": "failing"}

        with running_hub(hub_dir, port=hub.port) as back:
            # Nothing is touched now: the relay's own pass must find the row and send it.
            deadline = time.monotonic() + 60
            while outbox.depth() and time.monotonic() < deadline:
                qtbot.wait(50)
            assert outbox.depth() == 0, relay.output()
            assert sorted(_stored_references(back)) == sorted([first.reference, second.reference])
            assert RelayClient(relay.socket).status().destinations == {"council": "up"}
        assert relay.stop() == 0
        assert not relay.socket.exists()
        assert "relay: delivering from" in relay.output()
        assert FEEDBACK not in relay.output()

"""Track my request in the real window: the resident pastes the receipt's status link, waits
while the real hub asks the county's (third-party) Open311 server, reads the status in plain
words (and hears it), prints it, finishes; a change the county makes shows on a second look,
made this time by scanning the receipt's QR code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from peripherals.printer import FakePrinter
from tests.escpos_decode import decode
from tests.track_world import TrackWorld, track_world
from ui.driving import DriveFailed, clear_text, page_name, tap, type_text, widget

REFERENCE = "AB2CD3EF"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[TrackWorld]:
    with track_world(tmp_path) as made:
        yield made


def reported(world: TrackWorld) -> str:
    """A report the county holds under a token (which it turns into an id at once), as the
    relay would tell the hub of it."""
    world.council.token_waits = 0
    remote_id, token = world.council.add()
    response = requests.post(f"{world.hub.base_url}/kiosk/v1/references", timeout=10,
                             headers={"X-Api-Key": world.hub.api_key},
                             json={"reference": REFERENCE, "destination": "county",
                                   "remote_token": token, "service_code": "MISSED_BIN",
                                   "delivered_at": "2026-11-20T09:30:00+00:00"})
    assert response.status_code == 200, response.text
    return remote_id


def shown_rows(window) -> dict[str, str]:
    rows = {}
    for n in range(10):
        try:
            label = widget(window, f"row-{n}").text()
        except DriveFailed:
            break
        rows[label] = widget(window, f"row-detail-{n}").text()
    return rows


def test_track_my_request_in_the_window(make_kiosk, qtbot, world: TrackWorld) -> None:
    remote_id = reported(world)
    world.council.update(remote_id, "in_progress", "Crew booked for Tuesday")
    kiosk = make_kiosk(profile=world.profile)
    window = kiosk.window
    window.set_preferences(window.prefs.with_(read_aloud=True))
    tap(window, "start")
    tap(window, "service-track-request")
    assert page_name(window) == "question:reference"
    type_text(window, "answer", f"{world.hub.base_url}/status/ab2c d3ef")
    tap(window, "continue")
    qtbot.waitUntil(lambda: page_name(window) == "result:status", timeout=10000)
    rows = shown_rows(window)
    assert rows["Status"] == "In progress"
    assert rows["Reference"] == "AB2C D3EF"
    assert rows["Notes from the council"] == "Crew booked for Tuesday"
    qtbot.waitUntil(lambda: any("In progress" in said for said in kiosk.speech.texts()),
                    timeout=5000)
    assert widget(window, "finish").isVisible()

    tap(window, "print")
    qtbot.waitUntil(lambda: widget(window, "printState").isVisible(), timeout=10000)
    assert widget(window, "printState").text() == "Printed. Take it from the printer."
    printer = kiosk.assembly.printer
    assert isinstance(printer, FakePrinter)
    assert "Crew booked for Tuesday" in decode(printer.jobs[-1]).text

    tap(window, "finish")
    qtbot.waitUntil(lambda: page_name(window) == "attract", timeout=5000)

    world.council.update(remote_id, "fixed", "Emptied this morning")
    tap(window, "start")
    tap(window, "service-track-request")
    window.scanner.scanned.emit(REFERENCE)  # the QR code's last part, as a scan
    qtbot.waitUntil(lambda: page_name(window) == "result:status", timeout=10000)
    rows = shown_rows(window)
    assert rows["Status"] == "Closed"
    assert rows["Notes from the council"] == "Emptied this morning"


def test_an_unknown_reference_is_said_plainly(make_kiosk, qtbot, world: TrackWorld) -> None:
    kiosk = make_kiosk(profile=world.profile)
    window = kiosk.window
    tap(window, "start")
    tap(window, "service-track-request")
    type_text(window, "answer", "nonsense")
    tap(window, "continue")
    assert page_name(window) == "question:reference"
    assert widget(window, "error-reference").text() == (
        "Enter the reference as it is printed on your receipt, like AB2C D3EF")
    clear_text(window, "answer")
    type_text(window, "answer", "XY2V A3BC")
    tap(window, "continue")
    qtbot.waitUntil(lambda: page_name(window) == "result:status", timeout=10000)
    assert widget(window, "empty").text().startswith("We cannot find that reference.")
    assert not widget(window, "print").isVisible()

"""Booking end to end: the real window and terminal, the kiosk's hub client, and the real hub
process (`python -m hub`, its demo appointments file, its own SQLite database) on 127.0.0.1.

Book the first free time the hub offers, with the booking printed and its QR code holding the
reference the hub made; the hub holds it as confirmed. Then change nothing and cancel it by
reference and postcode, printed again; the hub holds it as cancelled and the place is free.
Neither the resident's name nor their postcode appears in the hub's output.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.journey.pages import QuestionPage
from peripherals.printer import FakePrinter
from tests.escpos_decode import decode
from tests.hub_server import HubProcess, running_hub
from tests.kiosk_fixtures import demo_profile_copy
from ui.driving import choose, page_name, tap, type_text, widget

NAME = "Zebedee Canary-Quux"
POSTCODE = "ZZ9 9ZQ"
HUB_SECONDS = 15000


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    with running_hub(tmp_path / "hub", extra_args=["--log-level", "info"]) as process:
        yield process


@pytest.fixture
def kiosk(make_kiosk, tmp_path: Path, hub: HubProcess):
    path = demo_profile_copy(tmp_path, base_url=hub.base_url, printer="fake",
                             lookups={"type": "hub", "endpoint": f"{hub.base_url}/kiosk/v1",
                                      "api_key": hub.api_key, "timeout_seconds": 5,
                                      "connect_timeout_seconds": 2})
    return make_kiosk(profile=path)


def wait_page(qtbot, window, name: str) -> None:
    qtbot.waitUntil(lambda: page_name(window) == name, timeout=HUB_SECONDS)


def first_option(kiosk) -> str:
    """The first option the hub offered on the question showing (a day, a time)."""
    shown = kiosk.terminal.current()
    assert isinstance(shown, QuestionPage), shown
    assert shown.options, shown
    return shown.options[0].value


def printed_text(kiosk) -> str:
    printer = kiosk.assembly.printer
    assert isinstance(printer, FakePrinter)
    return decode(printer.jobs[-1]).text


def find(hub: HubProcess, reference: str) -> dict[str, Any]:
    answer = requests.post(f"{hub.base_url}/kiosk/v1/appointments/bookings/find",
                           json={"reference": reference, "postcode": POSTCODE},
                           headers={"X-Api-Key": hub.api_key}, timeout=5)
    assert answer.status_code == 200, answer.text
    booking: dict[str, Any] = answer.json()["booking"]
    return booking


def free_places(hub: HubProcess, day: str) -> int:
    answer = requests.post(f"{hub.base_url}/kiosk/v1/lookups/appointment-days",
                           json={"inputs": {"type": "housing-advice", "site": "central-library"}},
                           headers={"X-Api-Key": hub.api_key}, timeout=5)
    assert answer.status_code == 200, answer.text
    return sum(int(i["data"]["free"]) for i in answer.json()["items"] if i["value"] == day)


def test_book_print_and_cancel_against_the_real_hub(qtbot, kiosk, hub: HubProcess) -> None:
    window = kiosk.window
    tap(window, "start")
    tap(window, "service-book-appointment")
    wait_page(qtbot, window, "question:type")
    choose(window, "housing-advice")
    wait_page(qtbot, window, "question:site")
    choose(window, "central-library")
    wait_page(qtbot, window, "question:day")
    day = first_option(kiosk)
    free_before = free_places(hub, day)
    choose(window, day)
    wait_page(qtbot, window, "question:time")
    start = first_option(kiosk)
    choose(window, start)
    wait_page(qtbot, window, "question:name")
    assert free_places(hub, day) == free_before - 1  # held for this resident
    type_text(window, "answer", NAME)
    tap(window, "continue")
    choose(window, "phone")
    type_text(window, "answer", "07700 900461")
    tap(window, "continue")
    type_text(window, "answer", POSTCODE)
    tap(window, "continue")
    assert page_name(window) == "check_answers"
    tap(window, "submit")
    wait_page(qtbot, window, "booking_done:confirmed")
    reference = widget(window, "reference").text()
    booking = find(hub, reference)
    assert booking["status"] == "confirmed"
    assert booking["start"] == start
    paper = printed_text(kiosk)
    assert reference in paper
    assert "Central Library" in paper
    assert NAME not in paper
    assert POSTCODE not in paper
    tap(window, "finish")
    wait_page(qtbot, window, "attract")

    tap(window, "start")
    tap(window, "service-manage-booking")
    type_text(window, "answer", reference.lower())
    tap(window, "continue")
    type_text(window, "answer", POSTCODE.lower())
    tap(window, "continue")
    wait_page(qtbot, window, "result:details")
    tap(window, "continue")
    choose(window, "cancel")
    choose(window, "yes")
    wait_page(qtbot, window, "booking_done:cancelled")
    assert find(hub, reference)["status"] == "cancelled"
    assert free_places(hub, day) == free_before
    tap(window, "print")
    qtbot.waitUntil(lambda: widget(window, "printState").isVisible(), timeout=HUB_SECONDS)
    assert reference in printed_text(kiosk)
    tap(window, "finish")
    wait_page(qtbot, window, "attract")

    output = hub.output()
    assert NAME not in output
    assert POSTCODE not in output
    assert POSTCODE.lower() not in output
    assert POSTCODE.replace(" ", "") not in output

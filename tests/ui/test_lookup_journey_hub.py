"""A journey that asks the council, end to end: the real window and terminal, the hub client,
and the real hub process on 127.0.0.1.

Options arrive; with the hub stopped the resident sees "we cannot look this up right now";
with the hub frozen (SIGSTOP) the waiting page shows and then gives way to the same page at
the client's timeout, never a frozen screen; Try again works once the hub is back; and the
postcode the resident typed appears nowhere in the hub's output (its access log included).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from tests.hub_server import HubProcess, running_hub
from tests.kiosk_fixtures import demo_profile_copy
from ui.driving import choose, page_name, tap, type_text, widget

# A DE99 postcode the demo gazetteer knows, typed in a form no log should ever show.
POSTCODE = "de99 3ef"
CANARY_FORMS = ("DE99 3EF", "DE993EF", "de99 3ef", "de993ef", "DE99%203EF", "DE99+3EF")

SERVICE = {
    "id": "find-address", "title": "Find an address", "version": 1,
    "description": "Choose an address from the council's list.",
    "pages": [
        {"id": "postcode", "question": {"type": "postcode", "label": "What is the postcode?",
                                        "personal": True}},
        {"id": "address", "question": {
            "type": "radios", "label": "Select the address", "personal": True,
            "options_from": {"source": "addresses", "inputs": {"postcode": "postcode"}}},
         "routes": [{"when": {"result": "address", "empty": True}, "exit": "not_found"}]},
    ],
    "exits": [{"id": "not_found", "title": "We could not find that postcode",
               "body": "Check the postcode, or ask a member of staff."}],
    "confirmation": {"title": "Sent", "next_steps": "We will look into it."},
    "destination": {"to": "council", "service_code": "ADDR",
                    "fields": {"address_string": ["address"]}},
}


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    with running_hub(tmp_path / "hub", extra_args=["--log-level", "info"]) as process:
        yield process


@pytest.fixture
def kiosk(make_kiosk, tmp_path: Path, hub: HubProcess):
    """The demo kiosk with one service that looks addresses up, asking the real hub."""
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    (catalogue / "find-address.yaml").write_text(yaml.safe_dump(SERVICE), encoding="utf-8")
    path = demo_profile_copy(tmp_path, base_url=hub.base_url, printer="fake")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["catalogue"] = {"path": str(catalogue)}
    data["lookups"] = {"type": "hub", "endpoint": f"{hub.base_url}/kiosk/v1",
                       "api_key": hub.api_key, "timeout_seconds": 1.5,
                       "connect_timeout_seconds": 1}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return make_kiosk(profile=path)


def to_address_question(qtbot, kiosk) -> None:
    window = kiosk.window
    tap(window, "start")
    tap(window, "service-find-address")
    type_text(window, "answer", POSTCODE)
    tap(window, "continue")


@contextmanager
def frozen(hub: HubProcess) -> Iterator[None]:
    """The hub process stopped dead (SIGSTOP), as a hung server would be, then resumed."""
    os.kill(hub.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(hub.process.pid, signal.SIGCONT)


def assert_no_postcode_in(hub: HubProcess) -> None:
    output = hub.output()
    assert "POST /kiosk/v1/lookups/addresses" in output  # the access log is on, and was read
    for form in CANARY_FORMS:
        assert form not in output, f"the resident's postcode ({form}) is in the hub's output"


def test_the_addresses_at_a_postcode_arrive(qtbot, kiosk, hub: HubProcess) -> None:
    window = kiosk.window
    to_address_question(qtbot, kiosk)
    qtbot.waitUntil(lambda: page_name(window) == "question:address", timeout=5000)
    choose(window, "990000003010")  # and Continue
    assert page_name(window) == "check_answers"
    assert kiosk.terminal.session.engine.answers()["address"] == "990000003010"
    assert kiosk.terminal.session.engine.answer_data()["address"]["uprn"] == "990000003010"
    assert_no_postcode_in(hub)


def test_hub_stopped_means_cannot_look_this_up_then_try_again(qtbot, kiosk, tmp_path: Path,
                                                              hub: HubProcess) -> None:
    window = kiosk.window
    hub.process.terminate()
    hub.process.wait(10)
    to_address_question(qtbot, kiosk)
    qtbot.waitUntil(lambda: page_name(window).startswith("lookup_failed"), timeout=5000)
    assert widget(window, "tryAgain").isVisible()
    # The council's system comes back on the same port: Try again finds the addresses.
    with running_hub(tmp_path / "hub-again", port=hub.port):
        tap(window, "tryAgain")
        qtbot.waitUntil(lambda: page_name(window) == "question:address", timeout=5000)


def test_a_frozen_hub_shows_the_waiting_page_then_gives_up(qtbot, kiosk,
                                                           hub: HubProcess) -> None:
    window = kiosk.window
    with frozen(hub):
        to_address_question(qtbot, kiosk)
        assert page_name(window).startswith("waiting")  # a loading state, at once
        assert kiosk.terminal.phase.value == "active"
        qtbot.waitUntil(lambda: page_name(window).startswith("lookup_failed"), timeout=6000)
    tap(window, "tryAgain")
    qtbot.waitUntil(lambda: page_name(window) == "question:address", timeout=5000)
    assert_no_postcode_in(hub)


def test_a_lookup_answered_after_the_visit_ended_is_dropped(qtbot, kiosk,
                                                            hub: HubProcess) -> None:
    window = kiosk.window
    with frozen(hub):
        to_address_question(qtbot, kiosk)
        tap(window, "startAgain")
        qtbot.waitUntil(lambda: page_name(window) == "attract", timeout=3000)
    qtbot.waitUntil(lambda: not kiosk.window.background.busy, timeout=6000)
    assert page_name(window) == "attract"

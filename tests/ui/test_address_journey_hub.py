"""The address question and bin collection days in the real window, against the real hub
process on 127.0.0.1 (its fictional DE99 gazetteer and bin rounds): the list of addresses
scrolls with large targets, "The address is not listed" reaches typing it, the gazetteer
down still lets the resident type it, and bin days show, print and lead to "Report a missed
bin" with the address already given."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from PySide6.QtWidgets import QAbstractButton, QScrollArea

from peripherals.printer import FakePrinter
from tests.escpos_decode import decode
from tests.hub_server import HubProcess, running_hub
from tests.kiosk_fixtures import demo_profile_copy
from tests.ui.layout_checks import layout_problems
from ui.driving import choose, page_name, tap, type_text, widget


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    with running_hub(tmp_path / "hub") as process:
        yield process


@pytest.fixture
def kiosk(make_kiosk, tmp_path: Path, hub: HubProcess):
    """The demo kiosk, its lookups asking the real hub."""
    path = demo_profile_copy(tmp_path, base_url=hub.base_url, printer="fake")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["lookups"] = {"type": "hub", "endpoint": f"{hub.base_url}/kiosk/v1",
                       "api_key": hub.api_key, "timeout_seconds": 3,
                       "connect_timeout_seconds": 1}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return make_kiosk(profile=path)


def postcode(qtbot, kiosk, service: str, typed: str, then: str) -> None:
    window = kiosk.window
    tap(window, "start")
    tap(window, f"service-{service}")
    assert page_name(window) == "question:address"
    type_text(window, "answer", typed)
    tap(window, "continue")
    qtbot.waitUntil(lambda: page_name(window) == then, timeout=8000)


def test_the_address_list_scrolls_with_large_targets_and_not_listed_reaches_typing(
        qtbot, kiosk) -> None:
    window = kiosk.window
    postcode(qtbot, kiosk, "bin-day", "de99 4gh", "question:address__list")  # 20 addresses
    options = [b for b in window.page.findChildren(QAbstractButton)
               if b.objectName().startswith("option-")]
    assert len(options) == 21
    assert options[-1].objectName() == "option-not_listed"
    assert widget(window, "or").text() == "or"
    kiosk.app.processEvents()
    assert layout_problems(window, kiosk.theme.target_px) == []
    assert all(b.height() >= kiosk.theme.target_px - 1 for b in options)
    area = window.page.findChild(QScrollArea)
    bar = area.verticalScrollBar()
    assert bar.maximum() > 0  # more addresses than fit: the page scrolls
    assert widget(window, "scrollDown").isVisible()
    before = bar.value()
    tap(window, "scrollDown")
    assert bar.value() > before
    choose(window, "not_listed")  # scrolled into view, tapped, and Continue
    qtbot.waitUntil(lambda: page_name(window) == "question:address__manual", timeout=3000)
    assert widget(window, "answer-postcode").text() == "DE99 4GH"  # carried from the postcode
    type_text(window, "answer-line1", "Flat 9, Mill House")
    type_text(window, "answer-town", "Demo Town")
    tap(window, "continue")
    qtbot.waitUntil(lambda: page_name(window) == "result:collections", timeout=8000)
    assert widget(window, "empty").text().startswith("We do not have collection days")


def test_a_postcode_with_no_addresses_goes_to_typing_it(qtbot, kiosk) -> None:
    window = kiosk.window
    postcode(qtbot, kiosk, "missed-bin", "DE99 9ZZ", "question:address__none")
    assert "could not find any addresses" in widget(window, "hint").text()
    tap(window, "continue")  # nothing typed: each box says what it needs
    assert widget(window, "error-address__none-line1").text() == (
        "Enter address line 1, typically the building and street")
    assert widget(window, "answer-line1").property("invalid") is True


def test_the_gazetteer_down_still_lets_the_resident_type_the_address(
        qtbot, kiosk, hub: HubProcess) -> None:
    window = kiosk.window
    hub.process.terminate()
    hub.process.wait(10)
    postcode(qtbot, kiosk, "missed-bin", "DE99 1AB", "lookup_failed:address__list")
    assert widget(window, "tryAgain").isVisible()
    tap(window, "wayOn-not_listed")
    qtbot.waitUntil(lambda: page_name(window) == "question:address__manual", timeout=3000)
    assert widget(window, "answer-postcode").text() == "DE99 1AB"


def test_bin_days_show_print_and_lead_to_report_a_missed_bin(qtbot, kiosk) -> None:
    window = kiosk.window
    postcode(qtbot, kiosk, "bin-day", "DE99 1AB", "question:address__list")
    choose(window, "990000001001")
    qtbot.waitUntil(lambda: page_name(window) == "result:collections", timeout=8000)
    labels = [widget(window, f"row-{n}").text() for n in range(3)]
    assert labels == ["Green bin – general waste", "Blue bin – recycling",
                      "Brown caddy – food waste"]
    details = [widget(window, f"row-detail-{n}").text() for n in range(3)]
    for detail, colour in zip(details, ("green", "blue", "brown"), strict=True):
        lines = detail.splitlines()
        assert lines[0] == f"Colour: {colour}"  # named in words, not only shown
        assert any(line.startswith("Next collection: ") for line in lines)
        assert any(line.startswith("After that: ") for line in lines)
    tap(window, "print")
    qtbot.waitUntil(lambda: widget(window, "printState").isVisible(), timeout=10000)
    assert widget(window, "printState").text() == "Printed. Take it from the printer."
    printer = kiosk.assembly.printer
    assert isinstance(printer, FakePrinter)
    printed = " ".join(decode(printer.jobs[-1]).text.split())
    for expected in ("Check your bin collection days", "Green bin – general waste",
                     "Colour: green", "Colour: brown", details[0].splitlines()[2]):
        assert expected in printed, (expected, printed)
    tap(window, "offer")
    assert page_name(window) == "question:bin_type"
    engine = kiosk.terminal.session.engine
    assert engine.service.id == "missed-bin"
    assert engine.answers() == {"address": "DE99 1AB", "address__list": "990000001001"}

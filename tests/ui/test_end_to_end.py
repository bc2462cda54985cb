"""A resident reports a missed bin through the real widgets, to a real hub on 127.0.0.1."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import requests
from PIL import Image
from pyzbar.pyzbar import decode as read_codes

from kiosk.reference import is_reference, spaced
from tests.escpos_decode import decode
from tests.hub_server import running_hub
from ui.driving import answer_date, answer_text, choose, page_name, tap, widget


def _qr_payloads(images: list[Image.Image]) -> list[str]:
    found = []
    for image in images:
        found += [code.data.decode() for code in read_codes(image.convert("L"))]
    return found


def test_missed_bin_reaches_the_hub_and_the_receipt_links_to_it(
    make_kiosk, qtbot, tmp_path: Path
) -> None:
    with running_hub(tmp_path / "hub") as hub:
        kiosk = make_kiosk(hub.base_url, start_relay=True, lookups={
            "type": "hub", "endpoint": f"{hub.base_url}/kiosk/v1", "api_key": hub.api_key})
        window = kiosk.window
        tap(window, "start")
        assert page_name(window) == "menu"
        tap(window, "service-missed-bin")
        answer_text(window, "de99 1ab")  # the addresses there, from the hub's gazetteer
        qtbot.waitUntil(lambda: page_name(window) == "question:address__list", timeout=5000)
        choose(window, "990000001014")
        choose(window, "recycling")
        answer_date(window, "20", "11", "2026")
        answer_text(window, "Left by the gate")
        choose(window, "phone")
        answer_text(window, "07700 900982")
        assert page_name(window) == "check_answers"
        assert widget(window, "value-address").text() == "14 Library Lane, Demo Town, DE99 1AB"
        assert widget(window, "value-due_date").text() == "20 November 2026"

        tap(window, "submit")
        qtbot.waitUntil(lambda: page_name(window) == "confirmation", timeout=20000)
        outcome = window.session.outcome
        assert outcome is not None
        reference = outcome.reference
        assert is_reference(reference)
        assert outcome.delivered
        assert widget(window, "reference").text() == spaced(reference)
        assert widget(window, "deliveryState").text() == "We have sent this to the council."

        # The hub stored the request with the right service code and attributes.
        db = Path(hub.database_url.removeprefix("sqlite:///"))
        with sqlite3.connect(db) as conn:
            row = conn.execute(
                "SELECT service_code, attributes, address_string, phone, description,"
                " kiosk_reference, address_id, lat, long FROM service_requests"
            ).fetchone()
        code, attributes, address, phone, description, stored_reference, *located = row
        assert code == "MISSED_BIN"
        assert json.loads(attributes) == {
            "bin_type": "recycling", "collection_date": "2026-11-20", "contact_method": "phone",
            "kiosk_reference": reference,
        }
        # The address in words, its UPRN and position from the gazetteer (Open311 fields).
        assert address == "14 Library Lane, Demo Town, DE99 1AB"
        assert located == ["990000001014", 52.60088, -1.4719]
        assert phone == "07700900982"
        assert description == "Left by the gate"
        assert stored_reference == reference

        # The receipt: the reference on paper, and a QR that opens this request's status.
        receipt = (tmp_path / "state" / "receipts" / f"{reference}.bin").read_bytes()
        paper = decode(receipt)
        assert spaced(reference) in paper.text
        assert "14 Library" not in paper.text
        assert "07700" not in paper.text
        assert paper.cuts >= 1
        status_url = f"{hub.base_url}/status/{reference}"
        assert status_url in _qr_payloads(paper.images) + paper.qr_payloads
        page = requests.get(status_url, timeout=5)
        assert page.status_code == 200
        assert reference in page.text.replace(" ", "")

        tap(window, "finish")
        qtbot.waitUntil(lambda: page_name(window) == "attract", timeout=5000)


def test_hub_down_means_saved_and_sent_later(make_kiosk, qtbot, tmp_path: Path) -> None:
    """Port 9 refuses connections: the confirmation says saved, and the row waits."""
    kiosk = make_kiosk("http://127.0.0.1:9")
    window = kiosk.window
    tap(window, "start")
    tap(window, "service-feedback")
    choose(window, "compliment")
    tap(window, "option-libraries")
    tap(window, "continue")
    answer_text(window, "Lovely staff")
    tap(window, "continue")  # optional date left empty
    choose(window, "no")
    tap(window, "submit")
    qtbot.waitUntil(lambda: page_name(window) == "confirmation", timeout=20000)
    outcome = window.session.outcome
    assert outcome is not None
    assert not outcome.delivered
    assert widget(window, "deliveryState").text().startswith("This is saved")
    assert kiosk.assembly.outbox.depth() == 1

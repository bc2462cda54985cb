"""Dead letters on the staff side of the real kiosk: staff see each one in device status by
reference, service, destination and reason; IT retry one from the maintenance screen and the
relay sends it at once (a real webhook receiver on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from kiosk.reference import spaced
from kiosk.submission import Submission
from tests.kiosk.delivery_helpers import missed_bin
from tests.kiosk.webhook_receiver import WebhookReceiver
from tests.ui.test_staff_ui import audit_actions, panel_shown, reader_of
from ui.demo_controls import DEMO_IT_CARD, DEMO_STAFF_CARD
from ui.driving import tap, widget

SECRET = "a-council-webhook-secret-of-32-chars-or-more"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as server:
        yield server


def _kiosk_with_dead_letters(make_kiosk, receiver: WebhookReceiver
                             ) -> tuple[object, Submission, Submission]:
    destination = {"type": "webhook", "url": receiver.url, "secret": SECRET,
                   "status_url": "https://council.example/track/{reference}"}
    kiosk = make_kiosk(start_relay=True, destinations={"council": destination})
    outbox = kiosk.assembly.outbox
    dead, expired = missed_bin(), missed_bin()
    for submission in (expired, dead):
        outbox.enqueue(submission)
        outbox.mark_dead(submission.submission_id, error="http_400 Bad Request")
    first, second = (outbox.find(s.reference).accepted_at  # type: ignore[union-attr]
                     for s in (expired, dead))
    assert first < second
    outbox.expire((first + second) / 2, "expired: not delivered within 30 days, contents destroyed")
    assert outbox.find(dead.reference).has_payload  # type: ignore[union-attr]
    return kiosk, dead, expired


def _label(window, name: str) -> str:
    return next(w.text() for w in window.findChildren(QLabel, name) if w.isVisible())


def _button_shown(window, name: str) -> bool:
    return any(w.isVisible() for w in window.findChildren(QPushButton, name))


def _shown(window, name: str) -> bool:
    return any(w.isVisible() for w in window.findChildren(QLabel, name))


def test_staff_see_each_dead_letter_in_device_status(make_kiosk, qtbot, receiver) -> None:
    kiosk, dead, expired = _kiosk_with_dead_letters(make_kiosk, receiver)
    window = kiosk.window
    reader_of(kiosk).insert(DEMO_STAFF_CARD)
    qtbot.waitUntil(lambda: panel_shown(window))
    tap(window, "staff-device_status")
    qtbot.waitUntil(lambda: _shown(window, f"health-dead:{dead.reference}"), timeout=10000)
    assert _label(window, f"health-dead:{dead.reference}") == (
        "missed-bin to council: http_400 Bad Request")
    assert _label(window, f"health-dead:{expired.reference}") == (
        "missed-bin to council: expired: not delivered within 30 days, contents destroyed. "
        "It cannot be sent again.")
    assert _label(window, f"level-dead:{dead.reference}") == "Fault"
    names = [w.text() for w in window.findChildren(QLabel) if w.isVisible()]
    assert f"Not delivered: {dead.reference}" in names
    assert _label(window, "health-outbox") == (
        "Reports not sent in time, their contents deleted: 1. Call IT.")
    # Retrying is for IT, from the maintenance screen; staff have no button for it.
    assert window.findChildren(QPushButton, f"maintenance-retry-{dead.reference}") == []


def test_it_retries_a_dead_letter_from_the_maintenance_screen(make_kiosk, qtbot,
                                                              receiver) -> None:
    kiosk, dead, expired = _kiosk_with_dead_letters(make_kiosk, receiver)
    window, staff = kiosk.window, kiosk.staff
    reader_of(kiosk).insert(DEMO_IT_CARD)
    qtbot.waitUntil(lambda: panel_shown(window))
    tap(window, "staff-maintenance")
    qtbot.waitUntil(lambda: staff.maintenance is not None and _button_shown(
        window, f"maintenance-retry-{dead.reference}"), timeout=10000)
    button = widget(window, f"maintenance-retry-{dead.reference}")
    assert button.text() == f"Try sending {spaced(dead.reference)} again"
    # An expired one has nothing left to send: no button.
    assert window.findChildren(QPushButton, f"maintenance-retry-{expired.reference}") == []
    tap(window, f"maintenance-retry-{dead.reference}")
    qtbot.waitUntil(lambda: widget(window, "maintenanceNote").text()
                    == f"{spaced(dead.reference)} is being sent again.", timeout=10000)
    qtbot.waitUntil(lambda: bool(receiver.deliveries), timeout=10000)
    assert [d.document["reference"] for d in receiver.deliveries] == [dead.reference]
    # Device status is looked at again: the report is no longer a dead letter.
    qtbot.waitUntil(lambda: not window.findChildren(
        QPushButton, f"maintenance-retry-{dead.reference}"), timeout=10000)
    row = kiosk.assembly.outbox.find(dead.reference)
    assert row is not None
    assert row.state == "delivered"
    audit = kiosk.assembly.audit.recent(20)
    assert any(r.action == "maintenance" and r.detail == "dead_letter_retry"
               and r.reference == dead.reference for r in audit)
    assert "maintenance" in audit_actions(kiosk)


def test_a_retry_with_no_relay_running_says_so(make_kiosk, qtbot, receiver) -> None:
    kiosk, dead, _ = _kiosk_with_dead_letters(make_kiosk, receiver)
    window, staff = kiosk.window, kiosk.staff
    reader_of(kiosk).insert(DEMO_IT_CARD)
    qtbot.waitUntil(lambda: panel_shown(window))
    tap(window, "staff-maintenance")
    qtbot.waitUntil(lambda: _button_shown(window, f"maintenance-retry-{dead.reference}"),
                    timeout=10000)
    kiosk.assembly.relay_service.stop(10)  # the relay goes away with the screen still up
    kiosk.assembly.relay_service = None
    tap(window, f"maintenance-retry-{dead.reference}")
    qtbot.waitUntil(lambda: widget(window, "maintenanceNote").text().startswith(
        "The sending service is not running"), timeout=10000)
    assert staff.maintenance is not None
    row = kiosk.assembly.outbox.find(dead.reference)
    assert row is not None
    assert row.state == "dead"

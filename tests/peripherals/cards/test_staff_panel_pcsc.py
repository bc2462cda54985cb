"""Real PC/SC end to end: the whole kiosk on a private pcscd with the vpcd virtual reader.

A staff card opens the staff panel, taking it off closes it, an unknown card does nothing,
and killing and restarting pcscd is survived: the next tap opens the panel again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from accessibility.speech import RecordingSpeech
from kiosk.clock import FakeClock
from kiosk.profile import load_profile
from peripherals.cards import PcscCardReader, ReaderStatus
from tests.kiosk_fixtures import demo_profile_copy
from tests.peripherals.cards.pcscd_harness import PrivatePcscd, wait_for_status
from tests.peripherals.cards.vpcd_card import VirtualCard
from ui.demo_controls import DEMO_STAFF_CARD

STRANGER = bytes.fromhex("04000000000001")
SECONDS = 10_000  # ms for waitUntil: insertion is seen ~0.2 s after the card connects


@pytest.fixture
def kiosk(qtbot, tmp_path: Path, private_pcscd: PrivatePcscd) -> Iterator:
    from ui.app import build

    # A production-like terminal: a real reader, limited to the first virtual slot.
    path = demo_profile_copy(tmp_path, card_reader={"type": "pcsc",
                                                    "reader_name": "Virtual PCD 00 00"})
    built = build(load_profile(path), tmp_path / "state",
                  clock=FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC)), start_relay=False,
                  speech=RecordingSpeech(tmp_path / "speech"), demo_controls=False, animate=False)
    qtbot.addWidget(built.window)
    built.window.show()
    reader = built.assembly.card_reader
    assert isinstance(reader, PcscCardReader)
    wait_for_status(reader, ReaderStatus.READY)
    yield built
    built.close()


def panel_shown(kiosk) -> bool:
    staff = kiosk.staff
    return staff.panel is not None and staff.panel.isVisible()


def audit(kiosk) -> list[str]:
    return [row.action for row in reversed(kiosk.assembly.audit.recent(50))]


def test_staff_card_opens_and_closes_the_panel(kiosk, qtbot,
                                               make_card: Callable[..., VirtualCard]) -> None:
    card = make_card(uid=DEMO_STAFF_CARD)
    card.insert()
    qtbot.waitUntil(lambda: panel_shown(kiosk), timeout=SECONDS)
    assert kiosk.window.session.staff.actor is not None
    card.remove()
    qtbot.waitUntil(lambda: not panel_shown(kiosk), timeout=SECONDS)
    assert kiosk.window.session.staff.actor is None
    assert audit(kiosk) == ["staff_in_card", "staff_out"]


def test_an_unknown_card_does_nothing(kiosk, qtbot, make_card: Callable[..., VirtualCard]) -> None:
    card = make_card(uid=STRANGER)
    card.insert()
    qtbot.waitUntil(lambda: audit(kiosk) == ["card_refused"], timeout=SECONDS)
    assert not panel_shown(kiosk)
    card.remove()


def test_the_kiosk_survives_a_pcscd_restart(kiosk, qtbot, private_pcscd: PrivatePcscd,
                                            make_card: Callable[..., VirtualCard]) -> None:
    reader = kiosk.assembly.card_reader
    private_pcscd.kill()
    wait_for_status(reader, ReaderStatus.SERVICE_DOWN)
    kiosk.assembly.health.refresh(only=("card_reader",))
    check = kiosk.assembly.health.latest.check("card_reader")
    assert check is not None
    assert check.state == "service_down"
    private_pcscd.restart()
    wait_for_status(reader, ReaderStatus.READY)
    card = make_card(uid=DEMO_STAFF_CARD)
    card.insert()
    qtbot.waitUntil(lambda: panel_shown(kiosk), timeout=SECONDS)
    card.remove()
    qtbot.waitUntil(lambda: not panel_shown(kiosk), timeout=SECONDS)

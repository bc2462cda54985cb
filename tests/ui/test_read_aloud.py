"""Read aloud in the real window: pages spoken as they appear, touches interrupt, a long
press starts it without sight, personal answers stay private, the warning is spoken."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from kiosk.preferences import Preferences
from ui.driving import (
    answer_address,
    answer_date,
    answer_text,
    choose,
    page_name,
    tap,
    touch,
    type_address,
    widget,
)


def _said(kiosk) -> list[str]:
    return kiosk.speech.texts()


def _wait_said(qtbot, kiosk, text: str) -> None:
    qtbot.waitUntil(lambda: any(text in said for said in _said(kiosk)), timeout=5000)


def _wait_silent(qtbot, kiosk) -> None:
    """Until the player has said everything asked of it (speak() marks it active at once)."""
    player = kiosk.window.player
    qtbot.waitUntil(lambda: not player.active, timeout=5000)


def _to_check_answers(qtbot, window) -> None:
    tap(window, "start")
    tap(window, "service-missed-bin")
    answer_address(window, "DE99 1AB", "not_listed")
    type_address(window, "14 Acacia Avenue", "Demo Town")
    choose(window, "general")
    answer_date(window, "20", "11", "2026")
    answer_text(window, "")
    choose(window, "none")


def test_long_press_on_the_attract_screen_starts_a_spoken_welcome(make_kiosk, qtbot,
                                                                  clock) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    handle = window.windowHandle()
    point = window.page.mapTo(window, QPoint(40, 40))
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: window.page._pressed_at is not None, timeout=1000)
    clock.advance(2.5)
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=point)
    assert page_name(window) == "attract"  # a long press does not start a session
    assert window.prefs.read_aloud
    _wait_said(qtbot, kiosk, "This kiosk can read every screen aloud")
    assert widget(window, "repeat").isVisible()
    assert widget(window, "stopSpeech").isVisible()


def test_pages_are_spoken_and_a_touch_stops_speech(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk()
    kiosk.speech.seconds = 2.0  # long enough to interrupt
    window = kiosk.window
    window.set_preferences(window.prefs.with_(read_aloud=True))
    tap(window, "start")
    _wait_said(qtbot, kiosk, "What would you like to do?")
    qtbot.waitUntil(lambda: window.player.playing, timeout=5000)
    tap(window, "service-bin-day")
    _wait_said(qtbot, kiosk, "What is the postcode of your home?")
    answer_text(window, "DE99 1AB")
    _wait_said(qtbot, kiosk, "Select the address")
    _wait_said(qtbot, kiosk, "Option 1 of 5: 1 Library Lane, Demo Town, DE99 1AB")
    qtbot.waitUntil(lambda: window.player.playing, timeout=5000)
    with qtbot.waitSignal(window.player.finished, timeout=1000):
        tap(window, "option-990000001001")  # any touch interrupts
    assert not window.player.playing
    tap(window, "repeat")
    qtbot.waitUntil(lambda: window.player.playing, timeout=5000)
    tap(window, "stopSpeech")
    assert not window.player.playing


def test_personal_answers_are_not_spoken_unless_chosen(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    _to_check_answers(qtbot, window)
    window.set_preferences(window.prefs.with_(read_aloud=True))
    _wait_said(qtbot, kiosk, "Send report")
    assert not any("Acacia" in said for said in _said(kiosk))
    assert any("not read aloud" in said for said in _said(kiosk))
    window.set_preferences(window.prefs.with_(read_personal=True))
    _wait_said(qtbot, kiosk, "14 Acacia Avenue")


def test_speech_follows_the_language(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    window.set_preferences(Preferences(read_aloud=True, language="cy"))
    tap(window, "start")
    _wait_said(qtbot, kiosk, "Beth hoffech chi ei wneud?")
    welsh = [c for c in kiosk.speech.calls if c.text == "Beth hoffech chi ei wneud?"]
    assert welsh[0].language == "cy"


def test_the_need_more_time_warning_is_spoken_once(make_kiosk, qtbot, clock) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    window.set_preferences(window.prefs.with_(read_aloud=True))
    tap(window, "start")
    clock.advance(kiosk.assembly.loaded.profile.session.idle_seconds + 1)
    window.idle.check()
    _wait_said(qtbot, kiosk, "Do you need more time?")
    for _ in range(5):
        clock.advance(1)
        window._update_countdown()
    # Every speak() is queued to the same player: once it has nothing left to say, a second
    # warning (had one been asked for) has been made and recorded.
    _wait_silent(qtbot, kiosk)
    assert sum("Do you need more time?" in said for said in _said(kiosk)) == 1


def test_keys_are_spoken_except_into_personal_fields(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    window.set_preferences(window.prefs.with_(read_aloud=True))
    tap(window, "start")
    tap(window, "service-street-problem")
    choose(window, "pothole")
    field = widget(window, "answer")  # "Where is the problem?": not personal
    touch(window, field, QPoint(10, 10))
    qtbot.waitUntil(window.keyboard.isVisible, timeout=2000)
    window.keyboard.key_pressed.emit("q")
    _wait_said(qtbot, kiosk, "q")
    before = len(_said(kiosk))
    window.answer("location", "High Street by the bank")
    window.answer("nearby_address", "")
    window.answer("description", "")
    window.answer("contact_method", "phone")
    phone = widget(window, "answer")  # personal
    touch(window, phone, QPoint(10, 10))
    qtbot.waitUntil(window.keyboard.isVisible, timeout=2000)
    window.keyboard.key_pressed.emit("7")
    _wait_silent(qtbot, kiosk)
    assert "7" not in _said(kiosk)[before:]

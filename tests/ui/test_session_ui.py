"""The session as a resident meets it: idle warning, countdown, more time, start again."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit, QWidget

from ui.driving import (
    answer_address,
    answer_text,
    choose,
    deliver_posted_events,
    page_name,
    tap,
    touch,
    type_address,
    widget,
)


def _begin(qtbot, kiosk) -> None:
    tap(kiosk.window, "start")
    tap(kiosk.window, "service-missed-bin")


def test_touching_anywhere_on_the_attract_screen_starts(make_kiosk, qtbot) -> None:
    window = make_kiosk().window
    assert page_name(window) == "attract"
    assert not widget(window, "startAgain").isVisible()
    qtbot.mouseClick(window.page, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert page_name(window) == "menu"
    assert widget(window, "startAgain").isVisible()


def test_idle_warning_counts_down_and_more_time_extends_many_times(make_kiosk, qtbot,
                                                                   clock) -> None:
    kiosk = make_kiosk()
    window, timings = kiosk.window, kiosk.assembly.loaded.profile.session
    _begin(qtbot, kiosk)
    answer_address(window, "DE99 1AB", "990000001014")
    for _ in range(timings.max_extensions):
        clock.advance(timings.idle_seconds - 1)
        window.idle.check()
        assert not window.timeout_overlay.isVisible()
        clock.advance(2)
        window.idle.check()
        assert window.timeout_overlay.isVisible()
        assert widget(window, "countdown").text() == str(timings.warning_seconds)
        clock.advance(10)
        window._update_countdown()
        assert widget(window, "countdown").text() == str(timings.warning_seconds - 10)
        tap(window, "moreTime")
        assert not window.timeout_overlay.isVisible()
    assert timings.max_extensions >= 10
    # The answers survived every extension.
    assert window.session.engine is not None
    assert window.session.engine.answers() == {"address": "DE99 1AB",
                                               "address__list": "990000001014"}
    # Once the extensions are used up, the warning only offers to end.
    clock.advance(timings.idle_seconds + 1)
    window.idle.check()
    assert not widget(window, "moreTime").isVisible()


def test_silence_during_the_warning_ends_and_wipes(make_kiosk, qtbot, clock) -> None:
    kiosk = make_kiosk()
    window, timings = kiosk.window, kiosk.assembly.loaded.profile.session
    _begin(qtbot, kiosk)
    answer_address(window, "DE99 1AB", "990000001014")
    clock.advance(timings.idle_seconds + 1)
    window.idle.check()
    # A touch on the warning itself does not dismiss it: it needs an answer.
    qtbot.mouseClick(window.timeout_overlay, Qt.MouseButton.LeftButton)
    assert window.timeout_overlay.isVisible()
    clock.advance(timings.warning_seconds + 1)
    window.idle.check()
    qtbot.waitUntil(lambda: page_name(window) == "attract", timeout=3000)
    assert window.session.engine is None
    assert not window.timeout_overlay.isVisible()


def test_touches_keep_the_session_alive(make_kiosk, qtbot, clock) -> None:
    kiosk = make_kiosk()
    window, timings = kiosk.window, kiosk.assembly.loaded.profile.session
    _begin(qtbot, kiosk)
    for _ in range(5):
        clock.advance(timings.idle_seconds - 5)
        touch(window, window.page, QPoint(5, 5))
        window.idle.check()
        assert not window.timeout_overlay.isVisible()


def test_start_again_is_on_every_page_and_ends_the_session(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    _begin(qtbot, kiosk)
    seen = []
    steps = [("address", "990000001014"), ("choose", "general"), ("date", None),
             ("text", ""), ("choose", "none")]
    for kind, value in steps:
        assert widget(window, "startAgain").isVisible(), page_name(window)
        seen.append(page_name(window))
        if kind == "address":
            answer_address(window, "de99 1ab", value)
        elif kind == "choose":
            choose(window, value)
        elif kind == "date":
            from ui.driving import answer_date

            answer_date(window, "20", "11", "2026")
        else:
            answer_text(window, value)
    assert page_name(window) == "check_answers"
    assert widget(window, "startAgain").isVisible()
    tap(window, "startAgain")
    qtbot.waitUntil(lambda: page_name(window) == "attract", timeout=3000)
    assert len(seen) == 5


def test_no_widget_offers_a_context_menu_or_accepts_drops(make_kiosk, qtbot) -> None:
    """K6: walk every page of a journey; text inputs have no menu, nothing takes drops."""
    kiosk = make_kiosk()
    window = kiosk.window
    _begin(qtbot, kiosk)
    checked = 0
    for kind, value in [("address", "not_listed"), ("typed", "1 Mill Lane"),
                        ("choose", "general")]:
        for edit in window.findChildren(QWidget):
            if isinstance(edit, QLineEdit | QPlainTextEdit):
                assert edit.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu
                assert not edit.acceptDrops()
                checked += 1
        if kind == "address":
            answer_address(window, "de99 1ab", value)
        elif kind == "typed":
            type_address(window, value, "Demo Town")
        else:
            choose(window, value)
    assert checked >= 5  # the postcode, and the four boxes of the typed address
    assert window.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu


@pytest.mark.parametrize("path", sorted(Path(__file__).parents[2].joinpath("ui").rglob("*.py")))
def test_no_system_dialog_is_ever_built(path: Path) -> None:
    """K4: file, print, colour and font dialogs (and QDialog itself) are escape routes."""
    banned = {"QFileDialog", "QPrintDialog", "QPageSetupDialog", "QColorDialog", "QFontDialog",
              "QDialog", "QMessageBox", "QInputDialog", "QMenu"}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    names |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
              for alias in node.names}
    assert not (names & banned), f"{path.name} uses {sorted(names & banned)}"


def test_every_button_is_a_large_target(make_kiosk, qtbot) -> None:
    """Touch targets at least 20 mm high on the reference panel (81 px at 1920x1080 21.5")."""
    kiosk = make_kiosk()
    window = kiosk.window
    target = kiosk.theme.target_px
    assert target >= 81
    _begin(qtbot, kiosk)
    deliver_posted_events()  # the page's layout done, as before any paint
    for button in window.findChildren(QAbstractButton):
        if button.isVisible():
            assert button.height() >= target - 1, (button.objectName(), button.height())


def test_quit_key_only_in_demo_profiles(make_kiosk) -> None:
    from PySide6.QtGui import QShortcut

    demo = make_kiosk().window
    keys = [s.key().toString() for s in demo.findChildren(QShortcut)]
    assert keys == ["Ctrl+Shift+Q"]
    production = make_kiosk(mode="production", demo_quit_shortcut=False,
                            card_reader={"type": "none"}).window
    assert production.findChildren(QShortcut) == []

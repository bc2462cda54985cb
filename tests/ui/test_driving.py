"""The shared driver fails loudly and precisely: a missing widget, a disabled button, a wait
that runs out all name what was expected, where."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QTimer

from ui.driving import DriveFailed, page_name, tap, wait_for, widget


def test_a_missing_widget_names_the_page(make_kiosk) -> None:
    window = make_kiosk().window
    with pytest.raises(DriveFailed, match="no widget named 'nothing-here' on page attract"):
        widget(window, "nothing-here")


def test_a_disabled_or_non_button_is_not_tapped(make_kiosk) -> None:
    window = make_kiosk().window
    start = widget(window, "start")
    start.setEnabled(False)
    with pytest.raises(DriveFailed, match="'start' cannot be pressed on page attract"):
        tap(window, "start")
    assert page_name(window) == "attract"


def test_waiting_runs_the_event_loop_until_the_condition_holds(qtbot) -> None:
    fired: list[bool] = []
    QTimer.singleShot(20, lambda: fired.append(True))
    wait_for(lambda: bool(fired), seconds=5, what="the timer")
    assert fired == [True]


def test_a_wait_that_runs_out_says_what_it_waited_for(qtbot) -> None:
    started = time.monotonic()
    with pytest.raises(DriveFailed, match=r"timed out after 0.2 s waiting for the impossible"):
        wait_for(lambda: False, seconds=0.2, what="the impossible")
    assert time.monotonic() - started >= 0.2

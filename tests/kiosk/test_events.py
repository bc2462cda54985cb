"""The tiny observer the terminal publishes through."""

from __future__ import annotations

import logging

import pytest

from kiosk.events import Event


def test_subscribers_run_in_order_and_can_leave() -> None:
    event: Event[[int]] = Event("counted")
    seen: list[tuple[str, int]] = []
    event.connect(lambda n: seen.append(("first", n)))
    leave = event.connect(lambda n: seen.append(("second", n)))
    event.emit(1)
    leave()
    leave()  # leaving twice is harmless
    event.emit(2)
    assert seen == [("first", 1), ("second", 1), ("first", 2)]
    assert event.subscribers == 1


def test_emit_calls_everyone_then_raises_the_first_failure(
        caplog: pytest.LogCaptureFixture) -> None:
    event: Event[[str]] = Event("page_changed")
    later: list[str] = []

    def broken(text: str) -> None:
        raise ValueError(f"typed by a resident: {text}")

    event.connect(broken)
    event.connect(later.append)
    with pytest.raises(ValueError, match="typed by a resident"):
        event.emit("Canary Quux")
    assert later == ["Canary Quux"]  # the next subscriber still ran
    # Logged by type only: an exception's message can quote what a resident typed.
    assert "ValueError" in caplog.text
    assert "Canary Quux" not in caplog.text


def test_emit_all_collects_failures_for_paths_that_must_complete(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    event: Event[[]] = Event("wiping")
    done: list[bool] = []
    event.connect(lambda: 1 / 0)
    event.connect(lambda: done.append(True))
    failures = event.emit_all()
    assert [type(f) for f in failures] == [ZeroDivisionError]
    assert done == [True]
    event.clear()
    assert event.emit_all() == []

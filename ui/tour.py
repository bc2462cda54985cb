"""The scripted demo tour: drives the real widgets through a journey and saves every page.

Used by `script/demo` with no display and by `script/demo --screenshots DIR`, so the pages
can be reviewed as pictures; it also proves the demo works end to end against the hub.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QPlainTextEdit, QWidget

from kiosk.clock import FakeClock, uk_today
from kiosk.preferences import COLOURS, TEXT_SIZES, Preferences
from peripherals.printer import FakePrinter
from ui.pages.summary import ConfirmationView

if TYPE_CHECKING:
    from ui.app import Kiosk


class TourFailed(RuntimeError):
    pass


def settle(app: QApplication) -> None:
    for _ in range(3):
        app.processEvents()


def wait_for(app: QApplication, condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TourFailed("timed out waiting for the kiosk")
        app.processEvents()
        time.sleep(0.01)


def find(root: QWidget, name: str) -> QWidget:
    """The shown widget of that name (a page being replaced lingers hidden until deleted)."""
    found = [w for w in root.findChildren(QWidget, name) if w.isVisibleTo(root)]
    if not found:
        raise TourFailed(f"no widget named {name!r} on this page")
    return found[0]


def click(kiosk: Kiosk, name: str) -> None:
    widget = find(kiosk.window, name)
    assert isinstance(widget, QAbstractButton)
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
    settle(kiosk.app)


def type_into(kiosk: Kiosk, name: str, text: str) -> None:
    widget = find(kiosk.window, name)
    assert isinstance(widget, QLineEdit | QPlainTextEdit)
    widget.setFocus()
    QTest.keyClicks(widget, text)
    settle(kiosk.app)


@dataclass(frozen=True)
class TourRun:
    shots: list[str]
    reference: str
    delivered: bool
    receipt_png: bytes = b""
    receipt_bytes: bytes = b""


def journey_tour(kiosk: Kiosk, out: Path, prefs: Preferences | None = None) -> TourRun:
    """Report a missed bin, with one mistake on the way; save each page as a PNG.

    With `prefs`, every page is shown with those choices (colours, size, language), applied
    again after each session end because the wipe resets them.
    """
    out.mkdir(parents=True, exist_ok=True)
    shots: list[str] = []
    window, app = kiosk.window, kiosk.app
    window.show()
    window.activateWindow()  # focus changes (and so the keyboard) need an active window
    settle(app)

    def apply() -> None:
        if prefs is not None:
            window.set_preferences(prefs)
            settle(app)

    apply()

    def shot(name: str) -> None:
        settle(app)
        path = out / f"{len(shots) + 1:02d}-{name}.png"
        window.grab().save(str(path))
        shots.append(path.name)

    shot("attract")
    click(kiosk, "accessibility")
    shot("accessibility-panel")
    click(kiosk, "a11yDone")
    click(kiosk, "start")
    shot("menu")
    click(kiosk, "service-missed-bin")
    shot("bin-type")
    click(kiosk, "continue")
    shot("bin-type-error")
    click(kiosk, "option-general")
    click(kiosk, "continue")
    type_into(kiosk, "answer", "de99 1aa")
    shot("postcode")
    click(kiosk, "continue")
    type_into(kiosk, "answer", "14")
    shot("house")
    click(kiosk, "continue")
    today = uk_today(kiosk.clock)
    type_into(kiosk, "answer-day", "31")
    type_into(kiosk, "answer-month", "2")
    type_into(kiosk, "answer-year", str(today.year))
    click(kiosk, "continue")
    shot("due-date-error")
    for part in ("day", "month", "year"):
        edit = find(window, f"answer-{part}")
        assert isinstance(edit, QLineEdit)
        edit.selectAll()
        QTest.keyClick(edit, Qt.Key.Key_Backspace)
    type_into(kiosk, "answer-day", str(today.day))
    type_into(kiosk, "answer-month", str(today.month))
    type_into(kiosk, "answer-year", str(today.year))
    shot("due-date")
    click(kiosk, "continue")
    type_into(kiosk, "answer", "The bin is by the side gate.")
    shot("details")
    click(kiosk, "continue")
    click(kiosk, "option-email")
    shot("contact-method")
    click(kiosk, "continue")
    type_into(kiosk, "answer", "resident@example.org")
    shot("contact-email")
    click(kiosk, "continue")
    shot("check-answers")
    click(kiosk, "change-house")
    shot("change-house")
    click(kiosk, "continue")
    if isinstance(kiosk.clock, FakeClock):
        kiosk.clock.advance(kiosk.assembly.loaded.profile.session.idle_seconds + 1)
        window.idle.check()
        shot("need-more-time")
        click(kiosk, "moreTime")
    click(kiosk, "submit")
    wait_for(app, lambda: isinstance(window.page, ConfirmationView))
    shot("confirmation")
    outcome = window.session.outcome
    reference = outcome.reference if outcome else "?"
    delivered = bool(outcome and outcome.delivered)
    receipt_png = outcome.preview_png if outcome else b""
    printer = kiosk.assembly.printer
    receipt_bytes = printer.output if isinstance(printer, FakePrinter) else b""
    click(kiosk, "finish")
    wait_for(app, lambda: window.page is not None and window.page.property("pageName") == "attract")
    apply()
    # An exit page: garden waste without a subscription.
    click(kiosk, "start")
    click(kiosk, "service-missed-bin")
    click(kiosk, "option-garden")
    click(kiosk, "continue")
    click(kiosk, "option-no")
    click(kiosk, "continue")
    shot("exit-page")
    click(kiosk, "startAgain")
    wait_for(app, lambda: window.page is not None and window.page.property("pageName") == "attract")

    return TourRun(shots, reference, delivered, receipt_png, receipt_bytes)


VARIANTS: tuple[tuple[str, Preferences], ...] = tuple(
    [(f"{colours}-{size}", Preferences(colours=colours, text_size=size))
     for colours in COLOURS for size in TEXT_SIZES]
    + [("welsh", Preferences(language="cy")), ("urdu", Preferences(language="ur"))]
)


def run_tour(kiosk: Kiosk, out: Path, *, variants: bool = True) -> int:
    """The tour in the profile's defaults, then in every theme x size and in Welsh and Urdu."""
    run = journey_tour(kiosk, out)
    shots, reference, delivered = run.shots, run.reference, run.delivered
    if variants:
        for name, prefs in VARIANTS:
            journey_tour(kiosk, out / "variants" / name, prefs)
    from ui.tour_staff import staff_tour

    staff_shots = staff_tour(kiosk, out / "staff")
    if run.receipt_png:
        (out / "receipt-preview.png").write_bytes(run.receipt_png)
    if run.receipt_bytes:
        (out / "receipt-escpos.bin").write_bytes(run.receipt_bytes)
    summary = [
        "Civic Kiosk demo tour: Report a missed bin collection",
        f"reference: {reference}",
        f"delivered to the hub at once: {'yes' if delivered else 'no (queued in the outbox)'}",
        "receipt: receipt-escpos.bin (the bytes sent to the printer) and receipt-preview.png",
        "pages:",
        *(f"  {name}" for name in shots),
        *(["variants (every page again in each):", *(f"  variants/{n}/" for n, _ in VARIANTS)]
          if variants else []),
        *(["staff and IT (staff/):", *(f"  {name}" for name in staff_shots)] if staff_shots else []),
    ]
    (out / "summary.txt").write_text("\n".join(summary) + "\n", encoding="utf-8")
    print(f"Screenshots, receipt preview and summary are in {out}/")  # noqa: T201
    return 0

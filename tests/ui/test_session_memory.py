"""Nothing of a visit accumulates in the process: many visits leave what one visit leaves.

A kiosk runs for weeks; a few hundred bytes kept per visit is megabytes a month. Two such
leaks were found by `bench/memory_growth.py` and are guarded here, each where it happened:
PySide6 keeping a weak reference for every connection to a bound method of a non-QObject
(the pages' buttons wired straight to the terminal), and Qt's style sheet caching a scroll
area's viewport without ever forgetting it (every page is a scroll area).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import weakref

from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel, QVBoxLayout, QWidget

from tests.needs import require_or_skip
from ui.driving import (
    answer_address,
    answer_date,
    choose,
    deliver_posted_events,
    on_page,
    tap,
    wait_for,
)
from ui.widgets import scroll_area

VISITS = 50


def _visit(window) -> None:
    """A resident's visit by touch: start, missed bin, the address (looked up) and two
    answers, start again."""
    tap(window, "start")
    tap(window, "service-missed-bin")
    answer_address(window, "DE99 1AB", "990000001014")
    choose(window, "general")
    answer_date(window, "20", "11", "2026")
    wait_for(on_page(window, "question:details"), what="the details page")
    tap(window, "startAgain")
    wait_for(on_page(window, "attract"), what="the attract screen after start again")


def _counts(kiosk) -> dict[str, int]:
    deliver_posted_events()
    gc.collect()
    events = vars(kiosk.terminal.events)
    return {
        "weak references to the terminal": weakref.getweakrefcount(kiosk.terminal),
        "widgets alive": len(QApplication.allWidgets()),
        "children of the window": len(kiosk.window.children()),
        "pages waiting to be destroyed": len(kiosk.window._retired),
        **{f"subscribers to {name}": event.subscribers for name, event in events.items()},
    }


def test_fifty_visits_leave_what_one_visit_leaves(make_kiosk) -> None:
    kiosk = make_kiosk()
    _visit(kiosk.window)
    after_one = _counts(kiosk)
    for _ in range(VISITS):
        _visit(kiosk.window)
    after_many = _counts(kiosk)
    grown = {k: (after_one[k], after_many[k]) for k in after_one if after_many[k] > after_one[k]}
    assert not grown, f"grew over {VISITS} visits (after one, after all): {grown}"


def test_every_scroll_area_on_every_page_is_tracked_by_the_style_sheet(make_kiosk) -> None:
    """A viewport without a style sheet of its own stays in Qt's caches after deletion."""
    kiosk = make_kiosk()
    window = kiosk.window
    seen: set[str] = set()

    def check() -> None:
        for area in window.findChildren(QAbstractScrollArea):
            if area.isVisibleTo(window):
                seen.add(type(area).__name__)
                assert area.viewport().styleSheet(), f"{type(area).__name__} on {window.page}"

    tap(window, "start")
    tap(window, "service-missed-bin")
    check()
    answer_address(window, "DE99 1AB", "990000001014")
    check()  # the address list: a page that scrolls
    choose(window, "general")
    answer_date(window, "20", "11", "2026")
    wait_for(on_page(window, "question:details"), what="the details page")
    check()
    assert seen == {"QScrollArea", "QPlainTextEdit"}


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def _heap_in_use() -> int:
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.mallinfo2.restype = _MallInfo2
    return int(libc.mallinfo2().uordblks)


def test_a_deleted_scroll_area_leaves_nothing_in_the_style_sheet_caches(qtbot) -> None:
    """Qt's own heap, which Python cannot see: build, paint and delete one many times under
    an application style sheet. Untracked (a bare QScrollArea), each left ~250 bytes here."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    require_or_skip(hasattr(libc, "mallinfo2"), "glibc's mallinfo2 (glibc 2.33 or later)")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    sheet = app.styleSheet()
    app.setStyleSheet("QWidget { background: white; color: black; } QScrollArea { border: none; }")
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    host.resize(400, 300)
    host.show()

    def once() -> None:
        area = scroll_area()
        area.setWidget(QLabel("words"))
        layout.addWidget(area)
        area.show()
        deliver_posted_events()
        host.repaint()
        layout.removeWidget(area)
        area.deleteLater()
        deliver_posted_events()

    try:
        for _ in range(200):  # caches and allocator warm up
            once()
        gc.collect()
        before = _heap_in_use()
        rounds = 1000
        for _ in range(rounds):
            once()
        gc.collect()
        per_round = (_heap_in_use() - before) / rounds
    finally:
        app.setStyleSheet(sheet)
    assert per_round < 40, f"{per_round:.0f} bytes kept per scroll area built and deleted"

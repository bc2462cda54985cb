"""With the on-screen keyboard open the resident still sees what they are answering: the
question's label (and its hint, where there is room) stay on screen with the field, at every
text size. Found in extra-large text, yellow on black, on the feedback email page: only the
field was left in view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QScrollArea, QWidget

from kiosk.preferences import COLOURS, TEXT_SIZES
from ui.driving import page_name, touch, widget

# Every text question of the demo: (service, the answers that lead to it, the page).
FEEDBACK_TO_EMAIL = (("feedback_type", "complaint"), ("topics", ("bins",)),
                     ("message", "It was late"), ("happened_on", ""), ("wants_reply", "yes"),
                     ("full_name", "Sam Example"), ("contact_method", "email"))
PAGES = {
    "feedback email": ("feedback", FEEDBACK_TO_EMAIL, "contact_email"),
    "feedback message": ("feedback", FEEDBACK_TO_EMAIL[:2], "message"),
    "missed-bin postcode": ("missed-bin", (("bin_type", "general"),), "postcode"),
}


def _on_screen(window, inner: QWidget, viewport: QWidget) -> tuple[QRect, QRect]:
    top_left = inner.mapTo(window, QPoint(0, 0))
    view = viewport.mapTo(window, QPoint(0, 0))
    return QRect(top_left, inner.size()), QRect(view, viewport.size())


def _inside(window, name: str, inner: QWidget, scroll: QScrollArea) -> None:
    box, view = _on_screen(window, inner, scroll.viewport())
    assert view.contains(box), f"{name} {box} is not inside the visible viewport {view}"
    keyboard_top = window.keyboard.mapTo(window, QPoint(0, 0)).y()
    assert box.bottom() < keyboard_top, f"{name} is under the keyboard"


# Measured on the 1920x1080 reference panel: with the keyboard open the page keeps 420 px in
# standard text, 215 px in large and 214 px in extra-large (header 180/214 px, action bar
# 163/213 px, keyboard 529/706 px), less than a heading plus a field with their gaps. Scrolling
# cannot fix that; room has to come from the keyboard's or the header's size, a design
# decision left to the integrator (see the uifix report). Strict, so the fix shows up here.
NO_ROOM = pytest.mark.xfail(strict=True, reason="large and extra-large text: the page keeps "
                            "about 215 px beside the keyboard, less than label + field")


@pytest.mark.parametrize("scrolled", ["field scrolled to", "page scrolled to the end"])
@pytest.mark.parametrize("where", list(PAGES))
@pytest.mark.parametrize("colours", ["standard", "yellow"])
@pytest.mark.parametrize("size", [pytest.param(size, marks=NO_ROOM) if size != "standard"
                                  else size for size in TEXT_SIZES])
def test_label_and_field_in_view_with_the_keyboard_open(make_kiosk, qtbot, size: str,
                                                        colours: str, where: str,
                                                        scrolled: str) -> None:
    assert colours in COLOURS
    window = make_kiosk().window
    service, answers, target = PAGES[where]
    window.start()
    window.set_preferences(window.prefs.with_(text_size=size, colours=colours))
    window.choose_service(service)
    for page_id, value in answers:
        window.answer(page_id, value)
    window.answer(target, "")  # an error summary and message make the page taller
    assert page_name(window) == f"question:{target}"
    field = widget(window, "answer")
    scroll = window.page.scroll_area
    # Touch the field where it is (scrolling to it first, as a resident would).
    scroll.ensureWidgetVisible(field)
    if scrolled == "page scrolled to the end":
        bar = scroll.verticalScrollBar()
        bar.setValue(bar.maximum())
    touch(window, field, QPoint(10, field.height() // 2))
    qtbot.waitUntil(window.keyboard.isVisible, timeout=2000)
    qtbot.waitUntil(lambda: scroll.viewport().height() < window.height() // 2 + 400,
                    timeout=2000)
    title = widget(window, "title")
    _inside(window, "the question", title, scroll)
    span = field.mapTo(window, QPoint(0, field.height())).y() - title.mapTo(window, QPoint()).y()
    if span <= scroll.viewport().height():
        _inside(window, "the field", field, scroll)
    else:  # a text box taller than the room left: its start (where typing goes) shows
        box, view = _on_screen(window, field, scroll.viewport())
        assert view.contains(box.topLeft()), box
        assert box.top() + 60 < view.bottom(), box
    hints = [h for h in window.page.findChildren(QWidget, "hint") if h.isVisibleTo(window)]
    for hint in hints:
        box, view = _on_screen(window, hint, scroll.viewport())
        if size == "standard":
            assert view.contains(box), "the hint fits in standard text, so it shows"

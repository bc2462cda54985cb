"""With the on-screen keyboard open the resident still sees what they are answering: the
question's label (and its hint, where there is room) stay on screen with the field, at every
text size. Found in extra-large text, yellow on black, on the feedback email page: only the
field was left in view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QScrollArea, QWidget

from accessibility.keyboard_layouts import Action
from kiosk.preferences import COLOURS, TEXT_SIZES
from ui.driving import deliver_posted_events, page_name, tap, touch, type_text, widget

# Every text question of the demo: (service, the answers that lead to it, the page).
FEEDBACK_TO_EMAIL = (("feedback_type", "complaint"), ("topics", ("bins",)),
                     ("message", "It was late"), ("happened_on", ""), ("wants_reply", "yes"),
                     ("full_name", "Sam Example"), ("contact_method", "email"))
PAGES = {
    "feedback email": ("feedback", FEEDBACK_TO_EMAIL, "contact_email"),
    "feedback message": ("feedback", FEEDBACK_TO_EMAIL[:2], "message"),
    "missed-bin postcode": ("missed-bin", (), "address"),
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


# On the 1920x1080 reference panel the keyboard, the header and the Continue bar used to leave
# 215 px (large) and 214 px (extra large) for the page: less than a heading and a field. Keys
# now stay near 20 mm in large print (`ui.keyboard.key_px`), and the header and the action bar
# fold away while the keyboard is open in large print (`KioskWindow._fold_header`).
@pytest.mark.parametrize("scrolled", ["field scrolled to", "page scrolled to the end"])
@pytest.mark.parametrize("where", list(PAGES))
@pytest.mark.parametrize("colours", ["standard", "yellow"])
@pytest.mark.parametrize("size", TEXT_SIZES)
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
    # Touch the field where it is (scrolling to it first, as a resident would, once the new
    # page is laid out).
    deliver_posted_events()
    scroll.ensureWidgetVisible(field)
    if scrolled == "page scrolled to the end":
        bar = scroll.verticalScrollBar()
        bar.setValue(bar.maximum())
    touch(window, field, QPoint(10, min(field.height() // 2, 30)))  # where it shows
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


@pytest.mark.parametrize("size", TEXT_SIZES)
def test_large_print_folds_the_header_and_continue_while_typing(make_kiosk, qtbot,
                                                                size: str) -> None:
    window = make_kiosk().window
    window.start()
    window.set_preferences(window.prefs.with_(text_size=size))
    window.choose_service("missed-bin")  # the address question: its postcode first
    page = window.page
    field = widget(window, "answer")
    deliver_posted_events()
    window.page.scroll_area.ensureWidgetVisible(field)
    touch(window, field, QPoint(10, 10))
    qtbot.waitUntil(window.keyboard.isVisible, timeout=2000)
    folds = size != "standard"
    assert window.header.isHidden() is folds
    assert page.action_bar.isHidden() is folds
    type_text(window, "answer", "DE99 1AB")
    # Done closes the keyboard: the header and Continue come back, and Continue works.
    done = next(button for key, button in window.keyboard.key_buttons()
                if key.action is Action.DONE)
    touch(window, done)
    qtbot.waitUntil(lambda: not window.keyboard.isVisible(), timeout=2000)
    assert window.header.isVisible()
    assert page.action_bar.isVisible()
    assert widget(window, "startAgain").isVisible()
    tap(window, "continue")
    assert page_name(window) != "question:address"

"""Save and come back on screen (pytest-qt): the button on a question page of a service that
opts in, the memorable word and its error, the saved page (and what it says aloud), the menu's
"Continue a saved application", a wrong word's GOV.UK error with the tries left, and the
journey back at its page. Then the canary sweep over the new pages: a word typed there and
abandoned leaves nothing in any widget, the clipboard, a file or the log."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QLabel, QWidget

from kiosk.catalogue.loader import Catalogue
from tests.kiosk.saved_service import Council, service
from ui.driving import page_name, tap, type_text, widget
from ui.wipe import leftovers

WORD = "Tangerine Harbour"
CANARY = "cnrysvd9q"


def kiosk_at_home_page(make_kiosk, qtbot):  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(saved={"type": "fake"})
    parts = kiosk.assembly.parts
    parts.catalogue = Catalogue((service(),))
    parts.lookup = Council()
    window = kiosk.window
    tap(window, "start")
    tap(window, "service-apply-later")
    assert page_name(window) == "question:who"
    assert maybe(window, "saveForLater") is None  # nothing answered yet
    tap(window, "option-me")
    tap(window, "continue")
    tap(window, "continue")  # the information page
    qtbot.waitUntil(lambda: page_name(window) == "question:home", timeout=5000)
    return kiosk


def maybe(window, name: str):  # type: ignore[no-untyped-def]
    """The widget with that name on the page showing, or None."""
    return window.page.findChild(QWidget, name) if window.page is not None else None


def texts_on(window) -> list[str]:  # type: ignore[no-untyped-def]
    return [lbl.text() for lbl in window.page.findChildren(QLabel)]


def test_save_then_resume_on_screen(make_kiosk, qtbot) -> None:  # type: ignore[no-untyped-def]
    kiosk = kiosk_at_home_page(make_kiosk, qtbot)
    window = kiosk.window
    type_text(window, "answer", "DE99 1AB")
    tap(window, "saveForLater")
    assert page_name(window) == "saved_word"
    type_text(window, "answer-word", "abc")
    tap(window, "saveWord")
    assert "Your memorable word must be at least 4 characters" in texts_on(window)
    assert widget(window, "errorSummary") is not None
    type_text(window, "answer-word", WORD)
    tap(window, "saveWord")
    qtbot.waitUntil(lambda: page_name(window) == "saved_done", timeout=5000)
    reference = widget(window, "reference").text().replace(" ", "")
    assert len(reference) == 8
    assert any("Come back by Monday 30 November 2026" in t for t in texts_on(window))
    spoken = " ".join(u.text for u in window.script())
    assert " ".join(reference) in spoken
    assert WORD not in spoken
    tap(window, "finish")
    qtbot.waitUntil(lambda: page_name(window) == "attract", timeout=5000)
    assert leftovers((WORD,)) == []

    tap(window, "start")
    assert "Continue a saved application" in " ".join(u.text for u in window.script())
    tap(window, "continueSaved")
    assert page_name(window) == "saved_resume"
    type_text(window, "answer-reference", reference.lower())
    type_text(window, "answer-word", "Wrong Word")
    tap(window, "continue")
    qtbot.waitUntil(lambda: page_name(window) == "saved_resume"
                    and maybe(window, "errorSummary") is not None, timeout=5000)
    assert ("The reference or memorable word is not right. You have 4 tries left"
            in texts_on(window))
    type_text(window, "answer-reference", reference)
    type_text(window, "answer-word", WORD)
    tap(window, "continue")
    qtbot.waitUntil(lambda: page_name(window) == "question:home", timeout=5000)
    assert window.session.engine.answers()["who"] == "me"
    assert widget(window, "saveForLater") is not None


def test_canary_on_the_saved_pages(make_kiosk, qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                   caplog) -> None:
    caplog.set_level(logging.DEBUG)
    kiosk = kiosk_at_home_page(make_kiosk, qtbot)
    window = kiosk.window
    tap(window, "saveForLater")
    type_text(window, "answer-word", CANARY)
    widget(window, "answer-word").selectAll()
    widget(window, "answer-word").copy()
    tap(window, "startAgain")
    qtbot.waitUntil(lambda: page_name(window) == "attract", timeout=5000)
    tap(window, "start")
    tap(window, "continueSaved")
    type_text(window, "answer-reference", CANARY.upper())
    type_text(window, "answer-word", CANARY)
    tap(window, "startAgain")
    qtbot.waitUntil(lambda: page_name(window) == "attract", timeout=5000)
    assert leftovers((CANARY, CANARY.upper())) == []
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert CANARY.encode() not in data, f"canary found in {path}"
            assert CANARY.upper().encode() not in data, f"canary found in {path}"
    assert CANARY not in caplog.text

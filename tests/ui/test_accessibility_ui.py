"""Accessibility as a resident meets it: choices apply at once, keep answers, mirror for
Urdu, meet contrast on the rendered screen, and reset when the session ends."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice, QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from accessibility.themes import THRESHOLDS, contrast_ratio
from kiosk.journey.pages import CheckAnswersPage, ExitPage, QuestionPage, WaitingPage
from kiosk.preferences import Preferences
from tests.ui.test_reflow import CHOICES, VALID
from ui.driving import choose, deliver_posted_events, page_name, tap, type_text, widget


def _screen(window: QWidget) -> Image.Image:
    QApplication.processEvents()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    window.grab().save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGB")


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _measured_contrast(image: Image.Image, box: QRect) -> float | None:
    """Background = the commonest colour in the box; text = the colour furthest from it
    that covers at least a few pixels (anti-aliased edges are in between)."""
    crop = image.crop((box.left(), box.top(), box.right() + 1, box.bottom() + 1))
    colours = crop.getcolors(maxcolors=1 << 20)
    if not colours or len(colours) < 2:
        return None
    colours.sort(reverse=True)
    background = _hex(colours[0][1])
    candidates = [_hex(c) for n, c in colours[1:] if n >= 4]
    if not candidates:
        return None
    return max(contrast_ratio(background, c) for c in candidates)


def _check_contrast(window, theme_name: str, where: str, problems: list[str]) -> None:
    need = THRESHOLDS[theme_name][0]
    image = _screen(window)
    for item in window.findChildren(QWidget):
        if not item.isVisibleTo(window) or not isinstance(item, QLabel | QAbstractButton):
            continue
        if isinstance(item, QLabel) and (not item.text() or (item.pixmap() is not None
                                         and not item.pixmap().isNull())):
            continue
        if isinstance(item, QAbstractButton) and item.findChild(QLabel, "words") is None \
                and not item.text():
            continue
        top_left = item.mapTo(window, item.rect().topLeft())
        box = QRect(top_left, item.size()).intersected(window.rect())
        if box.width() < 4 or box.height() < 4:
            continue
        ratio = _measured_contrast(image, box)
        if ratio is not None and ratio < need:
            problems.append(f"{where}: {item.objectName() or type(item).__name__} "
                            f"{ratio:.2f} < {need}")


@pytest.mark.parametrize("colours", ["standard", "dark", "yellow"])
def test_rendered_pages_meet_contrast(make_kiosk, qtbot, colours: str) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    window.set_preferences(Preferences(colours=colours))
    problems: list[str] = []
    _check_contrast(window, colours, "attract", problems)
    window.start()
    _check_contrast(window, colours, "menu", problems)
    window.choose_service("missed-bin")
    for _ in range(20):
        model = window.session.engine.current()
        if isinstance(model, CheckAnswersPage | ExitPage):
            break
        if isinstance(model, WaitingPage):  # the addresses at the postcode, looked up
            qtbot.waitUntil(lambda: not page_name(window).startswith("waiting"), timeout=5000)
            continue
        assert isinstance(model, QuestionPage)
        if not model.optional:
            window.answer(model.page_id, "" if model.qtype != "checkboxes" else ())
            _check_contrast(window, colours, f"{model.page_id} (error)", problems)
        value = (model.options[0].value if model.qtype in CHOICES
                 else VALID.get(model.qtype, "x"))
        window.answer(model.page_id, value)
        _check_contrast(window, colours, page_name(window), problems)
    window.submit()
    qtbot.waitUntil(lambda: page_name(window) == "confirmation", timeout=20000)
    _check_contrast(window, colours, "confirmation", problems)
    assert problems == [], "\n".join(problems)


def test_choices_apply_at_once_and_keep_answers(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    tap(window, "start")
    tap(window, "service-missed-bin")
    type_text(window, "answer", "de99 1ab")
    tap(window, "continue")
    qtbot.waitUntil(lambda: page_name(window) == "question:address__list", timeout=5000)
    choose(window, "990000001014")
    choose(window, "recycling")
    type_text(window, "answer-day", "2")  # typed, not yet continued
    tap(window, "accessibility")
    tap(window, "a11y-text_size-large")
    tap(window, "a11y-colours-yellow")
    tap(window, "a11y-language-cy")
    assert window.theme.text_scale == 1.5
    assert window.theme.palette.background == "#000000"
    tap(window, "a11yDone")
    assert widget(window, "title").text() == "Pryd ddylai eich bin fod wedi cael ei gasglu?"
    assert widget(window, "answer-day").text() == "2"  # half-typed text survives
    assert window.session.engine.answers() == {
        "address": "DE99 1AB", "address__list": "990000001014", "bin_type": "recycling"}
    tap(window, "back")
    assert widget(window, "option-recycling").isChecked()


def test_urdu_mirrors_the_layout(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    window.choose_language("ur")
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    tap(window, "start")
    tap(window, "service-missed-bin")
    deliver_posted_events()  # the mirrored layout done, as before any paint
    back = widget(window, "back")
    assert back.mapTo(window, back.rect().center()).x() > window.width() / 2
    council = widget(window, "councilName")
    assert council.mapTo(window, council.rect().center()).x() > window.width() / 2
    window.choose_language("en")
    assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_every_choice_resets_when_the_session_ends(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    defaults = window.prefs
    tap(window, "start")
    window.set_preferences(Preferences(read_aloud=True, slow_speech=True, read_personal=True,
                                       text_size="extra_large", colours="dark", language="pl"))
    tap(window, "startAgain")
    qtbot.waitUntil(lambda: page_name(window) == "attract", timeout=3000)
    assert window.prefs == defaults
    assert window.theme.text_scale == 1.0
    assert window.theme.name == "standard"
    assert window.texts.language == "en"
    assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert window.keyboard.language == "en"

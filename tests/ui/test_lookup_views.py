"""The views for pages that are not plain questions, offscreen: waiting (a spinner that
turns), "we cannot look this up" (Try again, Go back), information and result pages, and the
one choice widget showing option hints in checkbox mode as in radio mode."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from accessibility.languages import Translator
from accessibility.themes import standard_theme, style_sheet
from kiosk.announce import script_for
from kiosk.journey.engine import JourneyEngine
from kiosk.journey.pages import (
    InfoPage,
    LookupFailedPage,
    PageModel,
    QuestionPage,
    ResultPage,
    WaitingPage,
)
from tests.kiosk.lookup_service import TableLookup, service
from ui.pages.base import Intents, Page
from ui.pages.info import InfoView, ResultView
from ui.pages.inputs import ChoiceInput
from ui.pages.lookup import LookupFailedView, WaitingView
from ui.pages.question import QuestionView
from ui.pages.registry import view_for

TEXTS = Translator(strict=True)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []

    def intents(self) -> Intents:
        def note(name: str):
            return lambda *args: self.calls.append((name, args))
        return Intents(start=note("start"), choose_service=note("choose"), answer=note("answer"),
                       back=note("back"), change=note("change"), submit=note("submit"),
                       finish=note("finish"), start_again=note("start_again"),
                       try_again=note("try_again"))


def show(qtbot, model: PageModel, recorder: Recorder) -> Page:
    view = view_for(model, TEXTS, standard_theme(), recorder.intents())
    view.setStyleSheet(style_sheet(standard_theme()))  # sizes come from the theme's sheet
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def named(view: QWidget, name: str) -> QWidget:
    found = view.findChild(QWidget, name)
    assert found is not None, name
    return found


def texts_of(view: QWidget) -> list[str]:
    return [w.text() for w in view.findChildren(QLabel) if w.isVisibleTo(view) and w.text()]


def journey() -> JourneyEngine:
    engine = JourneyEngine(service(), TEXTS, lambda: date(2026, 11, 23))
    engine.start()
    return engine


def waiting_page() -> tuple[JourneyEngine, WaitingPage]:
    engine = journey()
    engine.answer("intro", "")
    page = engine.answer("postcode", "DE1 2AB")
    assert isinstance(page, WaitingPage)
    return engine, page


def test_waiting_view_says_looking_this_up_and_its_spinner_turns(qtbot) -> None:
    _, page = waiting_page()
    recorder = Recorder()
    view = show(qtbot, page, recorder)
    assert isinstance(view, WaitingView)
    assert TEXTS("lookup.waiting.title") in texts_of(view)
    assert view.spinner.isVisible()
    assert view.spinner.timer.isActive()
    assert view.spinner.height() >= standard_theme().target_px
    start = view.spinner.angle
    qtbot.waitUntil(lambda: view.spinner.angle != start, timeout=2000)
    view.hide()
    assert not view.spinner.timer.isActive()  # no work for a page nobody sees
    named(view, "back").click()  # type: ignore[attr-defined]
    assert recorder.calls == [("back", ())]


def test_cannot_look_up_view_offers_try_again_and_go_back(qtbot) -> None:
    engine, page = waiting_page()
    failed = engine.lookup_failed(page.request, "timeout")
    assert isinstance(failed, LookupFailedPage)
    recorder = Recorder()
    view = show(qtbot, failed, recorder)
    assert isinstance(view, LookupFailedView)
    shown = texts_of(view)
    assert failed.title in shown
    assert failed.body in shown
    assert failed.staff_hint in shown
    theme = standard_theme()
    for name in ("tryAgain", "goBack"):
        button = named(view, name)
        assert isinstance(button, QAbstractButton)
        assert button.height() >= theme.target_px
    named(view, "tryAgain").click()  # type: ignore[attr-defined]
    named(view, "goBack").click()  # type: ignore[attr-defined]
    assert recorder.calls == [("try_again", ()), ("back", ())]


def test_information_view_shows_its_text_and_continues(qtbot) -> None:
    page = journey().current()
    assert isinstance(page, InfoPage)
    recorder = Recorder()
    view = show(qtbot, page, recorder)
    assert isinstance(view, InfoView)
    assert [page.service_title, page.title, page.body] == [
        t for t in texts_of(view) if t in (page.service_title, page.title, page.body)]
    view.continue_button.click()
    assert recorder.calls == [("answer", ("intro", ""))]


def result_page(uprn: str) -> ResultPage:
    engine, page = waiting_page()
    engine.lookup_done(page.request, TableLookup().lookup(page.request))
    waiting = engine.answer("address", uprn)
    assert isinstance(waiting, WaitingPage)
    result = engine.lookup_done(waiting.request, TableLookup().lookup(waiting.request))
    assert isinstance(result, ResultPage)
    return result


def test_result_view_lists_rows_or_says_nothing_was_found(qtbot) -> None:
    recorder = Recorder()
    page = result_page("100030000001")
    view = show(qtbot, page, recorder)
    assert isinstance(view, ResultView)
    shown = texts_of(view)
    for row in page.rows:
        assert row.label in shown
        assert row.detail in shown
    assert page.empty_text not in shown
    view.continue_button.click()
    assert recorder.calls == [("answer", ("days", ""))]
    empty = show(qtbot, result_page("100030000002"), recorder)
    assert TEXTS("result.none_found") in texts_of(empty)


def test_checkbox_options_show_their_hints_and_speech_says_them(qtbot) -> None:
    engine = journey()
    engine.answer("intro", "")
    engine.answer("postcode", "DE1 2AB")
    request = engine.pending_lookup()
    assert request is not None
    engine.lookup_done(request, TableLookup().lookup(request))
    engine.answer("address", "100030000001")
    request = engine.pending_lookup()
    assert request is not None
    engine.lookup_done(request, TableLookup().lookup(request))
    page = engine.answer("days", "")
    assert isinstance(page, QuestionPage)
    assert page.qtype == "checkboxes"
    view = show(qtbot, page, Recorder())
    assert isinstance(view, QuestionView)
    assert isinstance(view.input, ChoiceInput)
    assert view.input.many
    hints = [o.hint for o in page.options]
    assert hints == ["General rubbish", "Recycling"]
    for option in page.options:
        hint = named(view, f"option-hint-{option.value}")
        assert isinstance(hint, QLabel)
        assert hint.text() == option.hint
        assert hint.isVisible()
    # Both boxes can be ticked: checkbox mode, not radios.
    for option in page.options:
        named(view, f"option-{option.value}").click()  # type: ignore[attr-defined]
    assert view.input.value() == ("black", "blue")
    spoken = [(u.item, u.text) for u in script_for(page, TEXTS, read_personal=False)]
    assert ("option-hint:black", "General rubbish") in spoken
    assert spoken.index(("option-hint:blue", "Recycling")) > spoken.index(
        ("option-hint:black", "General rubbish"))

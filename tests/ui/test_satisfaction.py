"""The satisfaction and "contacted before" questions on the confirmation and exit pages:
large buttons, one touch each then "Thank you", recorded by the terminal, and Finish still
there and working."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from accessibility.themes import TEXT_SCALES
from kiosk.journey.pages import ConfirmationPage, ExitPage
from tests.kiosk.test_terminal import to_check_answers
from ui.driving import page_name, tap, widget


def test_rating_and_contact_on_the_confirmation_page(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk()
    window, terminal = kiosk.window, kiosk.terminal
    answered: list[tuple[str, object]] = []
    terminal.events.visit_rated.connect(lambda score: answered.append(("rated", score)))
    terminal.events.contacted_before.connect(lambda a: answered.append(("contacted", a)))
    to_check_answers(terminal)
    terminal.submit()
    qtbot.waitUntil(lambda: isinstance(terminal.current(), ConfirmationPage)
                    and page_name(window) == "confirmation", timeout=10000)
    for score in range(1, 6):
        choice = widget(window, f"rate-{score}")
        assert isinstance(choice, QPushButton)
        assert choice.isVisibleTo(window)
        assert max(choice.sizeHint().height(), choice.minimumHeight()) >= window.theme.target_px
    assert widget(window, "rate-1").caption() == "Very dissatisfied"  # type: ignore[attr-defined]
    assert widget(window, "rate-5").caption() == "Very satisfied"  # type: ignore[attr-defined]
    assert not widget(window, "rateThanks").isVisibleTo(window)
    tap(window, "rate-4")
    assert widget(window, "rateThanks").isVisibleTo(window)
    assert widget(window, "rateThanks").text() == "Thank you"
    assert not widget(window, "rate-4").isVisibleTo(window)
    tap(window, "contacted-not_sure")
    assert widget(window, "contactThanks").isVisibleTo(window)
    assert answered == [("rated", 4), ("contacted", "not_sure")]
    # A re-render (larger text) keeps the thanks: the terminal holds the answers.
    terminal.set_preferences(terminal.prefs.with_(text_size="large"))
    qtbot.waitUntil(lambda: window.theme.text_scale == TEXT_SCALES["large"], timeout=5000)
    assert widget(window, "rateThanks").isVisibleTo(window)
    tap(window, "finish")
    qtbot.waitUntil(lambda: page_name(window) == "attract", timeout=10000)
    assert terminal.feedback.rating is None


def test_the_questions_on_an_exit_page_and_finish_without_answering(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk(lookups={"type": "fake"})
    window, terminal = kiosk.window, kiosk.terminal
    terminal.start()
    terminal.choose_service("missed-bin")
    for page_id, raw in (("address", "DE99 1AB"), ("address__list", "990000001014"),
                         ("bin_type", "garden"), ("garden_subscription", "no")):
        terminal.answer(page_id, raw)
    assert isinstance(terminal.current(), ExitPage)
    qtbot.waitUntil(lambda: page_name(window).startswith("exit:"), timeout=10000)
    assert widget(window, "rate-3").isVisibleTo(window)
    assert widget(window, "contacted-yes").isVisibleTo(window)
    tap(window, "exitStartAgain")  # never in the way: the visit ends unanswered
    qtbot.waitUntil(lambda: page_name(window) == "attract", timeout=10000)

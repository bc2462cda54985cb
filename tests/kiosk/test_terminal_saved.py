"""Save and come back, headless (kiosk/terminal_saved.py): the button only where it belongs,
the memorable word's limits, saved → slip → the visit ends and is wiped, resumed at the page
still to do, wrong words counted down to the fifth, the hub down, and the hub's copy deleted
on Send — driven through the terminal with no Qt against the in-memory keeper."""

from __future__ import annotations

import gc
import types
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kiosk.assembly import Assembly
from kiosk.clock import FakeClock
from kiosk.journey.pages import ConfirmationPage
from kiosk.saved.fake import FakeSavedApplications
from kiosk.saved.screens import (
    ResumeGoneScreen,
    ResumeScreen,
    SavedDoneScreen,
    SavedWaitScreen,
    SaveWordScreen,
)
from kiosk.session import Phase
from kiosk.terminal import MenuScreen, Terminal
from tests.kiosk.saved_kiosk import on_question, saved_kiosk, to_check_answers, walk_to
from tests.kiosk.saved_service import SECRET, service
from tests.kiosk.test_terminal import HeldRunner

WORD = "Marmalade Sky"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def keeper(clock: FakeClock) -> FakeSavedApplications:
    return FakeSavedApplications(clock)


@pytest.fixture
def kiosk(tmp_path: Path, clock: FakeClock, keeper: FakeSavedApplications) -> Iterator[Assembly]:
    with saved_kiosk(tmp_path / "k1", clock, keeper) as built:
        yield built


@pytest.fixture
def terminal(kiosk: Assembly) -> Terminal:
    return Terminal(kiosk.parts)


def save(terminal: Terminal, word: str = WORD) -> SavedDoneScreen:
    terminal.saved.save_for_later()
    assert isinstance(terminal.current(), SaveWordScreen)
    terminal.saved.choose_word(word)
    done = terminal.current()
    assert isinstance(done, SavedDoneScreen), done
    return done


def resume(terminal: Terminal, reference: str, word: str = WORD) -> None:
    terminal.start()
    terminal.saved.continue_saved()
    assert isinstance(terminal.current(), ResumeScreen)
    terminal.saved.resume(reference, word)


def test_the_button_only_after_an_answer_on_a_question_of_an_opted_in_service(
        terminal: Terminal, kiosk: Assembly) -> None:
    walk_to(terminal, "who")
    assert not terminal.saved.can_save(terminal.current())  # nothing answered yet
    terminal.saved.save_for_later()
    assert not isinstance(terminal.current(), SaveWordScreen)
    walk_to(terminal, "about")
    assert not terminal.saved.can_save(terminal.current())  # an information page
    terminal.answer("about", "")
    assert terminal.saved.can_save(terminal.current())
    kiosk.parts.catalogue.services[0].__dict__["save_and_return"] = False
    assert not terminal.saved.can_save(terminal.current())


def test_no_keeper_no_offer(tmp_path: Path, clock: FakeClock) -> None:
    with saved_kiosk(tmp_path / "none", clock, None) as built:
        terminal = Terminal(built.parts)
        walk_to(terminal, "story")
        assert not terminal.saved.offered
        assert not terminal.saved.can_save(terminal.current())


def test_save_prints_a_slip_and_the_visit_ends(terminal: Terminal, kiosk: Assembly,
                                               keeper: FakeSavedApplications) -> None:
    walk_to(terminal, "story")
    terminal.saved.save_for_later()
    terminal.saved.choose_word("abc")
    assert terminal.current() == SaveWordScreen("Apply for a thing", "too_short")
    terminal.saved.choose_word("x" * 41)
    assert terminal.current() == SaveWordScreen("Apply for a thing", "too_long")
    terminal.saved.close()
    on_question(terminal, "story")  # Go back: the page, answers kept
    done = save(terminal)
    assert done.come_back_by == date(2026, 11, 30)
    assert done.printed
    assert terminal.session.engine is None  # the answers left with the hub
    slip = kiosk.printer.jobs[-1]  # type: ignore[attr-defined]
    assert done.reference[:4].encode() in slip
    for secret in (SECRET, WORD, "Library Lane", "1956"):
        assert secret.encode() not in slip
    terminal.saved.finish()
    assert terminal.phase is Phase.ATTRACT
    assert terminal.saved.showing is None
    assert keeper.references == (done.reference,)


def test_a_resumed_journey_starts_at_the_page_still_to_do_and_send_deletes_it(
        terminal: Terminal, keeper: FakeSavedApplications) -> None:
    walk_to(terminal, "born")
    reference = save(terminal).reference
    terminal.saved.finish()
    resume(terminal, reference.lower())
    on_question(terminal, "born")
    assert terminal.session.engine is not None
    assert terminal.session.engine.answers()["home__list"] == "990000001001"
    to_check_answers(terminal)
    terminal.submit()
    assert isinstance(terminal.current(), ConfirmationPage)
    assert keeper.references == ()
    assert keeper.calls[-1] == "delete"


def test_wrong_words_count_down_and_the_fifth_deletes(terminal: Terminal,
                                                      keeper: FakeSavedApplications) -> None:
    walk_to(terminal, "story")
    reference = save(terminal).reference
    terminal.saved.finish()
    resume(terminal, reference, "not it")
    assert terminal.current() == ResumeScreen("wrong", 4)
    for left in (3, 2, 1):
        terminal.saved.resume(reference, "not it")
        assert terminal.current() == ResumeScreen("wrong", left)
    terminal.saved.resume(reference, "not it")
    assert isinstance(terminal.current(), ResumeGoneScreen)
    assert keeper.references == ()
    terminal.saved.close()
    assert isinstance(terminal.current(), MenuScreen)
    terminal.saved.continue_saved()
    terminal.saved.resume(reference, WORD)
    assert terminal.current() == ResumeScreen("not_found")


def test_a_missing_reference_and_the_keeper_down(terminal: Terminal,
                                                 keeper: FakeSavedApplications) -> None:
    resume(terminal, "", WORD)
    assert terminal.current() == ResumeScreen("missing")
    keeper.fail = "timeout"
    terminal.saved.resume("AB2CD3EF", WORD)
    assert terminal.current() == ResumeScreen("unavailable")
    terminal.start_again()
    walk_to(terminal, "story")
    terminal.saved.save_for_later()
    terminal.saved.choose_word(WORD)
    assert terminal.current() == SaveWordScreen("Apply for a thing", failed=True)
    terminal.saved.close()
    assert terminal.session.engine is not None  # nothing lost
    on_question(terminal, "story")


def test_the_visit_is_held_while_the_hub_is_asked(kiosk: Assembly) -> None:
    runner = HeldRunner()
    terminal = Terminal(kiosk.parts, runner=runner)
    walk_to(terminal, "story")
    terminal.saved.save_for_later()
    terminal.saved.choose_word(WORD)
    assert isinstance(terminal.current(), SavedWaitScreen)
    assert terminal.held == ("saving",)
    runner.run_all()
    assert terminal.held == ()
    assert isinstance(terminal.current(), SavedDoneScreen)


def test_a_visit_ended_while_saving_keeps_nothing(kiosk: Assembly,
                                                  keeper: FakeSavedApplications) -> None:
    runner = HeldRunner()
    terminal = Terminal(kiosk.parts, runner=runner)
    walk_to(terminal, "story")
    terminal.saved.save_for_later()
    terminal.saved.choose_word(WORD)
    terminal.start_again()
    runner.run_all()  # the hub answers after the wipe: it is saved, nothing shows
    assert terminal.phase is Phase.ATTRACT
    assert terminal.saved.showing is None
    assert len(keeper.references) == 1


def test_the_wipe_leaves_nothing_of_the_saved_journey_or_the_word(
        terminal: Terminal, keeper: FakeSavedApplications, kiosk: Assembly) -> None:
    walk_to(terminal, "extra")
    reference = save(terminal, "Zanzibar Quokka").reference
    terminal.saved.finish()
    resume(terminal, reference, "Zanzibar Quokka")
    on_question(terminal, "extra")
    terminal.start_again()
    assert terminal.phase is Phase.ATTRACT
    keeper._rows.clear()  # the keeper is the hub's stand-in, not the kiosk's memory
    for printed in (kiosk.printer.jobs, kiosk.printer.job_names):  # type: ignore[attr-defined]
        printed.clear()  # the slip: paper, handed over
    assert reachable_texts(terminal, ("Zanzibar Quokka", SECRET, reference)) == []


def reachable_texts(root: object, needles: tuple[str, ...]) -> list[str]:
    """Every string reachable from `root` that holds a needle (the terminal's whole graph)."""
    seen: set[int] = set()
    stack: list[object] = [root]
    found: list[str] = []
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, type | types.ModuleType | types.FunctionType):
            continue  # code and its globals (test constants) are not the visit's
        seen.add(id(item))
        if isinstance(item, str):
            found += [n for n in needles if n in item]
            continue
        stack.extend(gc.get_referents(item))
    return found


def test_the_service_flag() -> None:
    assert service().save_and_return
    assert not service(save_and_return=False).save_and_return

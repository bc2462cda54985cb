"""A kiosk for the save-and-come-back tests: the demo profile's parts with the test service
(tests/kiosk/saved_service.py) as its catalogue, its lookups answered by `Council`, and the
saved applications kept by whatever the test gives (the fake, or a real hub's client)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.assembly import Assembly, assemble
from kiosk.catalogue.loader import Catalogue
from kiosk.clock import FakeClock
from kiosk.journey.pages import CheckAnswersPage, QuestionPage
from kiosk.journey.validation import DateParts
from kiosk.profile import load_profile
from kiosk.saved.base import SavedApplications
from kiosk.terminal import Terminal
from tests.kiosk.saved_service import SECRET, Council, service
from tests.kiosk_fixtures import demo_profile_copy


@contextmanager
def saved_kiosk(folder: Path, clock: FakeClock, saved: SavedApplications | None
                ) -> Iterator[Assembly]:
    folder.mkdir(parents=True, exist_ok=True)
    loaded = load_profile(demo_profile_copy(folder, printer="fake"))
    built = assemble(loaded, folder / "state", clock=clock, deliver_immediately=False)
    built.parts.catalogue = Catalogue((service(),))
    built.parts.lookup = Council()
    built.parts.saved = saved
    try:
        yield built
    finally:
        built.close()


def walk_to(terminal: Terminal, page_id: str) -> None:
    """From the menu, answer the test service's pages until `page_id` shows."""
    answers = {"who": "me", "about": "", "home": "de99 1ab", "home__list": "990000001001",
               "days": "", "born": ("29", "2", "1956"), "story": SECRET, "extra": ""}
    terminal.start()
    terminal.choose_service("apply-later")
    for _ in range(20):
        run_all = getattr(terminal.runner, "run_all", None)
        if run_all is not None:  # a test's held runner: the lookups answer now
            run_all()
        where = terminal.session.engine.where if terminal.session.engine else None
        if where is None or where.kind != "page" or where.page_id == page_id:
            return
        raw = answers[where.page_id]
        terminal.answer(where.page_id, DateParts(*raw) if isinstance(raw, tuple) else raw)
    raise AssertionError("did not reach " + page_id)


def on_question(terminal: Terminal, page_id: str) -> QuestionPage:
    shown = terminal.current()
    assert isinstance(shown, QuestionPage), shown
    assert shown.page_id == page_id
    return shown


def to_check_answers(terminal: Terminal) -> CheckAnswersPage:
    walk_to(terminal, "none")
    shown = terminal.current()
    assert isinstance(shown, CheckAnswersPage), shown
    return shown

"""Walking the demo's longer journeys headless (issue 13): the engine with the demo's fake
council, and whole visits through the `Terminal` with the demo profile's fakes.

Shared by the Blue Badge, bus pass and "tell us once" route tests; the walk checks that each
page is the one the route says comes next, so a route that skips or adds a page fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import kiosk
from accessibility.languages import Translator
from kiosk.assembly import Assembly, assemble
from kiosk.catalogue import Catalogue
from kiosk.clock import FakeClock
from kiosk.journey.engine import CHECK, JourneyEngine, Where
from kiosk.journey.pages import CheckAnswersPage, QuestionPage
from kiosk.journey.validation import RawAnswer
from kiosk.lookups.fake import FakeLookup, demo_answers
from kiosk.profile import load_profile
from kiosk.resident import ask_council
from kiosk.submission import Submission
from kiosk.terminal import Terminal
from tests.kiosk_fixtures import demo_profile_copy

DEMO_PROFILE = Path(kiosk.__file__).parent / "demo" / "profile.yaml"
TODAY = date(2026, 11, 23)  # a Monday
TEXTS = Translator(strict=True)
CATALOGUE: Catalogue = load_profile(DEMO_PROFILE).catalogue

Step = tuple[str, RawAnswer]


def engine_for(service_id: str, today: date = TODAY) -> JourneyEngine:
    return JourneyEngine(CATALOGUE.service(service_id), TEXTS, lambda: today)


def answer_lookups(engine: JourneyEngine, today: date = TODAY) -> None:
    """The terminal's part: a page waiting for the council gets the demo's canned answer."""
    request = engine.pending_lookup()
    if request is not None:
        council = FakeLookup(demo_answers(lambda: today))
        engine.lookup_done(request, ask_council(council, request))


def walk(engine: JourneyEngine, steps: Sequence[Step]) -> None:
    """Answer each page in order, checking each is the page the route says comes next."""
    for page_id, raw in steps:
        answer_lookups(engine)
        assert engine.where == Where("page", page_id), f"expected {page_id}, at {engine.where}"
        page = engine.answer(page_id, raw)
        assert not (isinstance(page, QuestionPage) and page.errors), page
    answer_lookups(engine)


def started(service_id: str, steps: Sequence[Step] = (), today: date = TODAY) -> JourneyEngine:
    engine = engine_for(service_id, today)
    engine.start()
    walk(engine, steps)
    return engine


def rows(engine: JourneyEngine) -> dict[str, str]:
    """The check answers rows, page id -> the answer in words."""
    assert engine.where == CHECK, engine.where
    page = engine.current()
    assert isinstance(page, CheckAnswersPage)
    return {row.page_id: row.value for row in page.rows}


# ----- whole visits through the Terminal ------------------------------------------------------

@contextmanager
def demo_terminal(tmp_path: Path) -> Iterator[tuple[Terminal, Assembly]]:
    """The demo kiosk assembled for real (outbox on SQLite, fake printer), its council the
    in-process fake lookup (the demo's gazetteer), nothing delivered: rows stay in the outbox."""
    clock = FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    loaded = load_profile(demo_profile_copy(tmp_path, printer="fake",
                                            lookups={"type": "fake", "timeout_seconds": 2}))
    built = assemble(loaded, tmp_path / "state", clock=clock, deliver_immediately=False)
    try:
        yield Terminal(built.parts), built
    finally:
        built.close()


def visit(terminal: Terminal, service_id: str, steps: Sequence[Step]) -> None:
    """Start a visit, choose the service and answer each page, checking the page shown."""
    terminal.start()
    terminal.choose_service(service_id)
    for page_id, raw in steps:
        shown = terminal.current()
        assert getattr(shown, "page_id", None) == page_id, f"expected {page_id}, at {shown}"
        terminal.answer(page_id, raw)


def sent_rows(assembly: Assembly, reference: str) -> dict[str, Submission]:
    """The outbox rows under one reference, by part, as their payloads."""
    return {sub.part: sub for sub in (assembly.outbox.open_payload(row.submission_id)
                                      for row in assembly.outbox.find_all(reference))}


Check = Callable[[JourneyEngine], None]

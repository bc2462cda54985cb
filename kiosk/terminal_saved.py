"""Save and come back, beside the terminal: decides which saved-application screen shows,
asks the hub off the GUI thread (on the terminal's runner), holds the visit while it waits.

Saving: "Save and come back later" on a question page of a service that opts in (after at
least one answer) → choose a memorable word → the snapshot (kiosk/journey/snapshot.py) is
taken on the GUI thread and sent with the word → saved: the journey is dropped from the
session at once, the slip prints (reference and date; no answers, no word) → Finish ends the
visit. Resuming: "Continue a saved application" on the menu → reference and word → the
journey is replayed and resumes at its first page still to do; a wrong word says how many
tries are left; the fifth deletes it (the hub does) and the resident is told to start again.
On Send of a resumed journey the hub's copy is deleted (best effort; its expiry is the
backstop). The desk keeps the reference and delete token of a resumed journey, never the
snapshot or the word: the wipe drops both and checks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from accessibility.languages import FALLBACK, Translator, language
from kiosk.clock import Clock
from kiosk.journey.pages import ConfirmationPage, QuestionPage
from kiosk.journey.snapshot import SnapshotError, capture, restore, service_of
from kiosk.preferences import Preferences
from kiosk.resident import KioskParts, ResidentSession
from kiosk.saved.base import (
    WORD_MAX,
    WORD_MIN,
    Gone,
    Resumed,
    ResumeOutcome,
    SavedApplications,
    SavedForLater,
    SaveOutcome,
    Unavailable,
    WrongWord,
    word_length,
)
from kiosk.saved.screens import (
    ResumeGoneScreen,
    ResumeScreen,
    SavedDoneScreen,
    SavedScreen,
    SavedWaitScreen,
    SaveWordScreen,
)
from kiosk.saved.words import slip
from kiosk.terminal_events import Hold, Runner, Shown, TerminalEvents

log = logging.getLogger(__name__)


class Host(Protocol):
    parts: KioskParts
    session: ResidentSession
    events: TerminalEvents
    runner: Runner
    serial: int
    clock: Clock
    prefs: Preferences

    @property
    def in_session(self) -> bool: ...

    def hold(self, reason: str) -> Hold: ...

    def release(self, token: Hold) -> None: ...

    def current(self) -> Shown: ...

    def finish(self) -> None: ...

    def add_wipe_check(self, check: Callable[[], list[str]]) -> None: ...


def _save_and_print(saved: SavedApplications, snapshot: dict[str, Any], word: str,
                    print_slip: Callable[[SavedForLater], bool]) -> tuple[SaveOutcome, bool]:
    """Off the GUI thread: save, then print the slip. Holds no session."""
    outcome = saved.save(snapshot, word)
    if not isinstance(outcome, SavedForLater):
        return outcome, False
    try:
        printed = print_slip(outcome)
    except Exception as exc:  # noqa: BLE001 - a printer bug must not lose the reference
        log.error("saved slip: printer raised %s", type(exc).__name__)
        printed = False
    return outcome, printed


def _ignore(*_: object) -> None:
    pass


class SavedDesk:
    def __init__(self, saved: SavedApplications | None) -> None:
        self.saved = saved
        self.showing: SavedScreen | None = None
        self._terminal: Host | None = None
        self._show: Callable[[Shown], None] = _ignore
        self._hold: Hold | None = None
        self._resumed: tuple[str, str] | None = None  # reference, delete token

    def bind(self, terminal: Host, show: Callable[[Shown], None]) -> None:
        self._terminal = terminal
        self._show = show
        terminal.events.wiping.connect(self._forget)
        terminal.add_wipe_check(self._wipe_check)

    @property
    def terminal(self) -> Host:
        assert self._terminal is not None, "SavedDesk used before Terminal bound it"
        return self._terminal

    @property
    def offered(self) -> bool:
        """"Continue a saved application" is on the menu (the profile has `saved`)."""
        return self.saved is not None

    def can_save(self, page: Shown) -> bool:
        """"Save and come back later" shows on this page."""
        engine = self.terminal.session.engine
        return (self.saved is not None and engine is not None and isinstance(page, QuestionPage)
                and engine.service.save_and_return and bool(engine.answers()))

    def _put(self, screen: SavedScreen | None) -> None:
        self.showing = screen
        self._show(self.terminal.current())

    # ----- saving ---------------------------------------------------------------------------

    def save_for_later(self) -> None:
        terminal = self.terminal
        if not terminal.in_session or self.showing is not None \
                or not self.can_save(terminal.current()):
            return
        engine = terminal.session.engine
        assert engine is not None
        self._put(SaveWordScreen(engine.service.title.get(terminal.prefs.language)))

    def choose_word(self, word: str) -> None:
        terminal, saved, engine = self.terminal, self.saved, self.terminal.session.engine
        if not isinstance(self.showing, SaveWordScreen) or saved is None or engine is None:
            return
        title = self.showing.service_title
        length = word_length(word)
        if length < WORD_MIN or length > WORD_MAX:
            self._put(SaveWordScreen(title, "too_short" if length < WORD_MIN else "too_long"))
            return
        snapshot = capture(engine)  # on the GUI thread: the job holds no session
        self._hold = terminal.hold("saving")
        self._put(SavedWaitScreen(resuming=False))
        serial = terminal.serial
        job = partial(_save_and_print, saved, snapshot, word, self._slip_printer(title))
        del snapshot, word

        def done(answer: tuple[SaveOutcome, bool]) -> None:
            self._let_go()
            outcome, printed = answer
            if serial != self.terminal.serial or not isinstance(self.showing, SavedWaitScreen):
                return
            if isinstance(outcome, SavedForLater):
                old = self._resumed
                self._resumed = None
                if old is not None and self.saved is not None:  # saved anew: the old copy goes
                    self.terminal.runner.run(partial(self.saved.delete, *old), _ignore, _ignore)
                self.terminal.session.leave_service()  # the answers are on the hub now
                self._put(SavedDoneScreen(outcome.reference, outcome.come_back_by, printed))
                return
            log.warning("could not save for later (%s)", outcome.reason)
            self._put(SaveWordScreen(title, failed=True))

        terminal.runner.run(job, done, lambda error: done(
            (Unavailable("bad_answer", type(error).__name__), False)))

    def _slip_printer(self, title: str) -> Callable[[SavedForLater], bool]:
        """The slip's words fixed now (in a language the printer can print), printed later."""
        parts = self.terminal.parts
        current = self.terminal.prefs.language
        use = current if language(current).printable else FALLBACK
        texts = Translator(use)
        engine = self.terminal.session.engine
        title = engine.service.title.get(use) if engine is not None else title
        council = parts.profile.council.name.get(use)
        site = parts.profile.site.name.get(use)
        now = parts.clock.now()
        printer = parts.printer

        def print_slip(outcome: SavedForLater) -> bool:
            document = slip(texts, council, site, title, outcome.reference,
                            outcome.come_back_by, now)
            return bool(printer.print_receipt(document, outcome.reference).ok)

        return print_slip

    def finish(self) -> None:
        """Finish on "Your application is saved": the visit ends."""
        if isinstance(self.showing, SavedDoneScreen):
            self.terminal.finish()

    def close(self) -> None:
        """Go back: to the page the resident left (saving), or the menu (resuming)."""
        if isinstance(self.showing, SaveWordScreen | ResumeScreen | ResumeGoneScreen):
            self._put(None)

    # ----- resuming -------------------------------------------------------------------------

    def continue_saved(self) -> None:
        terminal = self.terminal
        if terminal.in_session and self.offered and terminal.session.engine is None \
                and self.showing is None:
            self._put(ResumeScreen())

    def resume(self, reference: str, word: str) -> None:
        terminal, saved = self.terminal, self.saved
        if not isinstance(self.showing, ResumeScreen) or saved is None:
            return
        if not reference.strip() or not word.strip():
            self._put(ResumeScreen("missing"))
            return
        self._hold = terminal.hold("resuming")
        self._put(SavedWaitScreen(resuming=True))
        serial = terminal.serial
        job = partial(saved.resume, reference, word)

        def done(outcome: ResumeOutcome) -> None:
            self._let_go()
            if serial != self.terminal.serial or not isinstance(self.showing, SavedWaitScreen):
                return
            self._resumed_with(outcome, "".join(reference.split()).upper())

        terminal.runner.run(job, done, lambda error: done(
            Unavailable("bad_answer", type(error).__name__)))

    def _resumed_with(self, outcome: ResumeOutcome, reference: str) -> None:
        if isinstance(outcome, WrongWord):
            self._put(ResumeScreen("wrong", outcome.tries_left))
        elif isinstance(outcome, Gone):
            self._put(ResumeGoneScreen() if outcome.locked else ResumeScreen("not_found"))
        elif isinstance(outcome, Unavailable):
            log.warning("could not resume a saved application (%s)", outcome.reason)
            self._put(ResumeScreen("unavailable"))
        else:
            self._replay(outcome, reference)

    def _replay(self, outcome: Resumed, reference: str) -> None:
        session = self.terminal.session
        try:
            service_id = service_of(outcome.snapshot)
            if service_id not in {s.id for s in session.services()}:
                raise SnapshotError("this kiosk does not offer that service")
            session.choose(service_id)
            assert session.engine is not None
            how = restore(session.engine, outcome.snapshot)
        except SnapshotError as exc:
            log.warning("a saved application could not be replayed: %s", exc)
            session.leave_service()
            self._put(ResumeScreen("not_found"))
            return
        if not how.complete:
            log.info("saved application resumed early (version changed: %s)",
                     how.version_changed)
        self._resumed = (reference, outcome.token)
        self._put(None)

    # ----- the terminal's hooks -------------------------------------------------------------

    def shown(self, shown: Shown) -> None:
        """Every page shown: a resumed journey's confirmation deletes the hub's copy."""
        if isinstance(shown, ConfirmationPage) and self._resumed is not None \
                and self.saved is not None:
            self.terminal.runner.run(partial(self.saved.delete, *self._resumed), _ignore,
                                     lambda error: log.warning(
                                         "saved copy not deleted: %s", type(error).__name__))
            self._resumed = None

    def _let_go(self) -> None:
        if self._hold is not None:
            self.terminal.release(self._hold)
            self._hold = None

    def _forget(self) -> None:
        self.showing = None
        self._resumed = None
        self._hold = None

    def _wipe_check(self) -> list[str]:
        problems = []
        if self.showing is not None:
            problems.append("a saved-application screen is still showing")
        if self._resumed is not None:
            problems.append("a resumed application's reference is still kept")
        return problems

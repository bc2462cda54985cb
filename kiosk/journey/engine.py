"""The journey engine: answer, back, change, submit: page models in, page models out.

Pure state machine in the Home Assistant config-flow mould: no Qt, no I/O, no clock reads
(today's date comes from the caller), so every route of every service is testable headless.

Pages that look something up (options from a source, a result page) do not do the lookup:
`current()` shows a `WaitingPage` carrying the `LookupRequest`, the caller runs it off the
GUI thread and hands back `lookup_done(request, result)` or `lookup_failed(request, reason)`.
A result for a request the journey no longer needs (the resident went back, changed an
answer) is ignored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from kiosk.catalogue.model import CHECK_ANSWERS, EVIDENCE_SEEN, Page, Service
from kiosk.journey.lookup_state import LookupKey, LookupState, lookup_key
from kiosk.journey.pages import PageModel, SummaryRow
from kiosk.journey.render import Renderer
from kiosk.journey.route_rules import RouteRules
from kiosk.journey.types import CheckContext, QuestionTypes, builtin_types
from kiosk.journey.validation import Answer, FieldError, RawAnswer
from kiosk.lookups.base import LookupRequest, LookupResult, UnavailableReason
from kiosk.texts import Texts


class JourneyError(Exception):
    """An intent that makes no sense where the journey is (a bug in the caller, not input)."""


@dataclass(frozen=True)
class Where:
    """Where the journey is: a page (question, information, result), check answers, an exit
    page, or done."""

    kind: str
    page_id: str = ""


CHECK = Where("check_answers")
DONE = Where("done")


def _never() -> bool:
    return False


def _as_input(value: Answer | None) -> str:
    if value is None:
        return ""
    return ",".join(value) if isinstance(value, tuple) else value


class JourneyEngine(RouteRules):
    """One resident's walk through one service. Dropped whole when the session ends."""

    def __init__(self, service: Service, texts: Texts, today: Callable[[], date],
                 types: QuestionTypes | None = None, *,
                 assisted: Callable[[], bool] | None = None) -> None:
        self.service = service
        self.texts = texts
        self.types = types or builtin_types()
        self._today = today
        # Whether staff are assisting now: the staff's evidence page is on the route only
        # then. Asked, not held, so staff arriving or leaving changes the route at once.
        self._assisted = assisted or _never
        self.submission_id = uuid.uuid4().hex
        self._raw: dict[str, RawAnswer] = {}
        self._accepted_raw: dict[str, RawAnswer] = {}
        self._answers: dict[str, Answer | None] = {}
        self._errors: tuple[FieldError, ...] = ()
        self._where = Where("page", service.pages[0].id)
        self._changing = False
        self._exit_from = ""
        self._confirmation: tuple[str, bool] | None = None
        self._told: tuple[str, ...] = ()
        self._lookups = LookupState()
        # Information and result pages passed with Continue (result pages: for which lookup).
        self._continued: dict[str, LookupKey | None] = {}
        self._render = Renderer(self)

    # ----- lookups -------------------------------------------------------------------------

    def request_for(self, page_id: str) -> LookupRequest | None:
        """What page `page_id` must look up with the answers so far (None: it looks nothing up)."""
        spec = self.service.page(page_id).lookup()
        if spec is None:
            return None
        inputs = {name: _as_input(self._answers.get(pid)) for name, pid in spec.inputs.items()}
        return LookupRequest(spec.source, inputs, self.texts.language)

    def loaded(self, page_id: str) -> LookupResult | None:
        """The result for exactly the request the page needs now (language included)."""
        return self._lookups.loaded(page_id, self.request_for(page_id))

    def failure(self, page_id: str) -> UnavailableReason | None:
        """Why the page's current request could not be looked up, if it could not."""
        return self._lookups.failure(page_id, self.request_for(page_id))

    def pending_lookup(self) -> LookupRequest | None:
        """The lookup the current page waits for (None when it waits for nothing, or failed)."""
        if self._where.kind != "page":
            return None
        page_id = self._where.page_id
        request = self.request_for(page_id)
        if request is None or self.loaded(page_id) is not None or self.failure(page_id):
            return None
        return request

    def lookup_done(self, request: LookupRequest, result: LookupResult) -> PageModel:
        """The lookup came back. Ignored unless it answers what the current page waits for."""
        if request != self.pending_lookup():
            return self.current()
        page_id = self._where.page_id
        if self._lookups.store(page_id, request, result):
            self._forget(page_id)  # chosen from a different list: ask again
        self._settle()
        return self.current()

    def lookup_failed(self, request: LookupRequest, reason: UnavailableReason) -> PageModel:
        """The lookup could not be made: show "we cannot look this up", unless stale."""
        if request == self.pending_lookup():
            self._lookups.fail(self._where.page_id, request, reason)
        return self.current()

    def try_again(self) -> PageModel:
        """From "we cannot look this up": wait for the same lookup again."""
        if self._where.kind == "page":
            self._lookups.retry(self._where.page_id)
        return self.current()

    def answer_data(self) -> dict[str, Mapping[str, str]]:
        """The data of the looked-up option each answer on the route chose (a UPRN, a
        position), for the Open311 mapping. For several chosen options, the first's."""
        return self._lookups.data(self.answers())

    def _forget(self, page_id: str) -> None:
        for held in (self._answers, self._accepted_raw, self._raw):
            held.pop(page_id, None)
        self._lookups.forget(page_id)

    # ----- routing -------------------------------------------------------------------------

    def _route(self, page_id: str) -> Where:
        target = self._routed(page_id)
        if target == CHECK and self._has_evidence_page() and page_id != EVIDENCE_SEEN:
            return Where("page", EVIDENCE_SEEN)  # staff's page, passed by unless assisting
        return target

    def _routed(self, page_id: str) -> Where:
        if not self.skipped(page_id):
            for route in self.service.page(page_id).routes:
                if self.holds(route.when):
                    if route.exit is not None:
                        return Where("exit", route.exit)
                    return CHECK if route.goto == CHECK_ANSWERS else Where("page", str(route.goto))
        target = self.service.default_next(page_id)
        return CHECK if target == CHECK_ANSWERS else Where("page", target)

    def passed_by(self, page_id: str) -> bool:
        """A page off the route (`skipped`), or a question whose lookup found nothing: never
        shown, the journey goes on at once."""
        if self.skipped(page_id):
            return True
        page = self.service.page(page_id)
        if page.kind != "question" or page.lookup() is None:
            return False
        found = self._lookups.found(page_id, self.request_for(page_id))
        return found is not None and not found.items

    def asked(self, page_id: str) -> bool:
        """A question on the route with a current answer (what check answers lists)."""
        page = self.service.page(page_id)
        if page.kind != "question" or page_id not in self._answers or self.skipped(page_id):
            return False
        request = self.request_for(page_id)
        if request is None:
            return True
        return (self._answers[page_id] is None
                or self._lookups.chosen(page_id, request) is not None)

    def _done(self, page_id: str) -> bool:
        if self.skipped(page_id):
            return True
        page = self.service.page(page_id)
        if page.kind == "question":
            return self.passed_by(page_id) or self.asked(page_id)
        if page_id not in self._continued:
            return False
        request = self.request_for(page_id)
        return request is None or self._continued[page_id] == lookup_key(request)

    def path(self) -> list[str]:
        """The pages on the resident's route, as far as their answers reach."""
        pages: list[str] = []
        where = Where("page", self.service.pages[0].id)
        while where.kind == "page" and where.page_id not in pages:
            pages.append(where.page_id)
            if not self._done(where.page_id):
                break
            where = self._route(where.page_id)
        return pages

    def _first_gap(self) -> Where:
        """The first page on the route still to do, or check answers when there is none."""
        for page_id in self.path():
            if not self._done(page_id):
                return Where("page", page_id)
        last = self.path()[-1]
        ending = self._route(last)
        return ending if ending.kind == "exit" else CHECK

    def final(self, page_id: str) -> bool:
        """An information or result page that ends a service which sends nothing: its button
        is Finish (the visit ends), not Continue, since there is no check answers to go to."""
        return (not self.service.sends and self.service.page(page_id).kind != "question"
                and self._route(page_id) == CHECK)

    def _advance(self, page_id: str) -> None:
        """On from a page just done: by its routes, or back to check answers when changing.
        A final page stays where it is (a stale Continue): the resident finishes from it."""
        target = self._route(page_id)
        if target == CHECK and not self.service.sends:
            return
        if target.kind == "exit":
            self._exit_from = page_id
            self._where = target
        elif self._changing:
            self._where = self._first_gap()
            self._changing = self._where.kind == "page"
        else:
            self._where = target

    def _settle(self) -> None:
        """Pass by a question whose lookup found nothing: there is nothing to choose, so its
        routes (`when: {result: <page>, empty: true}`) go on at once; and a page off the route
        (`skipped`). On check answers with staff now assisting and their evidence page not
        done, go to it: what they tick is sent only from there."""
        if self._where == CHECK and self._has_evidence_page() \
                and EVIDENCE_SEEN in self.path() and not self._done(EVIDENCE_SEEN):
            self._where = Where("page", EVIDENCE_SEEN)
        seen: set[str] = set()
        while self._where.kind == "page" and self.passed_by(self._where.page_id):
            if self._where.page_id in seen:  # cannot happen in a loop-free catalogue
                raise JourneyError(f"routes loop at {self._where.page_id!r}")
            seen.add(self._where.page_id)
            self._advance(self._where.page_id)

    # ----- intents -------------------------------------------------------------------------

    @property
    def where(self) -> Where:
        return self._where

    def start(self) -> PageModel:
        return self.current()

    def answer(self, page_id: str, raw: RawAnswer) -> PageModel:
        """Continue from a page. A stale tap (another page showing, or the page still
        waiting for its lookup) changes nothing. Information and result pages ignore `raw`."""
        if self._where != Where("page", page_id):
            return self.current()
        page = self.service.page(page_id)
        request = self.request_for(page_id)
        if request is not None and self.loaded(page_id) is None and not self._way_on(page, raw):
            return self.current()
        if page.kind != "question":
            self._continued[page_id] = lookup_key(request) if request is not None else None
            self._advance(page_id)
            self._settle()
            return self.current()
        question = page.question
        self._raw[page_id] = raw
        items = self._items(page)
        allowed = self.types[question.type].own_values() or tuple(v for v, _, _ in items)
        result = self.types[question.type].check(question, page_id, raw,
                                                 CheckContext(self._today(), allowed))
        if not result.ok:
            self._errors = result.errors
            return self.current()
        self._errors = ()
        self._answers[page_id] = result.value
        self._accepted_raw[page_id] = raw
        if request is not None:
            values = result.value if isinstance(result.value, tuple) else (result.value,)
            self._lookups.choose(page_id, request, tuple(v for v in values if v is not None))
        self._advance(page_id)
        self._settle()
        return self.current()

    def _items(self, page: Page) -> tuple[tuple[str, str, str | None], ...]:
        """(value, label, hint) of the options a question offers now (on the staff's evidence
        page: the items that apply, then "None of these")."""
        lang = self.texts.language
        question = page.question
        if page.id == EVIDENCE_SEEN and self._has_evidence_page():
            applying = {item.id for item in self.evidence()}
            return tuple((o.value, o.label.get(lang), o.hint.get(lang) if o.hint else None)
                         for o in question.options
                         if o.value in applying or o is question.options[-1])
        own = self.types[question.type].own_options(self.texts)
        if own:
            return tuple((v, label, None) for v, label in own)
        if question.options_from is not None:
            loaded = self.loaded(page.id)
            found = tuple((i.value, i.label, i.hint) for i in loaded.items) if loaded else ()
            extra = self.types[question.type].extra_options(self.texts)
            return found + tuple((value, label, None) for value, label in extra)
        return tuple((o.value, o.label.get(lang), o.hint.get(lang) if o.hint else None)
                     for o in question.options)

    def _way_on(self, page: Page, raw: RawAnswer) -> bool:
        """One of the type's extra options ("The address is not listed"), chosen on "we
        cannot look this up": open even though the list never came."""
        extra = self.types[page.question.type].extra_options(self.texts) if page.asks else ()
        return self.failure(page.id) is not None and raw in {value for value, _ in extra}

    def back(self) -> PageModel | None:
        """One page back; None when the resident backs out of the first page."""
        self._errors = ()
        where = self._where
        if where.kind == "page":
            # Leaving without Continue keeps nothing typed here: show the saved answer again.
            if where.page_id in self._accepted_raw:
                self._raw[where.page_id] = self._accepted_raw[where.page_id]
            else:
                self._raw.pop(where.page_id, None)
        if where.kind == "page" and self._changing:
            self._changing = False
            self._where = self._first_gap()
        elif where.kind == "page":
            before = self._before(where.page_id)
            if before is None:
                return None
            self._where = before
        elif where.kind == "check_answers":
            self._where = self._shown_at_or_before(self.path()[-1])
        elif where.kind == "exit":
            self._where = self._shown_at_or_before(self._exit_from)
        return self.current()

    def _before(self, page_id: str) -> Where | None:
        """The page shown before `page_id` on the route (pages passed by are skipped)."""
        path = self.path()
        position = path.index(page_id) if page_id in path else 0
        for earlier in reversed(path[:position]):
            if not self.passed_by(earlier):
                return Where("page", earlier)
        return None

    def _shown_at_or_before(self, page_id: str) -> Where:
        if not self.passed_by(page_id):
            return Where("page", page_id)
        return self._before(page_id) or Where("page", self.service.pages[0].id)

    def change(self, page_id: str) -> PageModel:
        """From check answers, reopen one answer; Continue comes back to check answers."""
        if self._where != CHECK or not (page_id in self.path() and self.asked(page_id)):
            raise JourneyError(f"cannot change {page_id!r} from {self._where}")
        self._changing = True
        self._where = Where("page", page_id)
        return self.current()

    def keep_typed(self, page_id: str, raw: RawAnswer) -> None:
        """Hold what is typed on the current page without checking it, so a re-render (new
        text size, colours or language) shows it again exactly as it was."""
        if self._where == Where("page", page_id):
            self._raw[page_id] = raw

    def answers(self) -> dict[str, Answer | None]:
        """The answers on the resident's route (answers on abandoned branches are left out)."""
        return {pid: self._answers[pid] for pid in self.path() if self.asked(pid)}

    def ready_to_submit(self) -> bool:
        return self._where == CHECK and self.service.sends

    def finish(self, reference: str, delivered: bool, told: tuple[str, ...] = ()) -> PageModel:
        """After the outbox has durably accepted the submission: the confirmation page.
        `told`: the ids of the deliveries sent ("tell us once"), which the page lists."""
        if self._where not in (CHECK, DONE):
            raise JourneyError(f"cannot finish from {self._where}")
        self._where = DONE
        self._confirmation = (reference, delivered)
        self._told = told
        return self.current()

    # ----- page models ---------------------------------------------------------------------

    def summary_rows(self) -> tuple[SummaryRow, ...]:
        """The answers so far as check answers shows them (an advisor sees these on a call,
        only when the resident agrees)."""
        return tuple(self._render.rows())

    def current(self) -> PageModel:
        """The page for where the journey is, in the current language (re-render at will).
        Staff arriving or leaving since the last page may have changed the route: a page
        now off it is passed by first."""
        self._settle()
        return self._render.current()

    def display(self, page_id: str) -> str:
        """An answer as words for check answers (and the speech script)."""
        return self._render.display(page_id)

    # What the renderer reads (kept as methods so the state stays private to the engine).

    def raw(self, page_id: str, default: RawAnswer) -> RawAnswer:
        return self._raw.get(page_id, default)

    # What a saved journey keeps (kiosk/journey/snapshot.py): the accepted raw answer, whether
    # a page is done, and the lookup result the route used (in any language).

    def accepted_raw(self, page_id: str) -> RawAnswer | None:
        return self._accepted_raw.get(page_id)

    def done(self, page_id: str) -> bool:
        return self._done(page_id)

    def used_lookup(self, page_id: str) -> LookupResult | None:
        return self._lookups.found(page_id, self.request_for(page_id))

    def items(self, page_id: str) -> tuple[tuple[str, str, str | None], ...]:
        return self._items(self.service.page(page_id))

    def errors(self) -> tuple[FieldError, ...]:
        return self._errors

    def changing(self) -> bool:
        return self._changing

    def confirmation(self) -> tuple[str, bool] | None:
        return self._confirmation

    def told(self) -> tuple[str, ...]:
        """The deliveries the finished submission went to (empty for one destination)."""
        return self._told

    def answer_value(self, page_id: str) -> Answer | None:
        return self._answers.get(page_id)

    def chosen_labels(self, page_id: str) -> dict[str, str]:
        return self._lookups.labels(page_id)

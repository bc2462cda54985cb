"""A booking journey: the journey engine, plus the steps that wait on the council's diary.

The questions (type, site, day, time, name, contact, postcode; or reference and postcode)
are ordinary catalogue pages walked by `JourneyEngine`, with its lookups, routes, Back,
Change and check answers. This subclass adds what a booking needs on top, still with no
I/O and no clock: it says which step it waits for (`pending_step`: hold the chosen time,
confirm it, find a booking, change or cancel it), shows a waiting page meanwhile, and turns
each outcome the terminal hands back (`step_done`) into a page, as `kiosk.bookings.steps`
routes it: a time just taken goes back to the time page with the nearest free times, a
wrong postcode back to the postcode page, the diary down to "we cannot book right now" with a
call back offered, and success to the done page. A booking is done only when the hub says so.

Which pages play which role is the service's `booking:` section (`kiosk.catalogue.booking`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from kiosk.bookings.base import (
    Booked,
    Booking,
    Contact,
    Held,
    HoldExpired,
    Outcome,
    Slot,
    SlotTaken,
)
from kiosk.bookings.steps import (
    WAITING,
    CancelStep,
    ChangeStep,
    ConfirmStep,
    FindStep,
    HoldStep,
    Step,
    route_for,
)
from kiosk.bookings.words import booking_rows, slot_label
from kiosk.catalogue.model import Service
from kiosk.journey.booking_pages import (
    BookingDonePage,
    BookingUnavailablePage,
    BookingWaitingPage,
)
from kiosk.journey.days import local_day
from kiosk.journey.engine import CHECK, JourneyEngine, Where
from kiosk.journey.pages import (
    ErrorView,
    ExitPage,
    InfoPage,
    LookupFailedPage,
    OptionView,
    PageModel,
    QuestionPage,
    ResultPage,
    ResultRow,
)
from kiosk.journey.types import QuestionTypes
from kiosk.journey.validation import RawAnswer
from kiosk.lookups.base import LookupRequest, LookupResult
from kiosk.texts import Texts

DoneKind = Literal["confirmed", "changed", "cancelled"]
HoldKey = tuple[str, str, str]
FindKey = tuple[str, str]


@dataclass(frozen=True)
class Notice:
    """A message on a page the journey sent the resident back to, and the nearest free
    slots to offer there (a time just taken)."""

    page_id: str
    message: str
    nearest: tuple[Slot, ...] = ()
    minutes: str = ""
    """For "we held that time for {minutes} minutes": the profile's hold limit."""


class BookingJourney(JourneyEngine):
    def __init__(self, service: Service, texts: Texts, today: Callable[[], date],
                 types: QuestionTypes | None = None, *, hold_seconds: int = 300,
                 call_back: bool = False) -> None:
        super().__init__(service, texts, today, types)
        spec = service.booking
        if spec is None:
            raise ValueError(f"service {service.id!r} has no booking section")
        self.action = spec.action
        self.roles = spec.pages.named()
        self.hold_seconds = hold_seconds
        self.call_back_offered = call_back and spec.call_back is not None
        # Opaque, per journey: the hub knows this journey's hold by it. Never logged.
        self.holder = secrets.token_urlsafe(24)
        self._held: Held | None = None
        self._held_key: HoldKey | None = None
        self._found: Booking | None = None
        self._found_key: FindKey | None = None
        self._not_found: FindKey | None = None
        self._booked: tuple[Booking, DoneKind] | None = None
        self._printed: bool | None = None
        self._failure: tuple[Step, Outcome] | None = None
        self._notice: Notice | None = None
        self._submitted = False
        self._pick: Slot | None = None
        self._pick_refreshed = False

    # ----- roles and keys ------------------------------------------------------------------

    def page_for(self, role: str) -> str:
        return self.roles.get(role, "")

    def _value(self, role: str) -> str | None:
        page_id = self.roles.get(role)
        value = self.answer_value(page_id) if page_id and self.asked(page_id) else None
        return value if isinstance(value, str) else None

    def _past(self, role: str) -> bool:
        """The resident has answered the role's page and gone on beyond it."""
        page_id = self.roles.get(role)
        path = self.path()
        if not page_id or page_id not in path or not self.asked(page_id):
            return False
        where = self.where
        if where == CHECK:
            return True
        if where.kind != "page" or where.page_id not in path:
            return False
        return path.index(where.page_id) > path.index(page_id)

    def _type_and_site(self) -> tuple[str, str] | None:
        if self.action == "manage":
            found = self._found
            return (found.type, found.site) if found is not None else None
        type_id, site = self._value("type"), self._value("site")
        return (type_id, site) if type_id and site else None

    def _hold_key(self) -> HoldKey | None:
        where, start = self._type_and_site(), self._value("time")
        return (*where, start) if where is not None and start else None

    def _find_key(self) -> FindKey | None:
        reference, postcode = self._value("reference"), self._value("postcode")
        return (reference, postcode) if reference and postcode else None

    def _cancelling(self) -> bool:
        return (self.action == "manage" and self._value("choice") == "cancel"
                and self._value("sure") == "yes")

    def _contact(self) -> Contact:
        name, postcode = self._value("name") or "", self._value("postcode") or ""
        return Contact(name, postcode, self._value("email"), self._value("phone"))

    # ----- which step the journey waits for ------------------------------------------------

    def _wanted(self) -> Step | None:
        """The diary call the journey needs before it can show its next page."""
        if self._booked is not None:
            return None
        language = self.texts.language
        if self.action == "manage":
            key = self._find_key()
            if key is not None and self._past("postcode") and key != self._not_found:
                stale_words = (self._found is not None and self._found.language != language
                               and self.where == Where("page", self.page_for("details")))
                if key != self._found_key or stale_words:
                    return FindStep(*key, language)
        hold = self._hold_key()
        if hold is not None and self._past("time") and hold != self._held_key:
            return HoldStep(*hold, self.holder, self.hold_seconds, language)
        if self.where != CHECK:
            return None
        key = self._find_key()
        if self._cancelling() and key is not None:
            return CancelStep(*key, language)
        if self._submitted and self._held is not None:
            if self.action == "book":
                return ConfirmStep(self._held.hold, self.holder, self._contact(), language)
            if key is not None:
                return ChangeStep(*key, self._held.hold, self.holder, language)
        return None

    def pending_step(self) -> Step | None:
        """The step to run now (None while its failure is shown, or when none is wanted)."""
        step = self._wanted()
        if step is None or (self._failure is not None and self._failure[0] == step):
            return None
        return step

    def wanted_hold(self) -> str | None:
        """The hold this journey still needs (the terminal releases any other it holds)."""
        if self._held is None or self._booked is not None:
            return None
        if self._held_key != self._hold_key() or not self._past("time"):
            return None
        return self._held.hold

    def submit(self) -> bool:
        """Book (or move) the held time, from check answers. False when not there."""
        if self.where != CHECK or self._booked is not None or self._cancelling():
            return False
        self._submitted = True
        return True

    def step_done(self, step: Step, outcome: Outcome) -> bool:
        """The diary answered `step`. False when the journey no longer waits for it (the
        resident went back meanwhile): a hold it brings must then be released."""
        if self._booked is not None or step != self.pending_step():
            return False
        self._failure = None
        if isinstance(outcome, Held) and isinstance(step, HoldStep):
            self._held, self._held_key = outcome, (step.type, step.site, step.start)
        elif isinstance(outcome, Booked) and isinstance(step, FindStep):
            self._found, self._found_key = outcome.booking, (step.reference, step.postcode)
        elif isinstance(outcome, Booked) and not isinstance(step, HoldStep):
            kind: DoneKind = ("confirmed" if isinstance(step, ConfirmStep) else
                              "changed" if isinstance(step, ChangeStep) else "cancelled")
            self._booked = (outcome.booking, kind)
            self._held = None
        else:
            self._went_wrong(step, outcome)
        return True

    def _went_wrong(self, step: Step, outcome: Outcome) -> None:
        route = route_for(step, outcome)
        if route.to != "page":
            self._failure = (step, outcome)
            return
        nearest = outcome.nearest if isinstance(outcome, SlotTaken | HoldExpired) else ()
        if route.role == "time":
            # The hold is gone (or was never made): forget it, look the days up afresh when
            # the resident goes back to them (their free counts changed), and offer the
            # nearest free slots on the time page.
            self._held, self._held_key, self._submitted = None, None, False
            self._lookups.drop(self.page_for("day"))
        else:
            key = self._find_key()
            self._not_found = key
        self._back_to(route.role)
        minutes = str(max(1, round(self.hold_seconds / 60)))
        self._notice = Notice(self.page_for(route.role), route.message, nearest, minutes)

    def _back_to(self, role: str) -> None:
        """Put the resident on the role's page: from check answers as a change (so Continue
        comes back to check answers), otherwise back along the route."""
        page_id = self.page_for(role)
        if self.where == CHECK and page_id in self.path() and self.asked(page_id):
            super().change(page_id)
            return
        for _ in range(len(self.service.pages) + 1):
            if self.where == Where("page", page_id) or not self._past(role):
                return
            if super().back() is None:
                return

    def printed(self, ok: bool) -> None:
        """The printer's answer for the done page."""
        self._printed = ok

    def done_booking(self) -> Booking | None:
        return self._booked[0] if self._booked is not None else None

    def postcode(self) -> str:
        return self._value("postcode") or ""

    # ----- intents -------------------------------------------------------------------------

    def answer(self, page_id: str, raw: RawAnswer) -> PageModel:
        if self._booked is not None or self._wanted() is not None:
            return self.current()
        notice = self._notice
        if (notice is not None and notice.nearest and page_id == notice.page_id
                and self.where == Where("page", page_id)):
            chosen = next((s for s in notice.nearest if s.start == raw), None)
            if chosen is not None:
                return self._choose_nearest(chosen)
        super().answer(page_id, raw)
        if self.action == "manage" and self._find_key() == self._not_found \
                and self._not_found is not None and self._past("postcode"):
            # The same reference and postcode again: say so again, without a wasted try.
            self._back_to("postcode")
            self._notice = Notice(self.page_for("postcode"), "booking.error.not_found")
        self._tidy()
        return self.current()

    def _choose_nearest(self, slot: Slot) -> PageModel:
        """A nearest free slot, perhaps on another day: answer the day (when it differs) and
        then the time, each once its options are looked up, so the answers stay true."""
        self._notice = None
        self._pick, self._pick_refreshed = slot, False
        day_page = self.page_for("day")
        if self._value("day") != local_day(slot.start):
            super().back()
            if self.where != Where("page", day_page):
                self._pick = None
                return self.current()
        self._continue_pick()
        return self.current()

    def _continue_pick(self) -> None:
        pick = self._pick
        if pick is None:
            return
        day_page, time_page = self.page_for("day"), self.page_for("time")
        if self.where == Where("page", day_page) and self.loaded(day_page) is not None:
            super().answer(day_page, local_day(pick.start))
        offered = self.loaded(time_page) if self.where == Where("page", time_page) else None
        if offered is not None:
            if any(i.value == pick.start for i in offered.items):
                self._pick = None
                super().answer(time_page, pick.start)
            elif not self._pick_refreshed:
                # The day's times were looked up before this slot was free: ask again.
                self._pick_refreshed = True
                self._lookups.drop(time_page)
            else:
                self._pick = None
                self._notice = Notice(time_page, "booking.error.slot_taken")
        elif self.where not in (Where("page", day_page), Where("page", time_page)):
            self._pick = None  # the day's times were none after all: its exit page shows

    def lookup_done(self, request: LookupRequest, result: LookupResult) -> PageModel:
        super().lookup_done(request, result)
        self._continue_pick()
        self._tidy()
        return self.current()

    def back(self) -> PageModel | None:
        self._pick = None
        if self._booked is not None:
            return self.current()
        step = self._wanted()
        failed = self._failure is not None and step is not None and self._failure[0] == step
        if step is not None and not failed and not WAITING[step.name][1]:
            return self.current()  # a booking being made, moved or cancelled: wait for it
        self._failure = None
        if isinstance(step, ConfirmStep | ChangeStep):
            self._submitted = False
        elif isinstance(step, HoldStep):
            self._back_to("time")
        elif isinstance(step, FindStep):
            self._back_to("postcode")
        else:
            if super().back() is None:
                return None
        self._tidy()
        return self.current()

    def change(self, page_id: str) -> PageModel:
        if self._booked is not None or self._wanted() is not None:
            return self.current()
        super().change(page_id)
        self._tidy()
        return self.current()

    def try_again(self) -> PageModel:
        if self._failure is not None:
            self._failure = None
            return self.current()
        return super().try_again()

    def pending_lookup(self) -> LookupRequest | None:
        if self._booked is not None or self._wanted() is not None:
            return None
        return super().pending_lookup()

    def request_for(self, page_id: str) -> LookupRequest | None:
        """Changing a booking keeps its type and site: the day and time lookups are asked
        for the found booking's, which no question of the journey asks."""
        request = super().request_for(page_id)
        if (request is None or self.action != "manage"
                or page_id not in (self.page_for("day"), self.page_for("time"))):
            return request
        found = self._found
        if found is None:
            return request
        return replace(request, inputs={**request.inputs, "type": found.type, "site": found.site})

    def _tidy(self) -> None:
        """Drop what no longer applies where the resident now is."""
        notice = self._notice
        if notice is not None and self.where != Where("page", notice.page_id):
            self._notice = None
        if self.where != CHECK:
            self._submitted = False
        if self._held is not None and self.wanted_hold() is None:
            # Gone back before the time, or chose another: the terminal releases it, and the
            # same time chosen again is held afresh.
            self._held, self._held_key = None, None
        if self._failure is not None and self._failure[0] != self._wanted():
            self._failure = None

    # ----- page models ---------------------------------------------------------------------

    def current(self) -> PageModel:
        done = self._booked
        if done is not None:
            return self._done_page(*done)
        step = self._wanted()
        service_title = self.service.title.get(self.texts.language)
        t = self.texts
        if step is not None:
            failure = self._failure
            if failure is not None and failure[0] == step:
                return self._failed_page(step, failure[1], service_title)
            title, can_go_back = WAITING[step.name]
            return BookingWaitingPage(step.name, service_title, t(title),
                                      t("booking.waiting.hint"), can_go_back)
        return self._decorate(super().current())

    def _failed_page(self, step: Step, outcome: Outcome, service_title: str) -> PageModel:
        t = self.texts
        route = route_for(step, outcome)
        if route.to == "stop":
            return ExitPage("too_many_tries", service_title, t(f"{route.message}.title"),
                            t(f"{route.message}.body"))
        return self._unavailable(step.name, service_title)

    def _unavailable(self, page_id: str, service_title: str) -> BookingUnavailablePage:
        t = self.texts
        body = t("booking.unavailable.body") + (
            " " + t("booking.unavailable.call_back") if self.call_back_offered else "")
        return BookingUnavailablePage(
            page_id, service_title, t("booking.unavailable.title"), body,
            t("lookup.failed.staff"),
            t("booking.call_back") if self.call_back_offered else None)

    def _decorate(self, page: PageModel) -> PageModel:
        if isinstance(page, LookupFailedPage):
            return self._unavailable(page.page_id, page.service_title)
        if isinstance(page, InfoPage) and page.page_id == self.page_for("details"):
            return self._details(page)
        if not isinstance(page, QuestionPage):
            return page
        if page.page_id == self.page_for("day"):
            page = self._with_free_counts(page)
        notice = self._notice
        if notice is None or notice.page_id != page.page_id:
            return page
        words = (self.texts(notice.message, minutes=notice.minutes) if notice.minutes
                 else self.texts(notice.message))
        error = ErrorView(page.page_id, words)
        if not notice.nearest:
            return replace(page, errors=(error, *page.errors))
        options = tuple(OptionView(s.start, slot_label(s, self.texts), None, False)
                        for s in notice.nearest)
        hint = self.texts("booking.nearest.hint")
        return replace(page, options=options, hint=hint, value="",
                       errors=(error, *page.errors))

    def _with_free_counts(self, page: QuestionPage) -> QuestionPage:
        """Each day says how many times are free (the source's `free`)."""
        loaded = self.loaded(page.page_id)
        free = {i.value: i.data.get("free", "") for i in loaded.items} if loaded else {}

        def hint(value: str, given: str | None) -> str | None:
            count = free.get(value, "")
            if not count.isdigit():
                return given
            return self.texts("booking.day.free_one") if count == "1" else self.texts(
                "booking.day.free", count=count)

        return replace(page, options=tuple(replace(o, hint=hint(o.value, o.hint))
                                           for o in page.options))

    def _details(self, page: InfoPage) -> PageModel:
        found = self._found
        if found is None:  # cannot happen: the page follows the find
            return page
        rows = tuple(ResultRow(r.label, r.detail)
                     for r in booking_rows(found, self.texts, with_reference=True))
        return ResultPage(page.page_id, page.service_title, page.title, page.body, rows,
                          "", final=False, printable=False)

    def done_words(self, texts: Texts, kind: str) -> tuple[str, str]:
        """The done page's title and what happens next, in `texts`' language (the printout
        may be in another language than the screen)."""
        lang = texts.language
        confirmation = self.service.confirmation
        assert confirmation is not None  # a booking service has one (kiosk.catalogue)
        if kind == "cancelled":
            return texts("booking.done.cancelled"), texts("booking.done.cancelled_next")
        # Booked (a booking service) or moved (a manage service): its own confirmation's words.
        return confirmation.title.get(lang), confirmation.next_steps.get(lang)

    def _done_page(self, booking: Booking, kind: DoneKind) -> BookingDonePage:
        t = self.texts
        title, next_steps = self.done_words(t, kind)
        return BookingDonePage(self.service.title.get(t.language), title, booking.reference,
                               booking_rows(booking, t, with_reference=False), next_steps,
                               booking.reference, self._printed, kind)


def journey_for(service: Service, texts: Texts, today: Callable[[], date], *,
                hold_seconds: int, offered: Collection[str],
                assisted: Callable[[], bool] | None = None) -> JourneyEngine:
    """The engine for a service: a booking journey for a service with a `booking:` section
    (offering its call back when `offered` holds that service), the plain engine otherwise."""
    spec = service.booking
    if spec is None:
        return JourneyEngine(service, texts, today, assisted=assisted)
    return BookingJourney(service, texts, today, hold_seconds=hold_seconds,
                          call_back=spec.call_back in offered)

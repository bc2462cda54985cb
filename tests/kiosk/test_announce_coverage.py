"""Speech coverage (checklist CF-02): every page of every shipped service says all it shows.

Every route of every service is walked with the real engine: each question page blank, with
errors, and showing saved answers (reached with Back), check answers, every exit page and the
confirmation page. For each page the texts the renderer in `ui/pages/` shows are listed here
independently of `kiosk.announce`, in page order with the buttons last, and must appear in
the speech script in that order. Personal answers must be absent unless the resident chose
to hear them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pytest

import kiosk
from accessibility.languages import LANGUAGES, Translator
from accessibility.speech import Utterance
from kiosk.announce import (
    attract_script,
    menu_script,
    script_for,
    speakable,
    spell,
    welcome_script,
)
from kiosk.bookings.base import (
    Booked,
    Booking,
    Held,
    HoldExpired,
    NotFound,
    Outcome,
    Slot,
    SlotTaken,
    TooManyTries,
    Unavailable,
)
from kiosk.bookings.journey import BookingJourney, journey_for
from kiosk.catalogue import Service
from kiosk.catalogue.model import EVIDENCE_SEEN
from kiosk.journey.booking_pages import BookingDonePage, BookingUnavailablePage, BookingWaitingPage
from kiosk.journey.days import day_layout
from kiosk.journey.engine import CHECK, JourneyEngine
from kiosk.journey.pages import (
    CheckAnswersPage,
    ConfirmationPage,
    ExitPage,
    InfoPage,
    LookupFailedPage,
    PageModel,
    QuestionPage,
    ResultPage,
    WaitingPage,
)
from kiosk.journey.types.address import NOT_LISTED, AddressParts
from kiosk.journey.validation import YES_NO, DateParts, RawAnswer
from kiosk.lookups.base import LookupItem, LookupResult
from kiosk.profile import load_profile

TODAY = date(2026, 11, 23)
TEXTS = Translator(strict=True)
CATALOGUE = load_profile(Path(kiosk.__file__).parent / "demo" / "profile.yaml").catalogue
REFERENCE = "LR3386LF"

# Distinctive answers, so a personal one found in speech cannot be a coincidence (none of
# them is a page's example: hints say "DE1 2AB", "07700 900 982" and "14 or Rose Cottage").
GOOD_TEXT = {
    "text": "Ivy Lodge", "textarea": "Left by the gate\nnear lamp post 7",
    "number": "3", "email": "ann@example.org", "phone": "07700 900123", "postcode": "NG7 2RD",
    "reference": "lr33 86lf", "booking_reference": "bk-4f7k 2qxd", "address": "DE99 1AB",
    "ni_number": "jk 12 34 56 c",
}
BAD_TEXT = {
    "text": "x" * 101, "textarea": "x" * 1201, "number": "many", "email": "nope",
    "phone": "12", "postcode": "nope", "reference": "nope", "booking_reference": "nope",
    "address": "nope", "ni_number": "QQ 12 34 56 C",
}
# What lookups answer on the walk, per source: each variant is a branch (rows, or none).
MOVED = {"bin": "general", "colour": "green", "every_weeks": "2", "next": "2026-12-24",
         "next_usual": "2026-12-25", "next_moved": "true", "then": "2027-01-08",
         "then_usual": "2027-01-08", "then_moved": "false"}
OUTSIDE_AREA = "990000009002"  # in the council's list, across the boundary
LOOKED_UP: dict[str, tuple[tuple[LookupItem, ...], ...]] = {
    "addresses": (
        (LookupItem("990000001001", "1 Library Lane, Demo Town, DE99 1AB", None,
                    {"uprn": "990000001001", "lat": "52.60012", "long": "-1.47021"}),
         LookupItem("990000001002", "Rose Cottage, Library Lane, Demo Town, DE99 1AB"),
         LookupItem(OUTSIDE_AREA, "2 Border Lane, Other Town, DE99 9XA", None,
                    {"uprn": OUTSIDE_AREA, "in_area": "no"})),
        (),
    ),
    "bin-collections": (
        (LookupItem("general", "Green bin – general waste", None, MOVED),
         LookupItem("food", "Brown caddy – food waste", "Friday 1 January",
                    {"bin": "food", "colour": "brown"})),
        (),
    ),
    "request-status": (
        (LookupItem("status", "Status", "In progress"),
         LookupItem("reference", "Reference", "LR33 86LF"),
         LookupItem("notes", "Notes from the council", "Crew booked for Tuesday 3 March")),
        (),
    ),
}
SLOT = "2026-11-30T10:00:00+00:00"
LOOKED_UP.update({
    "appointment-types": ((LookupItem("housing-advice", "Housing advice", "Talk to an adviser.",
                                      {"minutes": "30", "bring": "Your tenancy agreement."}),),
                          ()),
    "appointment-sites": ((LookupItem("central-library", "Central Library",
                                      "1 Library Square, Demo Town, DE99 1AA"),), ()),
    "appointment-days": ((LookupItem("2026-11-30", "Monday 30 November", None,
                                     {"date": "2026-11-30", "free": "6", "weekday": "0"}),
                          LookupItem("2026-12-01", "Tuesday 1 December", None,
                                     {"date": "2026-12-01", "free": "1", "weekday": "1"})), ()),
    "appointment-times": ((LookupItem(SLOT, "10:00", None, {"start": SLOT}),
                           LookupItem("2026-11-30T10:30:00+00:00", "10:30")), ()),
})
BOOKING = Booking("BK-4F7K-2QXD", "confirmed", "housing-advice", "Housing advice",
                  "central-library", "Central Library", "1 Library Square, Demo Town, DE99 1AA",
                  SLOT, "2026-11-30T10:30:00+00:00", "Your tenancy agreement.", False)
NEAREST = (Slot("2026-11-30T10:30:00+00:00", "2026-11-30T11:00:00+00:00", "10:30",
                "Monday 30 November"),)
# What the council's diary answers each step with on the walk: success first, then each
# way it can go wrong (a way is walked once per route, so a route always ends).
STEPPED: dict[str, tuple[Outcome, ...]] = {
    "hold": (Held("h1", "2026-11-23T10:05:00+00:00", BOOKING), SlotTaken(NEAREST),
             Unavailable("unreachable")),
    "confirm": (Booked(BOOKING), HoldExpired(NEAREST), Unavailable("timeout")),
    "find": (Booked(BOOKING), NotFound(), TooManyTries(), Unavailable("unreachable")),
    "change": (Booked(BOOKING), SlotTaken(NEAREST)),
    "cancel": (Booked(replace(BOOKING, status="cancelled")), Unavailable("unreachable")),
}
LOOKUP_STEP = "@lookup"
BOOKING_STEP = "@step"
SUBMIT_STEP = "@submit"
YESTERDAY = TODAY - timedelta(days=1)
CHOICES = ("radios", "yes_no", "checkboxes", "day", "address_list")
TYPED_ADDRESS = AddressParts("Flat 3, The Old Mill", "Mill Lane", "Demo Town", "DE99 9ZZ")

Step = tuple[str, RawAnswer]


@dataclass(frozen=True)
class Seen:
    """A page as shown, and how to get there again (for the failure message)."""

    service: Service
    steps: tuple[Step, ...]
    page: PageModel


def engine_after(service: Service, steps: Sequence[Step],
                 texts: Translator = TEXTS) -> JourneyEngine:
    engine = journey_for(service, texts, lambda: TODAY, hold_seconds=300,
                         offered={s.id for s in CATALOGUE})
    engine.start()
    for page_id, raw in steps:
        if page_id == LOOKUP_STEP:  # the council answers the waiting page with variant `raw`
            waiting = engine.current()
            assert isinstance(waiting, WaitingPage)
            source = waiting.request.source
            engine.lookup_done(waiting.request,
                               LookupResult(source, LOOKED_UP[source][int(str(raw))]))
        elif page_id == BOOKING_STEP:  # the diary answers the step with variant `raw`
            assert isinstance(engine, BookingJourney)
            step = engine.pending_step()
            assert step is not None
            assert engine.step_done(step, STEPPED[step.name][int(str(raw))])
        elif page_id == SUBMIT_STEP:
            assert isinstance(engine, BookingJourney)
            assert engine.submit()
        else:
            engine.answer(page_id, raw)
    return engine


def answers_for(service: Service, page_id: str, page: QuestionPage) -> list[RawAnswer]:
    """One accepted answer per branch the page can take (every option of a choice); for
    options looked up (or offered instead of a time just taken), the first."""
    question = service.page(page_id).question
    if question.type == "address_list":  # one address found, or "not listed"
        chosen = [LOOKED_UP["addresses"][0][0].value, NOT_LISTED]
        # and one outside the area, where a route asks (`inside_area`: the bus pass)
        if any(r.when.computed for r in service.page(page_id).routes):
            chosen.append(OUTSIDE_AREA)
        return chosen
    if question.type == "address_manual":
        return [TYPED_ADDRESS]
    if question.options_from is not None or question.type == "day":
        return [page.options[0].value]
    if question.type in ("radios", "yes_no"):
        return [o.value for o in question.options] or list(YES_NO)
    if question.type == "checkboxes":  # two, every one (each may open its own pages), and
        every = tuple(o.value for o in question.options)  # the last alone ("None of these")
        return [every[:2], every, every[-1:]] if len(every) > 2 else [every]
    if question.type == "date":
        yesterday = DateParts(str(YESTERDAY.day), str(YESTERDAY.month), str(YESTERDAY.year))
        # A date that routes (a date of birth -> state pension age) takes a long-ago one too.
        routed = bool(service.page(page_id).routes) and question.rules.max_days_ago is None
        return [yesterday, DateParts("24", "6", "1947")] if routed else [yesterday]
    return [GOOD_TEXT[question.type]]


def wrong_answer(service: Service, page_id: str) -> RawAnswer:
    """An answer the page refuses: empty when required, else one that breaks a rule."""
    question = service.page(page_id).question
    if question.type == "address_manual":
        return AddressParts()
    if not question.optional:
        return () if question.type == "checkboxes" else DateParts() if question.type == "date" else ""
    if question.type == "date":
        return DateParts("32", "13", str(TODAY.year))
    return BAD_TEXT[question.type]


def walk(service: Service, texts: Translator = TEXTS) -> Iterator[Seen]:
    """Depth first over every branch; at each question page also its error and Back views."""
    stack: list[tuple[Step, ...]] = [()]
    while stack:
        steps = stack.pop()
        engine = engine_after(service, steps, texts)
        page = engine.current()
        yield Seen(service, steps, page)
        if isinstance(page, QuestionPage):
            broken = engine_after(service, steps, texts)
            shown = broken.answer(page.page_id, wrong_answer(service, page.page_id))
            assert isinstance(shown, QuestionPage)
            assert shown.errors, f"{service.id}/{page.page_id} accepted a wrong answer"
            yield Seen(service, steps, shown)
            for raw in answers_for(service, page.page_id, page):
                # The same answer again changes nothing (a booking not found stays so).
                if (page.page_id, raw) not in steps:
                    stack.append((*steps, (page.page_id, raw)))
        elif isinstance(page, InfoPage | ResultPage) and not page.final:
            stack.append((*steps, (page.page_id, "")))
        elif isinstance(page, WaitingPage):
            for variant in range(len(LOOKED_UP.get(page.request.source, ()))):
                stack.append((*steps, (LOOKUP_STEP, str(variant))))
        elif isinstance(page, BookingWaitingPage):
            # Each way the step can go wrong once per route, then only success.
            wrong_before = sum(1 for p, raw in steps if p == BOOKING_STEP and raw != "0")
            variants = range(len(STEPPED[page.page_id])) if wrong_before < 2 else range(1)
            for variant in variants:
                stack.append((*steps, (BOOKING_STEP, str(variant))))
        elif isinstance(page, CheckAnswersPage) and service.booking is not None:
            stack.append((*steps, (SUBMIT_STEP, "")))
            back = engine_after(service, steps, texts)
            shown_back = back.back()
            while shown_back is not None and not isinstance(shown_back, BookingWaitingPage):
                yield Seen(service, steps, shown_back)
                shown_back = back.back()
        elif isinstance(page, CheckAnswersPage):
            for delivered in (True, False):
                done = engine_after(service, steps, texts)
                yield Seen(service, steps, done.finish(REFERENCE, delivered))
            # Back through the route: every question page showing its saved answer.
            back = engine_after(service, steps, texts)
            shown_back = back.back()
            while shown_back is not None:
                yield Seen(service, steps, shown_back)
                shown_back = back.back()


def all_pages() -> list[Seen]:
    return [seen for service in CATALOGUE for seen in walk(service)]


PAGES = all_pages()


def page_id(seen: Seen) -> str:
    page = seen.page
    name = getattr(page, "page_id", page.kind)
    extra = ""
    if isinstance(page, QuestionPage):
        extra = "-errors" if page.errors else ("-value" if page.value not in ("", (), DateParts())
                                               else "")
    if isinstance(page, ConfirmationPage):
        extra = "-sent" if page.delivered else "-queued"
    if isinstance(page, BookingDonePage):
        extra = f"-{page.outcome}"
    return f"{seen.service.id}/{name}{extra}"


def unique(pages: list[Seen]) -> list[Seen]:
    """One representative per distinct page model (many routes show the same page)."""
    seen: dict[PageModel, Seen] = {}
    for item in pages:
        seen.setdefault(item.page, item)
    return list(seen.values())


CASES = unique(PAGES)


# ----- what each page shows, derived from the page model and ui/pages ----------------------

@dataclass(frozen=True)
class Shown:
    text: str
    value: bool = False  # a resident's answer: may be spelled out, so compared loosely
    personal: bool = False


def squash(text: str) -> str:
    return "".join(text.split()).casefold()


def value_lines(value: str) -> list[str]:
    return [line for line in value.splitlines() if line.strip()]


def shown_on(page: PageModel, *, printed: bool = True, t: Translator = TEXTS) -> list[Shown]:
    """The text items the renderer shows, in page order, with the buttons moved last."""
    if isinstance(page, QuestionPage):
        items: list[Shown] = []
        if page.errors:
            items.append(Shown(t("question.error_summary")))
            items += [Shown(e.message) for e in page.errors]
        items.append(Shown(page.service_title))
        items.append(Shown(t("question.optional", label=page.title) if page.optional
                           else page.title))
        if page.hint:
            items.append(Shown(page.hint))
        items += [Shown(e.message) for e in page.errors]
        if page.qtype == "day":  # tiles in week rows: the months as they begin, each day
            for week in day_layout(page.options, t.language).weeks:
                items += [Shown(week.heading)] if week.heading else []
                for tile in week.tiles:
                    if tile is not None:
                        items += [Shown(tile.label), *([Shown(tile.hint)] if tile.hint else [])]
                        if tile.selected:
                            items.append(Shown(t("speech.selected"), personal=page.personal))
        options = () if page.qtype == "day" else page.options
        for n, option in enumerate(options, start=1):
            if page.qtype == "address_list" and n == len(options) > 1:
                items.append(Shown(t("address.or")))  # set apart: "The address is not listed"
            items.append(Shown(option.label))
            if option.selected:  # the ticked state, which speech says in words
                items.append(Shown(t("speech.selected"), personal=page.personal))
            if option.hint:  # radios and checkboxes alike (one choice widget)
                items.append(Shown(option.hint))
        if page.qtype == "date":
            parts = page.value if isinstance(page.value, DateParts) else DateParts()
            for part in ("day", "month", "year"):
                items.append(Shown(t(f"date.{part}")))
                entered = getattr(parts, part)
                if entered:
                    items.append(Shown(entered, value=True, personal=page.personal))
        if page.qtype == "address_manual":
            parts = page.value if isinstance(page.value, AddressParts) else AddressParts()
            for name, entered in zip(parts._fields, parts, strict=True):
                items.append(Shown(t(f"address.field.{name}")))
                if entered:
                    items.append(Shown(entered, value=True, personal=page.personal))
        if page.qtype == "textarea" and page.max_length:
            items.append(Shown(t("question.characters_left", max=str(page.max_length))))
        if page.qtype not in CHOICES and isinstance(page.value, str) and page.value.strip():
            items += [Shown(line.strip(), value=True, personal=page.personal)
                      for line in value_lines(page.value)]
        return [*items, Shown(t("nav.back")), Shown(t("nav.continue"))]
    if isinstance(page, CheckAnswersPage):
        items = [Shown(page.service_title), Shown(page.title)]
        for row in page.rows:
            items.append(Shown(row.label))
            items += [Shown(line, value=True, personal=row.personal)
                      for line in value_lines(row.value)]
            items.append(Shown(t("nav.change")))
        return [*items, Shown(t("nav.back")), Shown(page.submit_label)]
    onward = Shown(t("nav.finish" if getattr(page, "final", False) else "nav.continue"))
    if isinstance(page, InfoPage):
        return [Shown(page.service_title), Shown(page.title), Shown(page.body),
                Shown(t("nav.back")), onward]
    if isinstance(page, ResultPage):
        items = [Shown(page.service_title), Shown(page.title)]
        if page.hint:
            items.append(Shown(page.hint))
        if not page.rows:
            items.append(Shown(page.empty_text))
        for row in page.rows:
            items.append(Shown(row.label))
            if row.detail:  # a detail may hold a code (a reference), spelled out, and lines
                items += [Shown(line, value=True) for line in value_lines(row.detail)]
        printing = [Shown(t("result.print"))] if page.printable else []
        offer = [Shown(page.offer)] if page.offer else []
        return [*items, Shown(t("nav.back")), *printing, *offer, onward]
    if isinstance(page, WaitingPage):
        return [Shown(page.service_title), Shown(page.title), Shown(page.hint),
                Shown(t("nav.back"))]
    if isinstance(page, LookupFailedPage):
        return [Shown(page.service_title), Shown(page.title), Shown(page.body),
                Shown(page.staff_hint), Shown(t("lookup.try_again")),
                *(Shown(option.label) for option in page.ways_on), Shown(t("lookup.go_back"))]
    if isinstance(page, ExitPage):
        return [Shown(page.service_title), Shown(page.title), Shown(page.body),
                Shown(t("exit.start_again_hint")), Shown(t("nav.back")),
                Shown(t("nav.start_again"))]
    if isinstance(page, BookingWaitingPage):
        back = [Shown(t("nav.back"))] if page.can_go_back else []
        return [Shown(page.service_title), Shown(page.title), Shown(page.hint), *back]
    if isinstance(page, BookingUnavailablePage):
        call_back = [Shown(page.call_back)] if page.call_back else []
        return [Shown(page.service_title), Shown(page.title), Shown(page.body),
                Shown(page.staff_hint), *call_back, Shown(t("lookup.try_again")),
                Shown(t("lookup.go_back"))]
    if isinstance(page, BookingDonePage):
        items = [Shown(page.title), Shown(t("booking.done.reference")),
                 Shown(page.reference.replace("-", ""), value=True)]  # spelled, dashes left out
        for row in page.rows:
            items += [Shown(row.label), *(Shown(line, value=True) for line in value_lines(row.detail))]
        items += [Shown(t("booking.done.qr_hint")), Shown(t("confirmation.next_steps_label")),
                  Shown(page.next_steps)]
        printing = [Shown(t("result.print"))] if page.printed is not True else []
        return [*items, *printing, Shown(t("nav.finish"))]
    assert isinstance(page, ConfirmationPage)
    return [
        Shown(page.title), Shown(t("confirmation.reference_label")),
        Shown(page.reference, value=True),
        Shown(t("confirmation.sent" if page.delivered else "confirmation.queued")),
        Shown(t("confirmation.receipt_printed" if printed else "confirmation.receipt_failed")),
        Shown(t("confirmation.next_steps_label")), Shown(page.next_steps),
        Shown(t("confirmation.finish_hint")), Shown(t("nav.finish")),
    ]


def said(utterance: Utterance, item: Shown) -> bool:
    if item.value:
        return squash(item.text) in squash(utterance.text)
    return item.text in utterance.text


def assert_covers(script: list[Utterance], items: list[Shown], *, read_personal: bool,
                  where: str, t: Translator = TEXTS) -> None:
    """Each shown item is said, in order (an utterance may carry several), or hidden."""
    position = 0
    for item in items:
        if item.personal and not read_personal:
            assert not any(said(u, item) for u in script), f"{where}: said personal {item.text!r}"
            continue
        found = next((i for i in range(position, len(script)) if said(script[i], item)), None)
        assert found is not None, (
            f"{where}: {item.text!r} not said after utterance {position}:\n"
            + "\n".join(f"  {i}. [{u.item}] {u.text}" for i, u in enumerate(script))
        )
        position = found
    if not read_personal and any(i.personal for i in items):
        assert any(u.text == t("speech.personal_hidden") for u in script), where


# ----- the tests ---------------------------------------------------------------------------

def test_the_walk_reaches_every_page_of_every_service() -> None:
    kinds = {(s.service.id, type(s.page).__name__) for s in CASES}
    for service in CATALOGUE:
        reached = {getattr(s.page, "page_id", None) for s in CASES if s.service is service}
        # The staff's evidence page is on the route only while staff assist (not on this walk).
        assert {p.id for p in service.pages} - {EVIDENCE_SEEN} <= reached, service.id
        assert {e.id for e in service.exits} <= reached, service.id
        ends = (("CheckAnswersPage", "BookingDonePage") if service.booking is not None
                else ("CheckAnswersPage", "ConfirmationPage") if service.sends else ("ResultPage",))
        for kind in ("QuestionPage", *ends):
            assert (service.id, kind) in kinds
    assert any(isinstance(s.page, QuestionPage) and s.page.errors for s in CASES)
    assert any(isinstance(s.page, QuestionPage) and s.page.personal and s.page.value
               for s in CASES)


@pytest.mark.parametrize("read_personal", [False, True], ids=["private", "read-personal"])
@pytest.mark.parametrize("seen", CASES, ids=[page_id(s) for s in CASES])
def test_script_says_everything_the_page_shows_in_order(seen: Seen, read_personal: bool) -> None:
    for printed in (True, False) if isinstance(seen.page, ConfirmationPage) else (True,):
        script = script_for(seen.page, TEXTS, read_personal=read_personal, printed=printed)
        assert script, page_id(seen)
        assert all(u.text.strip() and u.language == "en" and u.item for u in script)
        assert_covers(script, shown_on(seen.page, printed=printed),
                      read_personal=read_personal, where=f"{page_id(seen)} via {seen.steps}")


@pytest.mark.parametrize("code", [lang.code for lang in LANGUAGES])
def test_every_language_says_everything_its_pages_show(code: str) -> None:
    """The same check in each kiosk language, where a translation may word the error summary
    and the reference differently from the sentences that speech builds around them."""
    texts = Translator(code)
    service = CATALOGUE.service("missed-bin")
    for seen in unique(list(walk(service, texts))):
        for read_personal in (False, True):
            script = script_for(seen.page, texts, read_personal=read_personal, printed=True)
            assert {u.language for u in script} == {code}
            assert_covers(script, shown_on(seen.page, t=texts), read_personal=read_personal,
                          where=f"{code}: {page_id(seen)}", t=texts)


def question_pages_with_errors() -> list[Seen]:
    return [s for s in CASES if isinstance(s.page, QuestionPage) and s.page.errors]


@pytest.mark.parametrize("seen", question_pages_with_errors(),
                         ids=[page_id(s) for s in question_pages_with_errors()])
def test_errors_come_first_and_name_their_field(seen: Seen) -> None:
    page = seen.page
    assert isinstance(page, QuestionPage)
    script = script_for(page, TEXTS, read_personal=False)
    question = seen.service.page(page.page_id).question
    firsts = script[:len(page.errors)]
    for error, utterance in zip(page.errors, firsts, strict=True):
        assert utterance.item == f"error:{error.field}"
        assert utterance.text == TEXTS("speech.error", message=error.message)
        assert error.field == page.page_id or error.field.startswith(f"{page.page_id}-")
    # An empty required answer gets the question's own wording, never the generic one (after
    # any message a booking journey put there: a time just taken, a booking not found).
    required = question.errors.get("required")
    notices = {TEXTS(k, minutes="5") for k in ("booking.error.slot_taken",
                                               "booking.error.hold_expired",
                                               "booking.error.not_found")}
    own = [u for u in firsts if not any(u.text.endswith(n) for n in notices)]
    if required is not None and not question.optional and own:
        assert own[0].text.endswith(required.get("en"))
    # The inline error is said again after the question, against its field.
    inline = [u for u in script if u.item.startswith("field-error:")]
    assert [u.item for u in inline] == [f"field-error:{e.field}" for e in page.errors]
    assert script.index(inline[0]) > next(i for i, u in enumerate(script) if u.item == "title")


ADDRESS_STEPS: list[Step] = [("address", "NG7 2RD"), (LOOKUP_STEP, "0"),
                              ("address__list", "990000001001")]


def test_options_say_their_position_and_which_is_selected() -> None:
    engine = engine_after(CATALOGUE.service("missed-bin"),
                          [*ADDRESS_STEPS, ("bin_type", "recycling")])
    page = engine.back()
    assert isinstance(page, QuestionPage)
    script = script_for(page, TEXTS, read_personal=False)
    options = [(u.item, u.text) for u in script if u.item.startswith("option:")]
    assert options == [
        ("option:general", "Option 1 of 4: General rubbish (black bin)"),
        ("option:recycling", "Option 2 of 4: Recycling (blue bin)"),
        ("option:recycling", "Selected."),
        ("option:food", "Option 3 of 4: Food waste (small brown caddy)"),
        ("option:garden", "Option 4 of 4: Garden waste (green bin)"),
    ]
    assert [u.item for u in script][:2] == ["caption", "title"]
    assert [u.item for u in script][-2:] == ["button:back", "button:continue"]


def test_personal_answers_are_hidden_unless_the_resident_asks() -> None:
    service = CATALOGUE.service("missed-bin")
    engine = engine_after(service, [("address", "NG7 2RD")])  # waiting for the addresses
    page = engine.back()
    assert isinstance(page, QuestionPage)
    assert page.personal
    private = script_for(page, TEXTS, read_personal=False)
    assert not any("ng72rd" in squash(u.text) for u in private)
    assert [u.text for u in private if u.item == "value"] == [TEXTS("speech.personal_hidden")]
    spoken = script_for(page, TEXTS, read_personal=True)
    assert [u.text for u in spoken if u.item == "value"] == ["N G 7 2 R D"]


def test_check_answers_reads_rows_with_personal_values_hidden() -> None:
    steps: list[Step] = [*ADDRESS_STEPS, ("bin_type", "general"),
                         ("due_date", DateParts("20", "11", "2026")), ("details", ""),
                         ("contact_method", "email"), ("contact_email", "ann@example.org")]
    engine = engine_after(CATALOGUE.service("missed-bin"), steps)
    assert engine.where == CHECK
    page = engine.current()
    assert isinstance(page, CheckAnswersPage)
    private = script_for(page, TEXTS, read_personal=False)
    rows = [(u.item, u.text) for u in private if u.item.startswith("row:")]
    hidden = TEXTS("speech.personal_hidden")
    assert rows == [
        ("row:address", "Collection address"), ("row:address", hidden),
        ("row:bin_type", "Bin"), ("row:bin_type", "General rubbish (black bin)"),
        ("row:due_date", "Collection day"), ("row:due_date", "20 November 2026"),
        ("row:details", "More details"), ("row:details", "Not provided"),
        ("row:contact_method", "Contact by"), ("row:contact_method", "Email"),
        ("row:contact_email", "Email address"), ("row:contact_email", hidden),
    ]
    assert private[-1] == Utterance("Send report", "en", "button:submit")
    spoken = script_for(page, TEXTS, read_personal=True)
    values = [u.text for u in spoken if u.item.startswith("row:")][1::2]
    assert values[0] == "1 Library Lane, Demo Town, D E 9 9 1 A B"
    assert values[-1] == "ann@example.org"


def test_confirmation_spells_the_reference() -> None:
    service = CATALOGUE.service("feedback")
    engine = engine_after(service, [("feedback_type", "compliment"), ("topics", ("bins",)),
                                    ("message", "Thank you"), ("happened_on", DateParts()),
                                    ("wants_reply", "no")])
    page = engine.finish(REFERENCE, True)
    assert isinstance(page, ConfirmationPage)
    script = script_for(page, TEXTS, read_personal=False, printed=False)
    assert Utterance("Your reference is L R 3 3 8 6 L F.", "en", "reference") in script
    # Not printed: the page offers the receipt's code on screen, and says so.
    assert [u.item for u in script] == [
        "title", "reference", "delivery-state", "receipt-state", "photo-code-hint",
        "next-steps-label", "next-steps", "rate-question", "feedback-hint",
        *(f"button:rate-{n}" for n in range(1, 6)), "contact-question",
        "button:contacted-yes", "button:contacted-no", "button:contacted-not_sure",
        "finish-hint", "button:finish",
    ]
    assert TEXTS("confirmation.receipt_failed") in [u.text for u in script]
    printed = script_for(page, TEXTS, read_personal=False, printed=True)
    assert "photo-code-hint" not in [u.item for u in printed]
    with pytest.raises(ValueError, match="printed"):
        script_for(page, TEXTS, read_personal=False)


def test_attract_menu_and_welcome_scripts() -> None:
    attract = attract_script(TEXTS, "Derby City Council", "Central Library")
    assert [u.text for u in attract] == [
        "Welcome to Derby City Council", "Central Library", TEXTS("attract.what_you_can_do"),
        TEXTS("attract.touch_to_start"), TEXTS("attract.free_and_private"),
        *(lang.native_name for lang in LANGUAGES),
    ]
    # Each language's name is said in that language, by its own voice.
    assert [(u.language, u.item) for u in attract[-len(LANGUAGES):]] == [
        (lang.code, f"language:{lang.code}") for lang in LANGUAGES]
    assert {u.language for u in attract[:-len(LANGUAGES)]} == {"en"}
    services = tuple(CATALOGUE)
    menu = menu_script(TEXTS, services)
    expected = [TEXTS("menu.title"), TEXTS("menu.hint")]
    for service in services:
        expected += [service.title.get("en"), service.description.get("en")]
    assert [u.text for u in menu] == expected
    assert {u.item for u in menu[2:]} == {f"service:{s.id}" for s in services}
    assert [u.text for u in welcome_script(TEXTS)] == [TEXTS("speech.welcome")]


class Welsh:
    """English words, Welsh language code: each utterance must carry the UI's language."""

    language = "cy"

    def __call__(self, key: str, /, **params: str) -> str:
        return TEXTS(key, **params)


def test_utterances_carry_the_current_language() -> None:
    cases = [s for s in CASES if isinstance(s.page, QuestionPage | CheckAnswersPage | ExitPage)]
    for seen in cases[:20]:
        assert {u.language for u in script_for(seen.page, Welsh(), read_personal=True)} == {"cy"}
    assert {u.language for u in menu_script(Welsh(), tuple(CATALOGUE))} == {"cy"}


@pytest.mark.parametrize(("value", "spoken"), [
    ("DE1 2AB", "D E 1 2 A B"), ("07700900982", "0 7 7 0 0 9 0 0 9 8 2"), ("1,000", "1,000"),
    ("3", "3"), ("Flat 3B, Oak Road.", "Flat 3 B, Oak Road."), ("20 November 2026", "20 November 2026"),
    ("Bins and recycling\nRoads and pavements", "Bins and recycling, Roads and pavements"),
    ("ann@example.org", "ann@example.org"),
])
def test_answers_are_made_speakable(value: str, spoken: str) -> None:
    assert speakable(value) == spoken
    assert spell(REFERENCE) == "L R 3 3 8 6 L F"


# ----- pages that are not plain questions (a service that asks the council) -------------------

def lookup_pages() -> list[PageModel]:
    """Every kind of page the lookup service shows: information, waiting, cannot look up,
    looked-up options (radios with a hint), result rows and an empty result, checkboxes."""
    from tests.kiosk.lookup_service import TableLookup, service

    pages: list[PageModel] = []
    for uprn in ("100030000001", "100030000002"):
        engine = JourneyEngine(service(), TEXTS, lambda: TODAY)
        pages.append(engine.start())
        engine.answer("intro", "")
        waiting = engine.answer("postcode", "DE1 2AB")
        assert isinstance(waiting, WaitingPage)
        pages.append(waiting)
        pages.append(engine.lookup_failed(waiting.request, "timeout"))
        engine.try_again()
        pages.append(engine.lookup_done(waiting.request, TableLookup().lookup(waiting.request)))
        request = engine.answer("address", uprn)
        assert isinstance(request, WaitingPage)
        pages.append(engine.lookup_done(request.request, TableLookup().lookup(request.request)))
        pages.append(engine.answer("days", ""))
    # The address question's list cannot be looked up: "Enter the address yourself".
    engine = JourneyEngine(CATALOGUE.service("bin-day"), TEXTS, lambda: TODAY)
    waiting = engine.answer("address", "DE99 1AB")
    assert isinstance(waiting, WaitingPage)
    failed = engine.lookup_failed(waiting.request, "unreachable")
    assert isinstance(failed, LookupFailedPage)
    assert failed.ways_on
    pages.append(failed)
    return pages


LOOKUP_PAGES = lookup_pages()


def test_the_lookup_walk_reaches_every_new_page_kind() -> None:
    kinds = {page.kind for page in LOOKUP_PAGES}
    assert {"info", "waiting", "lookup_failed", "result", "question", "exit"} <= kinds
    assert any(isinstance(p, ResultPage) and not p.rows for p in LOOKUP_PAGES)
    assert any(isinstance(p, QuestionPage) and p.qtype == "checkboxes" for p in LOOKUP_PAGES)


@pytest.mark.parametrize("read_personal", [False, True], ids=["private", "read-personal"])
@pytest.mark.parametrize("page", LOOKUP_PAGES,
                         ids=[f"{p.kind}-{n}" for n, p in enumerate(LOOKUP_PAGES)])
def test_pages_that_ask_the_council_say_everything_they_show(page: PageModel,
                                                             read_personal: bool) -> None:
    script = script_for(page, TEXTS, read_personal=read_personal)
    assert script
    assert all(u.text.strip() and u.item for u in script)
    assert_covers(script, shown_on(page), read_personal=read_personal, where=page.kind)


def test_checkbox_option_hints_are_spoken() -> None:
    checkboxes = [p for p in LOOKUP_PAGES if isinstance(p, QuestionPage) and p.qtype == "checkboxes"]
    script = script_for(checkboxes[0], TEXTS, read_personal=False)
    assert [(u.item, u.text) for u in script if u.item.startswith("option")] == [
        ("option:black", "Option 1 of 2: Black bin"), ("option-hint:black", "General rubbish"),
        ("option:blue", "Option 2 of 2: Blue bin"), ("option-hint:blue", "Recycling"),
    ]

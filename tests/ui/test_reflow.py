"""Every page, at every text size, in every language: nothing clipped, nothing overlapping,
every target at least 20 mm high (accessibility checklist: reflow and target size)."""

from __future__ import annotations

import pytest

from accessibility.languages import LANGUAGES, Translator
from kiosk.bookings.base import Contact
from kiosk.bookings.fake import FakeBookings
from kiosk.journey.booking_pages import BookingWaitingPage
from kiosk.journey.pages import (
    CheckAnswersPage,
    ExitPage,
    InfoPage,
    QuestionPage,
    ResultPage,
    WaitingPage,
)
from kiosk.journey.types.address import AddressParts
from kiosk.journey.validation import DateParts
from kiosk.lookups.base import LookupItem, LookupRequest, LookupResult
from kiosk.preferences import TEXT_SIZES, Preferences
from tests.ui.layout_checks import layout_problems
from ui.driving import page_name

SLOT = "2026-11-30T10:00:00+00:00"
VALID = {
    "text": "14", "textarea": "Some words about it", "email": "a@example.org",
    "phone": "07700900982", "postcode": "DE99 1AA", "number": "3",
    "date": DateParts("20", "11", "2026"),
    "reference": "AB2C D3EF", "booking_reference": "BK-4F7K-2QXD", "address": "DE99 1AB",
    "address_manual": AddressParts("Flat 3, The Old Mill", "Mill Lane", "Demo Town", "DE99 1AB"),
    "ni_number": "JK 12 34 56 C",
}
LONG_AGO = DateParts("24", "6", "1947")  # a date of birth past state pension age
CHOICES = ("radios", "yes_no", "day", "address_list")


class TrackAnswers:
    """Answers Track my request as the hub would, in the resident's language: the longest
    page it can show (every row, a long note)."""

    def lookup(self, request: LookupRequest) -> LookupResult:
        t = Translator(request.language)
        rows = (("status", "track.row.status", t("track.status.cannot_check")),
                ("reference", "track.row.reference", "AB2C D3EF"),
                ("service", "track.row.service", "Report a missed bin collection"),
                ("received", "track.row.received", "23 November 2026"),
                ("updated", "track.row.updated", "25 November 2026"),
                ("notes", "track.row.notes", "The crew could not reach the bin store because "
                 "a car was parked across the gate; they will come back on Tuesday morning."))
        return LookupResult(request.source, tuple(LookupItem(v, t(k), d) for v, k, d in rows))


def _check(kiosk, where: str, found: list[str]) -> None:
    kiosk.app.processEvents()
    theme = kiosk.theme
    gap = round(2 * theme.px_per_mm)  # 2 mm between targets
    found += [f"{where}: {p}" for p in layout_problems(kiosk.window, theme.target_px, gap)]


def _walk(kiosk, service_id: str, found: list[str], qtbot, values: dict | None = None) -> None:
    values = values or VALID
    window = kiosk.window
    window.choose_service(service_id)
    for _ in range(40):
        model = window.session.engine.current()
        where = f"{service_id}/{page_name(window)}"
        _check(kiosk, where, found)
        if isinstance(model, CheckAnswersPage):
            return
        if isinstance(model, WaitingPage | BookingWaitingPage):
            qtbot.waitUntil(lambda: not page_name(window).split(":")[0].endswith("waiting"),
                            timeout=5000)
            continue
        if isinstance(model, ResultPage) and not model.final:  # a booking's details
            window.answer(model.page_id, "")
            continue
        if isinstance(model, ResultPage) and model.final:  # the end of a lookup-only service
            return
        if isinstance(model, InfoPage):  # an application's outcome: Continue
            window.answer(model.page_id, "")
            continue
        if isinstance(model, ExitPage):
            window.back()
            current = window.session.engine.current()
            window.answer(current.page_id,
                          current.options[1].value if current.options else LONG_AGO)
            continue
        assert isinstance(model, QuestionPage)
        if not model.optional:
            window.answer(model.page_id, () if model.qtype == "checkboxes" else "")
            _check(kiosk, where + " (error)", found)
        if model.qtype in CHOICES:
            value = model.options[0].value
        elif model.qtype == "checkboxes":
            value = (model.options[0].value,)
        else:
            value = values[model.qtype]
        window.answer(model.page_id, value)
    pytest.fail(f"{service_id} did not reach check answers")


@pytest.mark.parametrize("language", [lang.code for lang in LANGUAGES])
@pytest.mark.parametrize("size", TEXT_SIZES)
def test_every_page_reflows(make_kiosk, qtbot, size: str, language: str) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    # Booking services ask a diary: the fake answers their sources, Track my request the rest.
    diary = FakeBookings(kiosk.clock)
    diary.confirm(diary.hold("housing-advice", "central-library", SLOT, "reflow-holder-0123456789",
                             300, "en").hold,  # type: ignore[union-attr]
                  "reflow-holder-0123456789", Contact("Ann Example", VALID["postcode"]), False, "en")
    kiosk.assembly.parts.lookup = diary.answering(TrackAnswers())
    kiosk.assembly.parts.bookings = diary
    values = {**VALID, "booking_reference": diary.references()[0]}
    window.set_preferences(Preferences(text_size=size, language=language))
    found: list[str] = []
    _check(kiosk, "attract", found)
    window.open_accessibility()
    _check(kiosk, "accessibility panel", found)
    window.close_accessibility()
    window.start()
    _check(kiosk, "menu", found)
    for service in window.session.services():
        _walk(kiosk, service.id, found, qtbot, values)
        window.back()
        while window.session.engine is not None:
            window.back()
    # Check answers to confirmation, and the need-more-time warning.
    _walk(kiosk, "missed-bin", found, qtbot)
    window.submit()
    qtbot.waitUntil(lambda: page_name(window) == "confirmation", timeout=20000)
    _check(kiosk, "confirmation", found)
    window.more_time()
    window.finish()
    qtbot.waitUntil(lambda: page_name(window) == "attract", timeout=5000)
    window.start()
    _walk(kiosk, "book-appointment", found, qtbot, values)
    window.submit()
    qtbot.waitUntil(lambda: page_name(window) == "booking_done:confirmed", timeout=20000)
    _check(kiosk, "booking done", found)
    kiosk.clock.advance(kiosk.assembly.loaded.profile.session.idle_seconds + 1)
    window.idle.check()
    _check(kiosk, "need more time", found)
    assert found == [], "\n".join(found)

"""What a booking journey's own pages say aloud, in page order, buttons last (the conventions
of `kiosk.announce`, which hands these pages here). The reference is spelled letter by
letter; a booking's details are the council's words, not the resident's, so they are read."""

from __future__ import annotations

from accessibility.speech import Utterance
from kiosk.bookings.reference import spoken_reference
from kiosk.journey.booking_pages import (
    BookingDonePage,
    BookingPageModel,
    BookingUnavailablePage,
    BookingWaitingPage,
)
from kiosk.journey.speech import Script, speakable
from kiosk.texts import Texts


def booking_script(page: BookingPageModel, texts: Texts) -> list[Utterance]:
    script = Script(texts)
    if isinstance(page, BookingWaitingPage):
        script.say("caption", page.service_title)
        script.say("title", page.title)
        script.say("hint", page.hint)
        if page.can_go_back:
            script.say("button:back", texts("nav.back"))
    elif isinstance(page, BookingUnavailablePage):
        script.say("caption", page.service_title)
        script.say("title", page.title)
        script.say("body", page.body)
        script.say("staff-hint", page.staff_hint)
        if page.call_back:
            script.say("button:call-back", page.call_back)
        script.say("button:try-again", texts("lookup.try_again"))
        script.say("button:go-back", texts("lookup.go_back"))
    else:
        _done(script, page, texts)
    return script.utterances


def _done(script: Script, page: BookingDonePage, texts: Texts) -> None:
    script.say("title", page.title)
    label = texts("booking.done.reference")
    spoken = texts("booking.done.reference_spoken", spelled=spoken_reference(page.reference))
    if label not in spoken:
        script.say("reference-label", label)
    script.say("reference", spoken)
    for n, row in enumerate(page.rows):
        script.say(f"row:{n}", row.label)
        script.say(f"row:{n}", speakable(row.detail))
    if page.printed is not None:
        script.say("print-state", texts("booking.done.printed" if page.printed
                                        else "booking.done.print_failed"))
    script.say("qr-hint", texts("booking.done.qr_hint"))
    script.say("next-steps-label", texts("confirmation.next_steps_label"))
    script.say("next-steps", page.next_steps)
    if page.printed is not True:
        script.say("button:print", texts("result.print"))
    script.say("button:finish", texts("nav.finish"))

"""What each page says aloud: a page model (or a UI-only page) in, utterances out.

The speech script is the non-visual version of the screen (EN 301 549 5.1.3.1: everything
shown must be available in speech), so it reads every text the page shows, in the order the
page shows it, and nothing the page does not show. It mirrors the renderers in `ui/pages/`;
the speech-coverage tests walk every page of every shipped service to keep the two in step.

Conventions, page by page:

* Errors come first, as the GOV.UK error summary does, each worded "There is a problem.
  <message>" (`speech.error`), with the field-specific message so the resident hears which
  answer needs fixing (EN 5.1.3.15). Then caption, title, hint and the inline errors.
* A question's input is said by its type (`QuestionType.speak`): options say their
  position ("Option 2 of 4: ..."), then "Selected." for chosen ones, then their hint.
* Pages that wait for a lookup say so once; "we cannot look this up" offers its buttons.
* Buttons come last, in page order. On check answers each row is its label, its value and
  its Change button, said by its accessible name ("Change Postcode").
* Answers read back are made speakable: postcodes, phone numbers and other codes are spelled
  out, and the confirmation's reference letter by letter.
* Personal answers (the question, or the summary row, is marked `personal`) are replaced by
  "Your answer is not read aloud" unless the resident chose to hear them (EN 5.1.3.9: private
  data only through private listening).
* Each utterance carries a stable `item` id so the UI can highlight what is being read.

Pure functions of their inputs: no Qt, no I/O, no engine.
"""

from __future__ import annotations

from collections.abc import Sequence

from accessibility.languages import LANGUAGES
from accessibility.speech import Utterance
from kiosk.bookings.speech import booking_script
from kiosk.calls.screens import (
    CallConsentScreen,
    CallLiveScreen,
    CallOverScreen,
    CallQueueScreen,
    CallScreen,
)
from kiosk.calls.speech import call_script
from kiosk.catalogue import Service
from kiosk.journey.booking_pages import BookingDonePage, BookingUnavailablePage, BookingWaitingPage
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
from kiosk.journey.speech import Script, speakable, spell
from kiosk.journey.types import QuestionTypes, builtin_types
from kiosk.saved.screens import (
    ResumeGoneScreen,
    ResumeScreen,
    SavedDoneScreen,
    SavedScreen,
    SavedWaitScreen,
    SaveWordScreen,
)
from kiosk.saved.speech import saved_script
from kiosk.texts import Texts

SAVED_SCREENS = (SaveWordScreen, SavedWaitScreen, SavedDoneScreen, ResumeScreen, ResumeGoneScreen)

__all__ = [
    "attract_script", "menu_script", "script_for", "speakable", "spell", "timeout_script",
    "welcome_script",
]


def script_for(model: PageModel | CallScreen | SavedScreen, texts: Texts, *, read_personal: bool,
               printed: bool | None = None, types: QuestionTypes | None = None) -> list[Utterance]:
    """The utterances for a page model, in page order.

    `printed` is whether the receipt printed; the confirmation page says which, and the page
    model does not carry it, so it is required for a `ConfirmationPage` and ignored otherwise.
    A question's input is said by its type (from `types`, the built-in ones when None).
    """
    if isinstance(model, CallConsentScreen | CallQueueScreen | CallLiveScreen | CallOverScreen):
        return call_script(model, texts)
    if isinstance(model, SAVED_SCREENS):
        return saved_script(model, texts)
    if isinstance(model, QuestionPage):
        return _question(model, texts, read_personal, types or builtin_types())
    if isinstance(model, InfoPage):
        return _info(model, texts)
    if isinstance(model, ResultPage):
        return _result(model, texts)
    if isinstance(model, WaitingPage):
        return _waiting(model, texts)
    if isinstance(model, LookupFailedPage):
        return _lookup_failed(model, texts)
    if isinstance(model, CheckAnswersPage):
        return _check_answers(model, texts, read_personal)
    if isinstance(model, ExitPage):
        return _exit(model, texts)
    if isinstance(model, BookingDonePage):
        done = Script(texts)
        done.utterances.extend(booking_script(model, texts))
        _feedback(done, texts)
        return done.utterances
    if isinstance(model, BookingWaitingPage | BookingUnavailablePage):
        return booking_script(model, texts)
    if printed is None:
        raise ValueError("the confirmation page's script needs printed=True or False")
    return _confirmation(model, texts, printed)


def _question(page: QuestionPage, texts: Texts, read_personal: bool,
              types: QuestionTypes) -> list[Utterance]:
    script = Script(texts)
    hide = page.personal and not read_personal
    script.errors((e.field, e.message) for e in page.errors)
    script.say("caption", page.service_title)
    script.say("title", texts("question.optional", label=page.title) if page.optional
               else page.title)
    script.say("hint", page.hint)
    for error in page.errors:
        script.say(f"field-error:{error.field}", error.message)
    types[page.qtype].speak(script, page, hide)
    script.say("button:back", texts("nav.back"))
    script.say("button:continue", texts("nav.continue"))
    return script.utterances


def _info(page: InfoPage, texts: Texts) -> list[Utterance]:
    script = Script(texts)
    script.say("caption", page.service_title)
    script.say("title", page.title)
    script.say("body", page.body)
    script.say("button:back", texts("nav.back"))
    _onward(script, page.final)
    return script.utterances


def _onward(script: Script, final: bool) -> None:
    """Continue, or Finish on the last page of a service that sends nothing."""
    if final:
        script.say("button:finish", script.texts("nav.finish"))
    else:
        script.say("button:continue", script.texts("nav.continue"))


def _result(page: ResultPage, texts: Texts) -> list[Utterance]:
    """Rows as the page lists them: each label, then its detail (a date, a time, a status),
    with any codes in it spelled out (a reference, "AB2C D3EF")."""
    script = Script(texts)
    script.say("caption", page.service_title)
    script.say("title", page.title)
    script.say("hint", page.hint)
    if not page.rows:
        script.say("empty", page.empty_text)
    for n, row in enumerate(page.rows):
        script.say(f"row:{n}", row.label)
        script.say(f"row:{n}", speakable(row.detail) if row.detail else None)
    script.say("button:back", texts("nav.back"))
    if page.printable:
        script.say("button:print", texts("result.print"))
    script.say("button:offer", page.offer)
    _onward(script, page.final)
    return script.utterances


def _waiting(page: WaitingPage, texts: Texts) -> list[Utterance]:
    """Said once when the wait starts: what is happening, never a count; Back stays."""
    script = Script(texts)
    script.say("caption", page.service_title)
    script.say("title", page.title)
    script.say("hint", page.hint)
    script.say("button:back", texts("nav.back"))
    return script.utterances


def _lookup_failed(page: LookupFailedPage, texts: Texts) -> list[Utterance]:
    script = Script(texts)
    script.say("caption", page.service_title)
    script.say("title", page.title)
    script.say("body", page.body)
    script.say("staff-hint", page.staff_hint)
    script.say("button:try-again", texts("lookup.try_again"))
    for option in page.ways_on:
        script.say(f"button:option-{option.value}", option.label)
    script.say("button:go-back", texts("lookup.go_back"))
    return script.utterances


def _check_answers(page: CheckAnswersPage, texts: Texts,
                   read_personal: bool) -> list[Utterance]:
    script = Script(texts)
    script.say("caption", page.service_title)
    script.say("title", page.title)
    not_provided = texts("answer.not_provided")
    for row in page.rows:
        item = f"row:{row.page_id}"
        script.say(item, row.label)
        if row.personal and not read_personal and row.value != not_provided:
            script.say(item, texts("speech.personal_hidden"))
        else:
            script.say(item, speakable(row.value))
        script.say(f"change:{row.page_id}", texts("nav.change_hidden", label=row.label))
    _evidence(script, page)
    script.say("button:back", texts("nav.back"))
    script.say("button:submit", page.submit_label)
    return script.utterances


def _evidence(script: Script, page: CheckAnswersPage | ConfirmationPage) -> None:
    """"What you need to bring or post", each document and its hint, as the page lists them."""
    if not page.evidence:
        return
    script.say("evidence-heading", page.evidence_heading)
    for index, item in enumerate(page.evidence):
        script.say(f"evidence:{index}", item.label)
        script.say(f"evidence-hint:{index}", item.hint)


def _exit(page: ExitPage, texts: Texts) -> list[Utterance]:
    script = Script(texts)
    script.say("caption", page.service_title)
    script.say("title", page.title)
    script.say("body", page.body)
    _feedback(script, texts)
    script.say("start-again-hint", texts("exit.start_again_hint"))
    script.say("button:back", texts("nav.back"))
    script.say("button:start-again", texts("nav.start_again"))
    return script.utterances


def _confirmation(page: ConfirmationPage, texts: Texts, printed: bool) -> list[Utterance]:
    script = Script(texts)
    script.say("title", page.title)
    label = texts("confirmation.reference_label")
    reference = texts("speech.reference", spelled=spell(page.reference))
    if label not in reference:  # English says "Your reference is ..."; a translation may not
        script.say("reference-label", label)
    script.say("reference", reference)
    script.say("delivery-state",
               texts("confirmation.sent" if page.delivered else "confirmation.queued"))
    if page.told:  # "tell us once": the services told, as the page lists them
        script.say("told-label", texts("confirmation.told_label"))
        for index, service in enumerate(page.told):
            script.say(f"told:{index}", service)
    script.say("receipt-state", texts("confirmation.receipt_printed" if printed
                                      else "confirmation.receipt_failed"))
    if not printed:
        script.say("photo-code-hint", texts("confirmation.photo_code"))
    script.say("next-steps-label", texts("confirmation.next_steps_label"))
    script.say("next-steps", page.next_steps)
    _evidence(script, page)
    _feedback(script, texts)
    script.say("finish-hint", texts("confirmation.finish_hint"))
    script.say("button:finish", texts("nav.finish"))
    return script.utterances


def _feedback(script: Script, texts: Texts) -> None:
    """The optional questions (ui/pages/satisfaction.py), said as the page shows them."""
    script.say("rate-question", texts("feedback.rate_question"))
    script.say("feedback-hint", texts("feedback.optional"))
    for score, key in ((1, "feedback.very_dissatisfied"), (2, "feedback.dissatisfied"),
                       (3, "feedback.neutral"), (4, "feedback.satisfied"),
                       (5, "feedback.very_satisfied")):
        script.say(f"button:rate-{score}", texts(key))
    script.say("contact-question", texts("feedback.contact_question"))
    for answer in ("yes", "no", "not_sure"):
        script.say(f"button:contacted-{answer}", texts(f"feedback.{answer}"))


def attract_script(texts: Texts, council: str, site: str) -> list[Utterance]:
    """The attract screen, top to bottom (its start button sits above the privacy line).

    The language buttons come last, each name said in its own language and voice ("Cymraeg"
    by the Welsh voice), so a resident who does not read English hears theirs (LANG-01).
    """
    script = Script(texts)
    script.say("welcome", texts("attract.welcome", council=council))
    script.say("site", site)
    script.say("what-you-can-do", texts("attract.what_you_can_do"))
    script.say("button:start", texts("attract.touch_to_start"))
    script.say("free-and-private", texts("attract.free_and_private"))
    for lang in LANGUAGES:
        script.utterances.append(Utterance(lang.native_name, lang.code, f"language:{lang.code}"))
    return script.utterances


def menu_script(texts: Texts, services: Sequence[Service]) -> list[Utterance]:
    """The service menu: heading, hint, then each service's title and description."""
    script = Script(texts)
    lang = texts.language
    script.say("title", texts("menu.title"))
    script.say("hint", texts("menu.hint"))
    for service in services:
        script.say(f"service:{service.id}", service.title.get(lang))
        script.say(f"service:{service.id}", service.description.get(lang))
    return script.utterances


def welcome_script(texts: Texts) -> list[Utterance]:
    """The long-press welcome: how the screen is laid out and how to start, eyes-free."""
    script = Script(texts)
    script.say("welcome", texts("speech.welcome"))
    return script.utterances


def timeout_script(texts: Texts, seconds: int, can_extend: bool) -> list[Utterance]:
    """"Do you need more time?": said once when it appears, never counted down aloud
    (checklist TIME-03), with the buttons the resident can press."""
    script = Script(texts)
    script.say("timeout-title", texts("timeout.title"))
    script.say("timeout-body", texts("timeout.body", seconds=str(seconds)))
    if can_extend:
        script.say("button:more-time", texts("timeout.yes"))
    script.say("button:end-now", texts("timeout.no"))
    return script.utterances

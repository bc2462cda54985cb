"""What each page says aloud: a page model (or a UI-only page) in, utterances out.

The speech script is the non-visual version of the screen (EN 301 549 5.1.3.1: everything
shown must be available in speech), so it reads every text the page shows, in the order the
page shows it, and nothing the page does not show. It mirrors the renderers in `ui/pages/`;
the speech-coverage tests walk every page of every shipped service to keep the two in step.

Conventions, page by page:

* Errors come first, as the GOV.UK error summary does, each worded "There is a problem.
  <message>" (`speech.error`), with the field-specific message so the resident hears which
  answer needs fixing (EN 5.1.3.15). Then caption, title, hint and the inline errors.
* Options say their position ("Option 2 of 4: ..."), then "Selected." for chosen ones.
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

import re
from collections.abc import Iterable, Sequence

from accessibility.languages import LANGUAGES
from accessibility.speech import Utterance
from kiosk.catalogue import Service
from kiosk.journey.pages import (
    CheckAnswersPage,
    ConfirmationPage,
    ExitPage,
    PageModel,
    QuestionPage,
)
from kiosk.journey.validation import DateParts
from kiosk.texts import Texts

DATE_PARTS = ("day", "month", "year")
_SPELLED_TYPES = frozenset({"postcode", "phone"})
_CODE = re.compile(r"^(?=\w*[^\W\d_])(?=\w*\d)\w+$")
"""A word mixing letters and digits: "DE1", "2AB", "3B", "LR3386LF"."""
_NUMBER_AS_DIGITS = re.compile(r"^(\d{5,}|0\d+)$")
"""A long or zero-led run of digits: a phone number, an account number, not a quantity."""
_EDGES = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


def spell(text: str) -> str:
    """Characters one by one, spaces dropped: "LR3386LF" -> "L R 3 3 8 6 L F".

    For references, postcodes and phone numbers, which a synthesiser otherwise reads as
    words or large numbers (espeak-ng reads "DE1 2AB" as "duh one two ab").
    """
    return " ".join(ch for ch in text if not ch.isspace())


def speakable(value: str) -> str:
    """A resident's answer made fit to read aloud: one line, codes spelled out.

    Lines are joined with commas (a list of ticked boxes, a multi-line message), and each
    word that mixes letters with digits ("DE1", "2AB") or is a long or zero-led run of digits
    ("07700900982") is spelled character by character (TTS-03: read back what was entered,
    in a form the resident can check). Quantities ("3", "1,000") and dates are left alone.
    """
    words = []
    for word in ", ".join(line.strip() for line in value.splitlines() if line.strip()).split():
        match = _EDGES.match(word)
        assert match is not None  # the pattern matches any string
        before, core, after = match.groups()
        if _CODE.match(core) or _NUMBER_AS_DIGITS.match(core):
            core = spell(core)
        words.append(f"{before}{core}{after}")
    return " ".join(words)


class _Script:
    """Collects utterances in one language, skipping empty text (nothing shown, nothing said)."""

    def __init__(self, texts: Texts) -> None:
        self.texts = texts
        self.language = texts.language
        self.utterances: list[Utterance] = []

    def say(self, item: str, text: str | None) -> None:
        if text is not None and text.strip():
            self.utterances.append(Utterance(text.strip(), self.language, item))

    def errors(self, errors: Iterable[tuple[str, str]]) -> None:
        """The error summary: its heading, then each error as "There is a problem. <msg>"."""
        spoken = [(field, self.texts("speech.error", message=message))
                  for field, message in errors]
        if not spoken:
            return
        heading = self.texts("question.error_summary")
        # "There is a problem. ..." already says the summary's heading in English; a
        # translation that words the two differently still gets its heading read.
        if heading not in spoken[0][1]:
            self.say("error-summary", heading)
        for field, text in spoken:
            self.say(f"error:{field}", text)


def script_for(model: PageModel, texts: Texts, *, read_personal: bool,
               printed: bool | None = None) -> list[Utterance]:
    """The utterances for a page model, in page order.

    `printed` is whether the receipt printed; the confirmation page says which, and the page
    model does not carry it, so it is required for a `ConfirmationPage` and ignored otherwise.
    """
    if isinstance(model, QuestionPage):
        return _question(model, texts, read_personal)
    if isinstance(model, CheckAnswersPage):
        return _check_answers(model, texts, read_personal)
    if isinstance(model, ExitPage):
        return _exit(model, texts)
    if printed is None:
        raise ValueError("the confirmation page's script needs printed=True or False")
    return _confirmation(model, texts, printed)


def _question(page: QuestionPage, texts: Texts, read_personal: bool) -> list[Utterance]:
    script = _Script(texts)
    hide = page.personal and not read_personal
    script.errors((e.field, e.message) for e in page.errors)
    script.say("caption", page.service_title)
    script.say("title", texts("question.optional", label=page.title) if page.optional
               else page.title)
    script.say("hint", page.hint)
    for error in page.errors:
        script.say(f"field-error:{error.field}", error.message)
    if page.qtype in ("radios", "yes_no", "checkboxes"):
        _options(script, page, hide)
    elif page.qtype == "date":
        _date(script, page, hide)
    else:
        if page.qtype == "textarea" and page.max_length:
            script.say("characters-left",
                       texts("question.characters_left", max=str(page.max_length)))
        value = page.value if isinstance(page.value, str) else ""
        if value.strip():
            if hide:
                script.say("value", texts("speech.personal_hidden"))
            elif page.qtype in _SPELLED_TYPES:
                script.say("value", spell(value))
            else:
                script.say("value", speakable(value))
    script.say("button:back", texts("nav.back"))
    script.say("button:continue", texts("nav.continue"))
    return script.utterances


def _options(script: _Script, page: QuestionPage, hide: bool) -> None:
    texts, total = script.texts, len(page.options)
    # The checkbox renderer shows no option hints; radios and yes/no do.
    hints_shown = page.qtype != "checkboxes"
    for n, option in enumerate(page.options, start=1):
        item = f"option:{option.value}"
        script.say(item, texts("speech.option_position", n=str(n), total=str(total),
                               label=option.label))
        if option.selected and not hide:
            script.say(item, texts("speech.selected"))
        if hints_shown:
            script.say(f"option-hint:{option.value}", option.hint)
    if hide and any(o.selected for o in page.options):
        script.say("value", texts("speech.personal_hidden"))


def _date(script: _Script, page: QuestionPage, hide: bool) -> None:
    texts = script.texts
    parts = page.value if isinstance(page.value, DateParts) else DateParts()
    for part in DATE_PARTS:
        label = texts(f"date.{part}")
        entered = getattr(parts, part).strip()
        script.say(f"date:{part}", f"{label} {entered}" if entered and not hide else label)
    if hide and any(p.strip() for p in parts):
        script.say("value", texts("speech.personal_hidden"))


def _check_answers(page: CheckAnswersPage, texts: Texts,
                   read_personal: bool) -> list[Utterance]:
    script = _Script(texts)
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
    script.say("button:back", texts("nav.back"))
    script.say("button:submit", page.submit_label)
    return script.utterances


def _exit(page: ExitPage, texts: Texts) -> list[Utterance]:
    script = _Script(texts)
    script.say("caption", page.service_title)
    script.say("title", page.title)
    script.say("body", page.body)
    script.say("start-again-hint", texts("exit.start_again_hint"))
    script.say("button:back", texts("nav.back"))
    script.say("button:start-again", texts("nav.start_again"))
    return script.utterances


def _confirmation(page: ConfirmationPage, texts: Texts, printed: bool) -> list[Utterance]:
    script = _Script(texts)
    script.say("title", page.title)
    label = texts("confirmation.reference_label")
    reference = texts("speech.reference", spelled=spell(page.reference))
    if label not in reference:  # English says "Your reference is ..."; a translation may not
        script.say("reference-label", label)
    script.say("reference", reference)
    script.say("delivery-state",
               texts("confirmation.sent" if page.delivered else "confirmation.queued"))
    script.say("receipt-state", texts("confirmation.receipt_printed" if printed
                                      else "confirmation.receipt_failed"))
    if not printed:
        script.say("photo-code-hint", texts("confirmation.photo_code"))
    script.say("next-steps-label", texts("confirmation.next_steps_label"))
    script.say("next-steps", page.next_steps)
    script.say("finish-hint", texts("confirmation.finish_hint"))
    script.say("button:finish", texts("nav.finish"))
    return script.utterances


def attract_script(texts: Texts, council: str, site: str) -> list[Utterance]:
    """The attract screen, top to bottom (its start button sits above the privacy line).

    The language buttons come last, each name said in its own language and voice ("Cymraeg"
    by the Welsh voice), so a resident who does not read English hears theirs (LANG-01).
    """
    script = _Script(texts)
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
    script = _Script(texts)
    lang = texts.language
    script.say("title", texts("menu.title"))
    script.say("hint", texts("menu.hint"))
    for service in services:
        script.say(f"service:{service.id}", service.title.get(lang))
        script.say(f"service:{service.id}", service.description.get(lang))
    return script.utterances


def welcome_script(texts: Texts) -> list[Utterance]:
    """The long-press welcome: how the screen is laid out and how to start, eyes-free."""
    script = _Script(texts)
    script.say("welcome", texts("speech.welcome"))
    return script.utterances


def timeout_script(texts: Texts, seconds: int, can_extend: bool) -> list[Utterance]:
    """"Do you need more time?": said once when it appears, never counted down aloud
    (checklist TIME-03), with the buttons the resident can press."""
    script = _Script(texts)
    script.say("timeout-title", texts("timeout.title"))
    script.say("timeout-body", texts("timeout.body", seconds=str(seconds)))
    if can_extend:
        script.say("button:more-time", texts("timeout.yes"))
    script.say("button:end-now", texts("timeout.no"))
    return script.utterances

"""Catalogue text in every language: the demo services and profile are fully translated,
`untranslated()` finds what is not, and the journey engine shows each language's words.
"""

from __future__ import annotations

import string
from datetime import date
from pathlib import Path

import pytest
import yaml

import kiosk
from accessibility.languages import FALLBACK, LANGUAGES, Translator
from kiosk.catalogue import Catalogue, load_catalogue
from kiosk.catalogue.translations import dotted, local_texts, missing_texts, untranslated
from kiosk.journey.engine import JourneyEngine
from kiosk.journey.pages import (
    CheckAnswersPage,
    ConfirmationPage,
    ExitPage,
    QuestionPage,
    WaitingPage,
)
from kiosk.journey.types.address import AddressParts
from kiosk.journey.validation import DateParts
from kiosk.localtext import LocalText
from kiosk.lookups.fake import FakeLookup
from kiosk.profile import load_profile
from kiosk.resident import ask_council

DEMO = load_profile(Path(kiosk.__file__).parent / "demo" / "profile.yaml")
CATALOGUE = DEMO.catalogue
ALL = [lang.code for lang in LANGUAGES]
OTHERS = [code for code in ALL if code != FALLBACK]
TODAY = date(2026, 3, 27)
# Kept as in English on purpose in at least one language: a proper name, or the word the
# language itself uses (TRANSLATIONS.md says which and why).
SAME_ON_PURPOSE = {"Central Library", "Graffiti", "Problem", "Bin", "Email", "Phone"}


def every_text() -> list[tuple[str, LocalText]]:
    texts = [(f"profile: {path}", text) for path, text in local_texts(DEMO.profile)]
    for service in CATALOGUE:
        texts += [(f"{service.id}: {path}", text) for path, text in local_texts(service)]
    return texts


def placeholders(words: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(words) if f is not None}


# ----- the demo catalogue is translated -----------------------------------------------------

@pytest.mark.parametrize("code", ALL)
def test_every_demo_service_text_is_in_every_language(code: str) -> None:
    assert untranslated(CATALOGUE, code) == []


@pytest.mark.parametrize("code", ALL)
def test_the_demo_profile_names_the_council_and_site_in_every_language(code: str) -> None:
    assert missing_texts(DEMO.profile, code) == []
    assert [path for path, _ in local_texts(DEMO.profile)] == [
        "council.name", "council.contact_line", "site.name"]


def test_the_walk_finds_every_text_in_the_demo() -> None:
    paths = [path for path, _ in every_text()]
    assert len(paths) > 140
    assert "missed-bin: pages[1].question.options[3].label" in paths
    assert "missed-bin: pages[3].question.errors.date.too_old" in paths
    assert "bin-day: pages[1].result.offer.label" in paths
    assert "street-problem: exits[0].body" in paths
    assert "feedback: check_answers.submit_label" in paths


def test_translations_keep_the_english_placeholders() -> None:
    wrong = [(path, code) for path, text in every_text() for code, words in text.root.items()
             if placeholders(words) != placeholders(text.root[FALLBACK])]
    assert not wrong
    assert any("{days}" in text.get("pl") for _, text in every_text())


def test_translations_differ_from_english_except_proper_names() -> None:
    """A copy of the English is a text someone forgot, unless it is a name or a loanword."""
    copied = [(path, code) for path, text in every_text() for code in OTHERS
              if text.get(code) == text.get(FALLBACK) and text.get(FALLBACK) not in SAME_ON_PURPOSE]
    assert not copied


def test_romanian_catalogue_text_uses_comma_below_letters() -> None:
    cedilla = {"ş", "ţ", "Ş", "Ţ"}
    assert not [path for path, text in every_text() if cedilla & set(text.get("ro"))]


@pytest.mark.parametrize("code", ALL)
def test_select_yes_errors_name_the_yes_button_in_each_language(code: str) -> None:
    """"Select yes if ..." must use the words on the Yes button (answer.yes) in that language."""
    yes = Translator(code, strict=True)("answer.yes").casefold()
    for service in CATALOGUE:
        for page in service.pages:
            if page.asks is None:
                continue
            required = page.question.errors.get("required")
            if page.question.type == "yes_no" and required is not None:
                assert yes in required.get(code).casefold(), (service.id, page.id, code)


# ----- untranslated() on a service written here ---------------------------------------------

FIXTURE = {
    "id": "hello",
    "title": {"en": "Hello", "cy": "Helo", "pl": "Cześć", "ur": "سلام", "ro": "Salut"},
    "description": {"en": "Say hello", "cy": "Dweud helo", "pl": "Przywitaj się",
                    "ur": "سلام کہیں", "ro": "Salutați"},
    "pages": [
        {"id": "mood", "question": {
            "type": "radios",
            "label": {"en": "How are you?", "cy": "Sut ydych chi?", "ur": "آپ کیسے ہیں؟",
                      "ro": "Ce mai faceți?"},  # no Polish
            "options": [
                {"value": "good", "label": {"en": "Good", "cy": "Da", "pl": "Dobrze",
                                            "ur": "اچھا", "ro": "Bine"}},
                {"value": "bad", "label": "Bad"},  # English only
            ],
            "errors": {"required": {"en": "Select how you are", "cy": "Dewiswch sut ydych chi",
                                    "pl": "Proszę wybrać", "ro": "Selectați"}},  # no Urdu
        }},
    ],
    "check_answers": {"title": {"en": "Check", "cy": "Gwirio", "pl": "Sprawdź", "ur": "دیکھیں",
                                "ro": "Verificați"},
                      "submit_label": {"en": "Send", "cy": "Anfon", "pl": "Wyślij",
                                       "ur": "بھیجیں", "ro": "Trimiteți"}},
    "confirmation": {"title": {"en": "Sent", "cy": "Wedi'i anfon", "pl": "Wysłano",
                               "ur": "بھیج دیا", "ro": "Trimis"},
                     "next_steps": {"en": "Nothing else", "cy": "Dim byd arall",
                                    "pl": "Nic więcej", "ur": "اور کچھ نہیں",
                                    "ro": "Nimic altceva"}},
    "destination": {"to": "council", "service_code": "HELLO", "attributes": {"mood": "mood"}},
}


@pytest.fixture
def fixture_catalogue(tmp_path: Path) -> Catalogue:
    (tmp_path / "hello.yaml").write_text(yaml.safe_dump(FIXTURE, allow_unicode=True),
                                         encoding="utf-8")
    return load_catalogue(tmp_path)


def test_untranslated_finds_each_text_without_the_language(fixture_catalogue: Catalogue) -> None:
    assert untranslated(fixture_catalogue, "pl") == [
        "hello: pages[0].question.label",
        "hello: pages[0].question.options[1].label",
    ]
    assert untranslated(fixture_catalogue, "ur") == [
        "hello: pages[0].question.options[1].label",
        "hello: pages[0].question.errors.required",
    ]
    assert untranslated(fixture_catalogue, "cy") == ["hello: pages[0].question.options[1].label"]
    assert untranslated(fixture_catalogue, "en") == []


def test_untranslated_counts_an_empty_text_as_missing(tmp_path: Path) -> None:
    data = {**FIXTURE, "title": {"en": "Hello", "cy": "", "pl": "Cześć", "ur": "سلام",
                                 "ro": "Salut"}}
    (tmp_path / "hello.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                         encoding="utf-8")
    assert "hello: title" in untranslated(load_catalogue(tmp_path), "cy")


def test_untranslated_sees_default_texts_a_service_did_not_write(tmp_path: Path) -> None:
    data = {key: value for key, value in FIXTURE.items() if key != "check_answers"}
    (tmp_path / "hello.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                         encoding="utf-8")
    found = untranslated(load_catalogue(tmp_path), "ro")
    assert "hello: check_answers.title" in found
    assert "hello: check_answers.submit_label" in found


def test_paths_are_written_as_in_config_errors() -> None:
    assert dotted(("pages", 0, "question", "options", 1, "label")) == (
        "pages[0].question.options[1].label")
    assert dotted(("pages", 2, "question", "errors", "date.too_old")) == (
        "pages[2].question.errors.date.too_old")
    assert dotted(()) == ""


# ----- the engine shows each language -------------------------------------------------------

@pytest.mark.parametrize("code", ALL)
def test_a_journey_renders_every_page_in_the_chosen_language(code: str) -> None:
    texts = Translator(code, strict=True)
    service = CATALOGUE.service("missed-bin")
    engine = JourneyEngine(service, texts, lambda: TODAY)

    first = engine.start()
    assert isinstance(first, QuestionPage)
    assert first.service_title == service.title.get(code)
    assert first.title == service.page("address").question.label.get(code)
    assert first.hint == texts("address.postcode.hint")  # the app words what the file does not
    waiting = engine.answer("address", "DE99 1AB")
    assert isinstance(waiting, WaitingPage)
    listed = engine.lookup_done(waiting.request, ask_council(FakeLookup(), waiting.request))
    assert isinstance(listed, QuestionPage)
    assert (listed.title, listed.options[-1].label) == (texts("address.choose.title"),
                                                        texts("address.not_listed"))
    typed = engine.answer("address__list", "not_listed")
    assert isinstance(typed, QuestionPage)
    assert typed.title == texts("address.manual.title")
    first = engine.answer("address__manual", AddressParts("14 Library Lane", "", "Demo Town",
                                                         "DE99 1AB"))
    question = service.page("bin_type").question
    assert isinstance(first, QuestionPage)
    assert first.title == question.label.get(code)
    assert [o.label for o in first.options] == [o.label.get(code) for o in question.options]

    empty = engine.answer("bin_type", "")
    assert isinstance(empty, QuestionPage)
    required = question.errors["required"]
    assert [e.message for e in empty.errors] == [required.get(code)]

    garden = engine.answer("bin_type", "garden")
    assert isinstance(garden, QuestionPage)
    assert [o.label for o in garden.options] == [texts("answer.yes"), texts("answer.no")]
    leave = engine.answer("garden_subscription", "no")
    assert isinstance(leave, ExitPage)
    exit_page = service.exit_page("no_garden_subscription")
    assert (leave.title, leave.body) == (exit_page.title.get(code), exit_page.body.get(code))

    engine.back()
    engine.answer("garden_subscription", "yes")
    too_old = engine.answer("due_date", DateParts("1", "1", "2026"))
    assert isinstance(too_old, QuestionPage)
    assert too_old.errors[0].message == service.page("due_date").question.errors[
        "date.too_old"].get(code).format(days="14")
    engine.answer("due_date", DateParts("25", "3", "2026"))
    engine.answer("details", "")
    check = engine.answer("contact_method", "none")

    assert isinstance(check, CheckAnswersPage)
    assert check.title == service.check_answers.title.get(code)
    assert check.submit_label == service.check_answers.submit_label.get(code)
    rows = {row.page_id: row for row in check.rows}
    address = service.page("address").question.summary_label
    assert address is not None
    assert (rows["address"].label, rows["address"].value) == (
        address.get(code), "14 Library Lane\nDemo Town\nDE99 1AB")
    summary = service.page("due_date").question.summary_label
    assert summary is not None
    assert rows["due_date"].label == summary.get(code)
    assert rows["due_date"].value == texts("date.long", day="25", month=texts("month.3"),
                                           year="2026")
    assert rows["details"].value == texts("answer.not_provided")
    assert rows["garden_subscription"].value == texts("answer.yes")

    done = engine.finish("AB12 CD34", delivered=True)
    assert isinstance(done, ConfirmationPage)
    assert (done.title, done.next_steps) == (
        service.confirmation.title.get(code), service.confirmation.next_steps.get(code))


@pytest.mark.parametrize("code", OTHERS)
def test_the_pages_are_not_english_in_other_languages(code: str) -> None:
    for service in CATALOGUE:
        texts = Translator(FALLBACK, strict=True)
        engine = JourneyEngine(service, texts, lambda: TODAY)
        english = engine.start()
        texts.switch(code)
        translated = engine.current()
        if isinstance(english, WaitingPage):  # the first options are looked up (a booking)
            assert translated.service_title != english.service_title  # type: ignore[union-attr]
            continue
        assert isinstance(english, QuestionPage)
        assert isinstance(translated, QuestionPage)
        assert translated.service_title != english.service_title
        assert translated.title != english.title
        assert all(t.label != e.label or e.label in SAME_ON_PURPOSE
                   for t, e in zip(translated.options, english.options, strict=True))


def test_switching_language_mid_journey_re_renders_in_place() -> None:
    texts = Translator(FALLBACK, strict=True)
    service = CATALOGUE.service("street-problem")
    engine = JourneyEngine(service, texts, lambda: TODAY)
    engine.answer("problem", "graffiti")
    seen = {}
    for code in ALL:
        texts.switch(code)
        page = engine.current()
        assert isinstance(page, QuestionPage)
        assert page.page_id == "offensive"
        seen[code] = page.hint
    assert seen == {code: service.page("offensive").question.hint.get(code)  # type: ignore[union-attr]
                    for code in ALL}
    assert len(set(seen.values())) == len(ALL)


def test_polish_dates_use_the_genitive_month() -> None:
    texts = Translator("pl", strict=True)
    assert texts("date.long", day="27", month=texts("month.3"), year="2026") == "27 marca 2026"

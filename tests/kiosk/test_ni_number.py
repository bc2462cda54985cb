"""The National Insurance number question (`type: ni_number`): HMRC's format, spaces and
lower case accepted, kept compact, shown spaced, personal by rule."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from accessibility.languages import Translator
from kiosk.catalogue import Service
from kiosk.journey.engine import CHECK, JourneyEngine
from kiosk.journey.pages import CheckAnswersPage, QuestionPage

ERROR = "Enter a National Insurance number in the correct format"


def service(**question: object) -> Service:
    return Service.model_validate({
        "id": "ni-test", "title": "NI", "description": "NI",
        "pages": [{"id": "ni", "question": {"type": "ni_number", "label": "Your NI number",
                                            "personal": True, **question}}],
        "confirmation": {"title": "Sent", "next_steps": "Wait."},
        "destination": {"to": "council", "service_code": "NI", "attributes": {"ni": "ni"}},
    })


def engine(language: str = "en") -> JourneyEngine:
    return JourneyEngine(service(), Translator(language, strict=True), lambda: date(2026, 11, 23))


def errors(typed: str) -> list[str]:
    page = engine().answer("ni", typed)
    return [e.message for e in page.errors] if isinstance(page, QuestionPage) else []


@pytest.mark.parametrize(("typed", "kept"), [
    ("AB123456C", "AB123456C"),
    ("ab 12 34 56 c", "AB123456C"),
    ("  Jg 12 34 56 a ", "JG123456A"),
    ("ce123456d", "CE123456D"),
])
def test_valid_numbers_are_kept_compact_in_capitals(typed: str, kept: str) -> None:
    journey = engine()
    journey.answer("ni", typed)
    assert journey.where == CHECK
    assert journey.answers() == {"ni": kept}


@pytest.mark.parametrize("prefix", ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"])
def test_each_excluded_prefix_is_refused(prefix: str) -> None:
    assert errors(f"{prefix}123456A") == [ERROR]


@pytest.mark.parametrize("typed", [
    "DA123456A", "FA123456A", "IA123456A", "QQ123456C", "UA123456A", "VA123456A",  # 1st letter
    "AD123456A", "AO123456A", "AQ123456A", "AV123456A",  # second letter
    "AB123456E", "AB123456", "AB1234567C", "AB12345C", "A1123456C", "AB12 34 5X C",
    "AB１２３４５６C",  # full-width digits are not digits here
])
def test_bad_letters_suffix_or_length_are_refused(typed: str) -> None:
    assert errors(typed) == [ERROR]


def test_empty_says_enter_it_and_a_council_may_word_the_error() -> None:
    assert errors("") == [Translator("en", strict=True)("error.required.enter")]
    worded = Service.model_validate({
        **service().model_dump(by_alias=True, exclude_none=True, exclude={"pages"}),
        "pages": [{"id": "ni", "question": {
            "type": "ni_number", "label": "NI", "personal": True,
            "errors": {"ni_number": "Check your National Insurance number"}}}]})
    journey = JourneyEngine(worded, Translator("en", strict=True), lambda: date(2026, 11, 23))
    page = journey.answer("ni", "ZZ123456A")
    assert isinstance(page, QuestionPage)
    assert [e.message for e in page.errors] == ["Check your National Insurance number"]


def test_shown_spaced_on_check_answers_with_the_apps_hint() -> None:
    journey = engine("cy")
    first = journey.current()
    assert isinstance(first, QuestionPage)
    assert first.personal
    assert first.hint is not None
    assert "QQ 12 34 56 C" in first.hint
    assert first.hint.startswith("Mae ar eich cerdyn")
    page = journey.answer("ni", "ab123456c")
    assert isinstance(page, CheckAnswersPage)
    assert [r.value for r in page.rows] == ["AB 12 34 56 C"]


def test_an_ni_number_question_must_be_personal() -> None:
    with pytest.raises(ValidationError) as info:
        service(personal=False)
    assert "personal: true for a ni_number question" in str(info.value)

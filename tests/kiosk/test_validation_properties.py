"""Validation is total: whatever a resident (or a fuzzer) types, an accepted value or errors.

Arbitrary Unicode, including lone surrogates, controls, right-to-left scripts, combining
marks, joiners and 20,000-character pastes, goes into every question type. The result is
always either a normalised value that fits and encodes as UTF-8, or error keys the English
catalogue has text for: never an exception.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kiosk
from accessibility.languages import Translator
from kiosk.catalogue import Question
from kiosk.catalogue.model import ERROR_PARAMS
from kiosk.journey.types import builtin_types, check
from kiosk.journey.types.address import LINE_MAX, NOT_LISTED, AddressParts
from kiosk.journey.validation import YES_NO, DateParts, RawAnswer
from kiosk.profile import load_profile

TODAY = date(2026, 11, 23)
TEXTS = Translator(strict=True)
CATALOGUE = load_profile(Path(kiosk.__file__).parent / "demo" / "profile.yaml").catalogue


def q(qtype: str, **extra: Any) -> Question:
    data: dict[str, Any] = {"type": qtype, "label": "Q", **extra}
    if qtype in ("radios", "checkboxes"):
        data["options"] = [{"value": v, "label": v} for v in ("a", "b-2", "C_3")]
    if qtype == "address_list":  # the addresses are looked up; only "not listed" is its own
        data["options_from"] = {"source": "addresses", "inputs": {"postcode": "address"}}
    return Question.model_validate(data)


SYNTHETIC = [
    q(t, optional=optional)
    for t in ("text", "textarea", "number", "email", "phone", "postcode", "radios", "yes_no",
              "checkboxes", "date", "reference", "address", "address_list", "address_manual")
    for optional in (False, True)
] + [
    q("text", rules={"min_length": 2, "max_length": 5, "pattern": "[a-z]+"}),
    q("textarea", rules={"max_length": 3}),
    q("number", rules={"min": -10, "max": "10.5", "whole_number": False}),
    q("email", rules={"max_length": 20}),
    q("date", rules={"not_in_future": True, "max_days_ago": 30}),
    q("date", rules={"not_in_past": True, "max_days_ahead": 3}),
    q("ni_number", personal=True),
    q("ni_number", personal=True, optional=True),
]
QUESTIONS = [page.question for service in CATALOGUE for page in service.pages
             if page.kind == "question"] + SYNTHETIC

SPECIAL = (
    "مرحبا بالعالم"  # Arabic
    "שלום עולם"  # Hebrew
    "میں نے کہا"  # Urdu
    "\u0301\u0308\u0327\u20dd"  # combining marks
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width characters
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # direction controls
    "\x00\x07\x1b\x7f\x85\t\r\n\u2028\u2029"  # controls and separators
    "İıßﬃŉǅ"  # letters whose case mapping changes length
    "٠١٢٣٤٥٦٧٨٩０１２３"  # non-ASCII digits
    "👩‍👩‍👧🏳️‍🌈"  # joined emoji
    "\ue000\U000f0000"  # private use
    "0123456789 @.+-(),/"
    "abcdeABCDE"
)
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
CHARS = st.one_of(st.characters(exclude_categories=()), st.sampled_from(SPECIAL), SURROGATES)
PLAUSIBLE = ["DE1 2AB", "sw1a1aa", "07700 900982", "+44 7700 900982", "name@Example.com",
             "1,000", "3.0", "-7", "42", "a", "b-2", "yes", "no", "hello", "27", "3", "2026",
             "ab2c d3ef", "http://127.0.0.1:8311/status/AB2CD3EF", "AB2C-D3EF"]


@st.composite
def long_text(draw: st.DrawFn) -> str:
    """A paste of up to 20,000 characters: a random chunk repeated."""
    chunk = draw(st.text(CHARS, min_size=1, max_size=12))
    size = draw(st.integers(1, 20_000))
    return (chunk * (size // len(chunk) + 1))[:size]


TEXT = st.one_of(
    st.text(CHARS, max_size=40),
    st.sampled_from(PLAUSIBLE),
    st.builds(lambda a, b, c: a + b + c, st.text(CHARS, max_size=3), st.sampled_from(PLAUSIBLE),
              st.text(CHARS, max_size=3)),
    long_text(),
)
WORD = st.text(st.one_of(st.sampled_from("İıßﬃabcXYZ٣éש"), CHARS), min_size=1, max_size=30)
# Well-formed enough to reach each type's normalisation, with awkward characters inside.
SHAPED: dict[str, st.SearchStrategy[str]] = {
    "email": st.one_of(
        st.builds("{}@{}.{}".format, WORD, WORD, st.sampled_from(["com", "ORG", "İİ", "co.uk"])),
        # Domains that grow when lower-cased ("İ" → "i̇"), at every length up to the limit.
        st.builds("{}@{}.uk".format, WORD, st.integers(1, 250).map("İ".__mul__)),
    ),
    "phone": st.from_regex(r"(\+44|0044|0)[ ()\-.0-9]{6,16}", fullmatch=True),
    "number": st.from_regex(r"-?[0-9][0-9, ]{0,8}(\.[0-9]{1,4})?", fullmatch=True),
    "postcode": st.from_regex(r"[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}", fullmatch=True),
    "ni_number": st.from_regex(r"\s?[A-Za-z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-Ea-e]\s?",
                               fullmatch=True),
}
DATE_PART = st.one_of(st.integers(-5, 10_000).map(str), st.from_regex(r"\s?0?[0-9]{1,4}\s?",
                                                                        fullmatch=True), TEXT)


def raw_answers(question: Question) -> st.SearchStrategy[RawAnswer]:
    """Any input shape, weighted towards the one the question's widget sends."""
    values = [o.value for o in question.options] or list(YES_NO)
    choice = st.one_of(st.sampled_from(values), TEXT)
    native: st.SearchStrategy[RawAnswer]
    if question.type == "checkboxes":
        native = st.lists(choice, max_size=6).map(tuple)
    elif question.type == "date":
        native = st.builds(DateParts, DATE_PART, DATE_PART, DATE_PART)
    elif question.type in ("radios", "yes_no"):
        native = choice
    elif question.type == "address_list":
        native = st.one_of(st.just(NOT_LISTED), TEXT)
    elif question.type == "address_manual":
        native = st.builds(AddressParts, TEXT, TEXT, TEXT,
                           st.one_of(TEXT, SHAPED["postcode"]))
    elif question.type in SHAPED:
        native = st.one_of(TEXT, SHAPED[question.type])
    else:
        native = TEXT
    wrong_shape = st.one_of(TEXT, st.lists(TEXT, max_size=3).map(tuple),
                            st.builds(DateParts, TEXT, TEXT, TEXT))
    return st.one_of(native, native, native, wrong_shape)


POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$|^GIR 0AA$")
PHONE = re.compile(r"^0[1-9][0-9]{8,9}$")
NI_NUMBER = re.compile(r"^[A-Z]{2}[0-9]{6}[A-D]$")


def assert_acceptable(question: Question, value: object) -> None:
    if value is None:
        assert question.optional or question.type == "address_list"  # "not listed"
        return
    if question.type == "address_manual":
        assert isinstance(value, str)
        value.encode("utf-8")
        lines = value.split("\n")
        assert 3 <= len(lines) <= 4
        assert all(line and line == line.strip() and len(line) <= LINE_MAX for line in lines)
        assert POSTCODE.match(lines[-1]), value
        return
    if question.type == "checkboxes":
        assert isinstance(value, tuple)
        assert value
        allowed = [o.value for o in question.options]
        assert list(value) == [v for v in allowed if v in value]
        return
    assert isinstance(value, str)
    value.encode("utf-8")  # never a lone surrogate
    if question.type in ("radios", "yes_no"):
        assert value in ([o.value for o in question.options] or YES_NO)
    elif question.type == "date":
        when = date.fromisoformat(value)
        rules = question.rules
        assert not (rules.not_in_future and when > TODAY)
        assert not (rules.not_in_past and when < TODAY)
    else:
        limit = question.max_length()
        assert limit is not None
        assert len(value) <= limit
        assert value == value.strip()
        assert value
        if question.type != "textarea":
            assert "\n" not in value
        if question.type in ("postcode", "address"):
            assert POSTCODE.match(value), value
        elif question.type == "phone":
            assert PHONE.match(value), value
        elif question.type == "ni_number":
            assert NI_NUMBER.match(value), value
            assert value[:2] not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"), value
        elif question.type == "email":
            local, _, domain = value.rpartition("@")
            assert local
            assert domain == domain.lower()
        elif question.type == "number":
            number = Decimal(value)
            if question.rules.min is not None:
                assert number >= question.rules.min
            if question.rules.max is not None:
                assert number <= question.rules.max
            if question.rules.whole_number:
                assert number == number.to_integral_value()
        if question.rules.pattern is not None:
            assert re.fullmatch(question.rules.pattern, value)


QUESTION_TYPES = sorted({question.type for question in QUESTIONS})


def test_every_question_type_is_fuzzed() -> None:
    assert set(QUESTION_TYPES) == set(builtin_types().names())


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_input_gives_a_value_or_known_error_keys(qtype: str, data: st.DataObject) -> None:
    question = data.draw(st.sampled_from([q for q in QUESTIONS if q.type == qtype]))
    raw = data.draw(raw_answers(question))
    result = check(question, "page", raw, TODAY)
    if result.ok:
        assert_acceptable(question, result.value)
        return
    assert result.value is None
    for error in result.errors:
        assert error.key in ERROR_PARAMS
        assert TEXTS.lookup(error.key, "en") is not None
        assert set(error.params) == ERROR_PARAMS[error.key]
        assert TEXTS(error.key, **error.params)  # formats with exactly the params given
        assert error.field in ("page", "page-day", "page-month", "page-year", "page-line1",
                               "page-line2", "page-town", "page-postcode")


@settings(max_examples=150, deadline=None)
@given(long_text())
def test_long_pastes_are_refused_or_fit(text: str) -> None:
    for question in SYNTHETIC:
        result = check(question, "page", text, TODAY)
        if result.ok and isinstance(result.value, str):
            limit = question.max_length()
            assert limit is None or len(result.value) <= limit


@settings(max_examples=200, deadline=None)
@given(st.text(CHARS, max_size=30))
def test_checking_is_deterministic(text: str) -> None:
    for question in SYNTHETIC:
        assert check(question, "p", text, TODAY) == check(question, "p", text, TODAY)

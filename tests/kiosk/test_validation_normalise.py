"""What accepted answers become: the form the council receives, whatever the resident typed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kiosk.catalogue import Question
from kiosk.journey.types import check
from kiosk.journey.validation import Checked, DateParts, RawAnswer, clean_text

TODAY = date(2026, 11, 23)


def question(qtype: str, **extra: Any) -> Question:
    data: dict[str, Any] = {"type": qtype, "label": "Q", **extra}
    if qtype in ("radios", "checkboxes") and "options" not in extra:
        data["options"] = [{"value": v, "label": v.title()} for v in ("red", "green", "blue")]
    return Question.model_validate(data)


def accepted(q: Question, raw: RawAnswer) -> object:
    result = check(q, "q", raw, TODAY)
    assert result.ok, result.errors
    return result.value


def rejected(q: Question, raw: RawAnswer) -> list[str]:
    result: Checked = check(q, "q", raw, TODAY)
    assert not result.ok, result.value
    return [e.key for e in result.errors]


@pytest.mark.parametrize(("raw", "value"), [
    ("sw1a1aa", "SW1A 1AA"),
    (" de1 2ab ", "DE1 2AB"),
    ("DE1 2AB", "DE1 2AB"),
    ("de12ab", "DE1 2AB"),
    ("m1 1ae", "M1 1AE"),
    ("b33 8th", "B33 8TH"),
    ("cr2 6xh", "CR2 6XH"),
    ("dn55 1pt", "DN55 1PT"),
    ("ec1a 1bb", "EC1A 1BB"),
    ("w1a 0ax", "W1A 0AX"),
    ("SW1A-1AA", "SW1A 1AA"),
    ("sw1a.1aa", "SW1A 1AA"),
    ("gir 0aa", "GIR 0AA"),
])
def test_postcodes_are_upper_cased_and_spaced(raw: str, value: str) -> None:
    assert accepted(question("postcode"), raw) == value


@pytest.mark.parametrize("raw", ["SW1A", "1AA", "SW1A 1A", "SW1A 1AAA", "DE1 2CI",
                                 "12345", "DE1 2AB!", "ＤＥ１ ２ＡＢ"])
def test_not_postcodes(raw: str) -> None:
    assert rejected(question("postcode"), raw) == ["error.postcode"]


@pytest.mark.parametrize(("raw", "value"), [
    ("+44 7700 900982", "07700900982"),
    ("+447700900982", "07700900982"),
    ("0044 7700 900982", "07700900982"),
    ("+44 (0)7700 900982", "07700900982"),
    ("(01632) 960001", "01632960001"),
    ("01632 960 001", "01632960001"),
    ("01632-960-001", "01632960001"),
    ("01632.960.001", "01632960001"),
    ("  07700 900 982  ", "07700900982"),
    ("020 7946 0000", "02079460000"),
    ("0800 123 456", "0800123456"),
])
def test_uk_phone_numbers_are_reduced_to_digits(raw: str, value: str) -> None:
    assert accepted(question("phone"), raw) == value


@pytest.mark.parametrize("raw", ["999", "+1 202 555 0100", "00 44 7700", "07700 9OO 982",
                                 "7700 900982", "+44", "0044", "00000000000", "tel: 07700900982"])
def test_not_uk_phone_numbers(raw: str) -> None:
    assert rejected(question("phone"), raw) == ["error.phone"]


@pytest.mark.parametrize(("raw", "value"), [
    ("Name@Example.COM", "Name@example.com"),
    (" name@example.com ", "name@example.com"),
    ("first.last+tag@Sub.Example.Co.UK", "first.last+tag@sub.example.co.uk"),
    ("zoë@exämple.org", "zoë@exämple.org"),
])
def test_email_domain_is_lower_cased_local_part_kept(raw: str, value: str) -> None:
    assert accepted(question("email"), raw) == value


@pytest.mark.parametrize("raw", ["name", "name@", "@example.com", "name@example", "a@b@c.com",
                                 "name@example..com", "na..me@example.com", "name@.example.com",
                                 "name@example.com.", "na me@example.com"])
def test_not_email_addresses(raw: str) -> None:
    assert rejected(question("email"), raw) == ["error.email"]


def test_email_that_grows_when_lower_cased_is_still_within_the_limit() -> None:
    # "İ".lower() is two characters: an address that fits as typed can overflow when normalised.
    raw = "a@" + "İ" * 200 + ".org"
    assert len(raw) <= 254
    assert rejected(question("email"), raw) == ["error.too_long"]


@pytest.mark.parametrize(("raw", "rules", "value"), [
    ("1,000", {"max": 5000}, "1000"),
    ("3.0", {}, "3"),
    ("3.000", {}, "3"),
    (" 12 ", {}, "12"),
    ("1 000", {}, "1000"),
    ("007", {}, "7"),
    ("-4", {"min": -5}, "-4"),
    ("-0", {}, "0"),
    ("2.50", {"whole_number": False}, "2.5"),
    ("0.125", {"whole_number": False}, "0.125"),
    ("10", {"min": 10, "max": 10}, "10"),
    ("1,000,000", {"max": 2_000_000}, "1000000"),
    ("-1,250.5", {"min": -2000, "whole_number": False}, "-1250.5"),
])
def test_numbers(raw: str, rules: dict[str, Any], value: str) -> None:
    assert accepted(question("number", rules=rules), raw) == value


@pytest.mark.parametrize(("raw", "rules", "key"), [
    ("3.5", {}, "error.whole_number"),
    ("1e3", {}, "error.number"),
    ("½", {}, "error.number"),
    ("٣", {}, "error.number"),  # Arabic-Indic digit three: not sent as a number
    ("3-", {}, "error.number"),
    ("", {}, "error.required.enter"),
    ("9", {"max": 8}, "error.number_max"),
    ("0.5", {"min": 1, "whole_number": False}, "error.number_min"),
    ("inf", {}, "error.number"),
    ("NaN", {}, "error.number"),
    # A decimal comma (as typed in Polish or Romanian) is not a thousands separator: never 25.
    ("2,5", {"whole_number": False}, "error.number"),
    ("12,34", {}, "error.number"),
    ("1,00", {}, "error.number"),
    ("10 5", {}, "error.number"),
    ("1,000 ,000", {}, "error.number"),
])
def test_not_numbers(raw: str, rules: dict[str, Any], key: str) -> None:
    assert rejected(question("number", rules=rules), raw) == [key]


@pytest.mark.parametrize(("parts", "value"), [
    (DateParts("23", "11", "2026"), "2026-11-23"),
    (DateParts("1", "2", "2024"), "2024-02-01"),
    (DateParts("01", "02", "2024"), "2024-02-01"),
    (DateParts(" 29 ", " 2 ", " 2024 "), "2024-02-29"),
    (DateParts("31", "12", "1999"), "1999-12-31"),
])
def test_dates_become_iso(parts: DateParts, value: str) -> None:
    assert accepted(question("date"), parts) == value


@pytest.mark.parametrize(("parts", "keys"), [
    (DateParts("29", "2", "2026"), ["error.date.real"]),
    (DateParts("31", "4", "2026"), ["error.date.real"]),
    (DateParts("1", "1", "99"), ["error.date.real"]),
    (DateParts("1", "1", "20266"), ["error.date.real"]),
    (DateParts("1.5", "1", "2026"), ["error.date.real"]),
    (DateParts("-1", "1", "2026"), ["error.date.real"]),
    (DateParts("1", "Jan", "2026"), ["error.date.real"]),
    (DateParts("", "", "2026"), ["error.date.missing_day", "error.date.missing_month"]),
    (DateParts(), ["error.date.required"]),
])
def test_not_dates(parts: DateParts, keys: list[str]) -> None:
    assert rejected(question("date"), parts) == keys


def test_date_rules_count_from_today() -> None:
    past = question("date", rules={"not_in_future": True, "max_days_ago": 3})
    assert accepted(past, DateParts("20", "11", "2026")) == "2026-11-20"
    assert rejected(past, DateParts("19", "11", "2026")) == ["error.date.too_old"]
    assert rejected(past, DateParts("24", "11", "2026")) == ["error.date.future"]
    future = question("date", rules={"not_in_past": True, "max_days_ahead": 7})
    assert accepted(future, DateParts("30", "11", "2026")) == "2026-11-30"
    assert rejected(future, DateParts("1", "12", "2026")) == ["error.date.too_far"]
    assert rejected(future, DateParts("22", "11", "2026")) == ["error.date.past"]


def test_choices_are_returned_in_option_order_without_repeats() -> None:
    q = question("checkboxes")
    assert accepted(q, ("blue", "red", "blue")) == ("red", "blue")
    assert accepted(question("radios"), "green") == "green"
    assert accepted(question("yes_no"), "no") == "no"
    assert rejected(question("yes_no"), "No") == ["error.choose_listed"]
    assert check(question("checkboxes", optional=True), "q", (), TODAY).value is None


@pytest.mark.parametrize(("raw", "multiline", "value"), [
    ("  a  b  ", False, "a  b"),
    ("line 1\r\nline 2\rline 3", True, "line 1\nline 2\nline 3"),
    ("line 1\nline 2", False, "line 1 line 2"),
    ("tab\there", False, "tab here"),
    ("Ann\u2028Example", False, "Ann Example"),  # Unicode line separator
    ("one\u2029two", True, "one\ntwo"),  # Unicode paragraph separator
    ("bell\x07 and nul\x00", False, "bell and nul"),
    ("e\u0301", False, "é"),  # NFC: e + combining acute becomes one character
    ("zero\u200bwidth", False, "zerowidth"),
    ("\u202eRTL override", False, "RTL override"),
    ("👩\u200d👩\u200d👧", False, "👩\u200d👩\u200d👧"),  # joiners inside emoji are kept
    ("میں\u200cنے", False, "میں\u200cنے"),  # Urdu with a zero-width non-joiner
    ("שלום", False, "שלום"),
    ("مرحبا", False, "مرحبا"),
])
def test_clean_text(raw: str, multiline: bool, value: str) -> None:
    assert clean_text(raw, multiline=multiline) == value


def test_clean_text_refuses_lone_surrogates() -> None:
    assert clean_text("ab\ud83d", multiline=False) is None
    assert rejected(question("text"), "ab\ud83d") == ["error.characters"]


def test_optional_empty_answers_are_none() -> None:
    for qtype in ("text", "textarea", "number", "email", "phone", "postcode", "radios", "yes_no"):
        assert check(question(qtype, optional=True), "q", "  ", TODAY).value is None
    assert check(question("date", optional=True), "q", DateParts(" ", "", ""), TODAY).value is None

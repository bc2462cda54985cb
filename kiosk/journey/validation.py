"""Check and normalise one answer, GOV.UK style: validate on Continue, errors as message keys.

The checks each question type uses (`kiosk.journey.types` says which type uses which).
Every function here is total: any string a resident (or a fuzzer) can produce gives either a
normalised value or error keys, never an exception.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote

from kiosk.bookings.reference import normalise_reference
from kiosk.reference import is_reference

if TYPE_CHECKING:
    from kiosk.catalogue.question import Question


class DateParts(NamedTuple):
    """A date as typed into three boxes: kept as text so a wrong entry can be shown again."""

    day: str = ""
    month: str = ""
    year: str = ""


RawAnswer = str | tuple[str, ...] | DateParts
Answer = str | tuple[str, ...]


@dataclass(frozen=True)
class FieldError:
    """A problem with one field: `field` is the page id, or `<page id>-day|month|year`."""

    field: str
    key: str
    params: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Checked:
    value: Answer | None = None
    errors: tuple[FieldError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


_POSTCODE = re.compile(r"^(GIR0AA|[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2})$")
_EMAIL = re.compile(r"^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$")
_UK_PHONE = re.compile(r"^0[1-9][0-9]{8,9}$")
# HMRC's National Insurance number format: two letters (never D, F, I, Q, U or V; the second
# never O; never the prefixes BG, GB, KN, NK, NT, TN or ZZ), six digits, a suffix A to D.
_NI_NUMBER = re.compile(r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$")
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}
YES_NO = ("yes", "no")


def clean_text(text: str, *, multiline: bool) -> str | None:
    """NFC-normalise, drop invisible controls, trim. None if the text cannot be stored or sent."""
    if any(unicodedata.category(ch) == "Cs" for ch in text):
        return None
    text = unicodedata.normalize("NFC", text)
    keep = "\n" if multiline else ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")  # Unicode line/paragraph breaks
    if not multiline:
        text = text.replace("\n", " ")
    text = "".join(
        ch for ch in text
        if ch in keep or unicodedata.category(ch) not in _CONTROL or ch in "\u200c\u200d"
    )
    return text.strip()


def _err(page_id: str, key: str, **params: str) -> Checked:
    return Checked(errors=(FieldError(page_id, key, params),))


def check_one(question: Question, page_id: str, value: str, allowed: tuple[str, ...]) -> Checked:
    """One value from the offered ones."""
    if value == "":
        return Checked(value=None) if question.optional else _err(page_id, "error.required.choose")
    if value not in allowed:
        return _err(page_id, "error.choose_listed")
    return Checked(value=value)


def check_many(question: Question, page_id: str, chosen: tuple[str, ...],
               allowed: tuple[str, ...]) -> Checked:
    """Some of the offered values, kept in the order they were offered."""
    if not chosen:
        if question.optional:
            return Checked(value=None)
        return _err(page_id, "error.required.choose_many")
    if any(c not in allowed for c in chosen):
        return _err(page_id, "error.choose_listed")
    return Checked(value=tuple(v for v in allowed if v in chosen))


Normaliser = Callable[["Question", str, str], Checked]


def check_text(question: Question, page_id: str, raw: str, *, multiline: bool = False,
               normalise: Normaliser | None = None) -> Checked:
    """Typed text: cleaned, within its length rules, then normalised (`normalise`) and
    matched against the question's `pattern`."""
    text = clean_text(raw, multiline=multiline)
    if text is None:
        return _err(page_id, "error.characters")
    if text == "":
        return Checked(value=None) if question.optional else _err(page_id, "error.required.enter")
    limit = question.max_length()
    if limit is not None and len(text) > limit:
        return _err(page_id, "error.too_long", max=str(limit))
    rules = question.rules
    if rules.min_length is not None and len(text) < rules.min_length:
        return _err(page_id, "error.too_short", min=str(rules.min_length))
    if normalise is not None:
        result = normalise(question, page_id, text)
        if not result.ok:
            return result
        text = str(result.value)
        if limit is not None and len(text) > limit:  # case mapping can lengthen text (İ → i̇)
            return _err(page_id, "error.too_long", max=str(limit))
    if rules.pattern is not None and not re.fullmatch(rules.pattern, text):
        return _err(page_id, "error.pattern")
    return Checked(value=text)


def email(question: Question, page_id: str, text: str) -> Checked:
    if not _EMAIL.match(text) or ".." in text:
        return _err(page_id, "error.email")
    local, _, domain = text.rpartition("@")
    return Checked(value=f"{local}@{domain.lower()}")


def phone(question: Question, page_id: str, text: str) -> Checked:
    digits = re.sub(r"[\s().\-]", "", text.replace("(0)", ""))
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    if not _UK_PHONE.match(digits):
        return _err(page_id, "error.phone")
    return Checked(value=digits)


def postcode(question: Question, page_id: str, text: str) -> Checked:
    compact = re.sub(r"[\s.,\-]", "", text).upper()
    if not _POSTCODE.match(compact):
        return _err(page_id, "error.postcode")
    return Checked(value=f"{compact[:-3]} {compact[-3:]}")


def ni_number(question: Question, page_id: str, text: str) -> Checked:
    """A National Insurance number as typed (any case, spaces anywhere): kept compact and in
    capitals, `QQ123456C`; shown spaced (`spaced_ni_number`)."""
    compact = re.sub(r"\s", "", text).upper()
    if not _NI_NUMBER.match(compact):
        return _err(page_id, "error.ni_number")
    return Checked(value=compact)


def spaced_ni_number(value: str) -> str:
    """`QQ123456C` as printed on the card: `QQ 12 34 56 C`."""
    if len(value) != 9:
        return value
    return " ".join((value[:2], value[2:4], value[4:6], value[6:8], value[8]))


def reference(question: Question, page_id: str, text: str) -> Checked:
    """A receipt's reference as typed (any case, spaces, hyphens) or as its QR code holds it:
    the status page's URL (`https://hub.example/status/AB2CD3EF`), whose last part is taken."""
    candidate = text.split("?", 1)[0].split("#", 1)[0]
    if "/" in candidate:
        candidate = unquote(candidate.rstrip("/").rsplit("/", 1)[-1])
    compact = re.sub(r"[\s\-]", "", candidate).upper()
    if not is_reference(compact):
        return _err(page_id, "error.reference")
    return Checked(value=compact)


def booking_reference(question: Question, page_id: str, text: str) -> Checked:
    """A booking's reference as typed (any case, with or without dashes) or scanned from its
    confirmation's QR code: `BK-ABCD-2345`."""
    found = normalise_reference(text)
    if found is None:
        return _err(page_id, "error.booking_reference")
    return Checked(value=found)


def number(question: Question, page_id: str, text: str) -> Checked:
    # Commas and spaces only group thousands ("1,000"): "2,5" is not read as 25.
    if re.fullmatch(r"-?[0-9]{1,3}([, ][0-9]{3})+(\.[0-9]+)?", text):
        text = text.replace(",", "").replace(" ", "")
    compact = text
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", compact):
        return _err(page_id, "error.number")
    try:
        number = Decimal(compact)
    except InvalidOperation:
        return _err(page_id, "error.number")
    rules = question.rules
    if rules.whole_number and number != number.to_integral_value():
        return _err(page_id, "error.whole_number")
    if rules.min is not None and number < rules.min:
        return _err(page_id, "error.number_min", min=str(rules.min))
    if rules.max is not None and number > rules.max:
        return _err(page_id, "error.number_max", max=str(rules.max))
    if number == number.to_integral_value():
        return Checked(value=str(int(number)))
    return Checked(value=format(number.normalize(), "f"))


def check_date(question: Question, page_id: str, parts: DateParts, today: date) -> Checked:
    cleaned = [clean_text(p, multiline=False) or "" for p in parts]
    if not any(cleaned):
        if question.optional:
            return Checked(value=None)
        return _err(page_id, "error.date.required")
    names = ("day", "month", "year")
    missing = [n for n, v in zip(names, cleaned, strict=True) if v == ""]
    if missing:
        return Checked(errors=tuple(
            FieldError(f"{page_id}-{n}", f"error.date.missing_{n}") for n in missing
        ))
    if not all(re.fullmatch(r"[0-9]{1,4}", v) for v in cleaned) or len(cleaned[2]) != 4:
        return _err(page_id, "error.date.real")
    day, month, year = (int(v) for v in cleaned)
    try:
        when = date(year, month, day)
    except ValueError:
        return _err(page_id, "error.date.real")
    rules = question.rules
    if rules.not_in_future and when > today:
        return _err(page_id, "error.date.future")
    if rules.not_in_past and when < today:
        return _err(page_id, "error.date.past")
    if rules.max_days_ago is not None and (today - when).days > rules.max_days_ago:
        return _err(page_id, "error.date.too_old", days=str(rules.max_days_ago))
    if rules.max_days_ahead is not None and (when - today).days > rules.max_days_ahead:
        return _err(page_id, "error.date.too_far", days=str(rules.max_days_ahead))
    return Checked(value=when.isoformat())

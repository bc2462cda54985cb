"""The fields of a kiosk's JSON body, each checked: a field that is missing or not what it
should be is `invalid_input` (422) naming the field, never quoting its value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hub.appointments.codes import Refused
from hub.lookup_sources.gazetteer import normalise_postcode
from kiosk.journey.validation import clean_text

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HOLDER_MIN, HOLDER_MAX = 16, 128


def _invalid(name: str, expected: str) -> Refused:
    return Refused(422, "invalid_input", f"{name} must be {expected}", input_name=name)


class Fields:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self._doc = document
        language = document.get("language", "en")
        if not isinstance(language, str) or not _LANGUAGE.match(language):
            raise _invalid("language", "a language code like cy")
        self.language = language

    def text(self, name: str, *, limit: int, required: bool = True) -> str:
        value = self._doc.get(name, "")
        if value is None and not required:
            value = ""
        cleaned = clean_text(value, multiline=False) if isinstance(value, str) else None
        if cleaned is None or len(cleaned) > limit or (required and not cleaned):
            need = "text" if not required else "given, as text"
            raise _invalid(name, f"{need} of at most {limit} characters")
        return cleaned

    def identifier(self, name: str) -> str:
        value = self._doc.get(name)
        if not isinstance(value, str) or not _ID.match(value):
            raise _invalid(name, "an id like central-library")
        return value

    def holder(self) -> str:
        value = self._doc.get("holder")
        if not isinstance(value, str) or not HOLDER_MIN <= len(value) <= HOLDER_MAX \
                or not value.isascii() or not value.isprintable():
            raise _invalid("holder", f"the journey's token, {HOLDER_MIN} to {HOLDER_MAX} "
                           "printable ASCII characters")
        return value

    def integer(self, name: str, default: int) -> int:
        value = self._doc.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise _invalid(name, "a whole number")
        return value

    def flag(self, name: str) -> bool:
        value = self._doc.get(name, False)
        if not isinstance(value, bool):
            raise _invalid(name, "true or false")
        return value

    def postcode(self) -> str:
        value = self._doc.get("postcode")
        postcode = normalise_postcode(value) if isinstance(value, str) else None
        if postcode is None:
            raise _invalid("postcode", "a full UK postcode, like DE99 1AB")
        return postcode

    def email(self) -> str:
        email = self.text("email", limit=254, required=False)
        if email and not _EMAIL.match(email):
            raise _invalid("email", "an email address like name@example.com")
        return email

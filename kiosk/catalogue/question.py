"""One question in a service file: its type, words, options (listed or looked up) and rules.

The type is a name in the question-type registry (`kiosk.journey.types`); what the rest of
the question may say (options or not, their count) is the type's to decide.
"""

from __future__ import annotations

import re
import string
from decimal import Decimal
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kiosk.catalogue.app_texts import AppTexts
from kiosk.config_errors import FieldProblems, Loc
from kiosk.journey.types import types_in
from kiosk.localtext import LocalText

# Every error `kiosk.journey.validation` can give (its message key), with the placeholders its
# text is given. A question's `errors` may override any of these by its name (the key without
# "error."), or a group of them by the name's first part (`date`, `required`).
ERROR_PARAMS: dict[str, frozenset[str]] = {
    key: frozenset(params) for key, params in {
        "error.required.choose": (), "error.required.choose_many": (),
        "error.required.enter": (), "error.choose_listed": (), "error.characters": (),
        "error.too_long": ("max",), "error.too_short": ("min",), "error.pattern": (),
        "error.email": (), "error.phone": (), "error.postcode": (), "error.number": (),
        "error.whole_number": (), "error.number_min": ("min",), "error.number_max": ("max",),
        "error.reference": (), "error.booking_reference": (), "error.ni_number": (),
        "error.date.required": (), "error.date.missing_day": (), "error.date.missing_month": (),
        "error.date.missing_year": (), "error.date.real": (), "error.date.future": (),
        "error.date.past": (), "error.date.too_old": ("days",), "error.date.too_far": ("days",),
        "error.address.line1": (), "error.address.town": (), "error.address.postcode": (),
        "error.address.line1_too_long": ("max",), "error.address.line2_too_long": ("max",),
        "error.address.town_too_long": ("max",), "error.address.postcode_too_long": ("max",),
    }.items()
}


def override_names(key: str) -> tuple[str, ...]:
    """The names in a question's `errors` that can word error `key`, most specific first.

    `error.date.required` is worded by `date.required`, else `required`, else `date`.
    """
    short = key.removeprefix("error.")
    parts = short.split(".")
    names = [short]
    if "required" in parts and short != "required":
        names.append("required")
    if parts[0] not in names:
        names.append(parts[0])
    return tuple(names)


def _override_params(name: str) -> frozenset[str] | None:
    """The placeholders an override called `name` may use; None if no error has that name."""
    covered = [params for key, params in ERROR_PARAMS.items() if name in override_names(key)]
    if not covered:
        return None
    return frozenset.intersection(*covered)


def _placeholders(text: str) -> set[str] | None:
    """The `{name}` placeholders in `text`, or None if its braces are unbalanced."""
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError:
        return None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(Strict):
    value: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    label: LocalText
    hint: LocalText | None = None


class LookupSpec(Strict):
    """Where a page's options (or rows) come from: a named source the council answers, asked
    with some of the answers so far (`inputs`: the source's input name -> a page id)."""

    source: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    inputs: dict[str, str] = Field(default_factory=dict)


class Rules(Strict):
    """Validation beyond "required": each rule has its own error message key."""

    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    min: Decimal | None = None
    max: Decimal | None = None
    whole_number: bool = True
    not_in_future: bool = False
    not_in_past: bool = False
    max_days_ago: int | None = Field(default=None, ge=0)
    max_days_ahead: int | None = Field(default=None, ge=0)
    pattern: str | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"a regular expression (this one has {exc})") from None
        return pattern


class Question(Strict):
    type: str
    label: LocalText
    hint: LocalText | None = None
    summary_label: LocalText | None = None
    optional: bool = False
    personal: bool = False
    options: tuple[Option, ...] = ()
    options_from: LookupSpec | None = None
    rules: Rules = Rules()
    errors: dict[str, LocalText] = Field(default_factory=dict)
    # The type's default answer length, from the registry the question was loaded with.
    _type_max_length: int | None = PrivateAttr(None)

    @model_validator(mode="before")
    @classmethod
    def _type_words(cls, data: Any, info: ValidationInfo) -> Any:
        """A type that words its own pages (`QuestionType.default_texts`) fills in what the
        catalogue leaves out, in every language, from the app's message keys."""
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            return data
        qtype = types_in(info.context).get(data["type"])
        missing = {name: key for name, key in (qtype.default_texts if qtype else {}).items()
                   if data.get(name) is None}
        if not missing:
            return data
        words = AppTexts()
        return {**data, **{name: words(key) for name, key in missing.items()}}

    @field_validator("type")
    @classmethod
    def _registered(cls, name: str, info: ValidationInfo) -> str:
        types = types_in(info.context)
        if name not in types:
            raise ValueError(f"a question type ({', '.join(types.names())})")
        return name

    @model_validator(mode="after")
    def _options_fit_type(self, info: ValidationInfo) -> Question:
        qtype = types_in(info.context)[self.type]
        self._type_max_length = qtype.max_length
        problems: list[tuple[Loc, str, str]] = []
        count = len(self.options)
        if qtype.options == "listed" and self.options_from is not None:
            if self.options:
                problems.append((("options",), "options or options_from, not both",
                                 f"both ({count} option{'s' if count != 1 else ''})"))
        elif qtype.options == "listed":
            if count < 2:
                problems.append((("options",), f"at least 2 options for a {self.type} question "
                                 "(or options_from)", "1 option" if count == 1 else "none"))
            seen: set[str] = set()
            for index, option in enumerate(self.options):
                if option.value in seen:
                    problems.append((("options", index, "value"), "options with different values",
                                     f"{option.value!r} again"))
                seen.add(option.value)
        else:
            if self.options:
                problems.append((("options",), f"no options for a {self.type} question",
                                 f"{count} option{'s' if count != 1 else ''}"))
            if self.options_from is not None:
                problems.append((("options_from",), f"no options_from for a {self.type} question",
                                 f"source {self.options_from.source!r}"))
        if qtype.personal_required and not self.personal:
            problems.append((("personal",), f"personal: true for a {self.type} question (its "
                             "answer is never read aloud or shown unasked)",
                             "false" if "personal" in self.model_fields_set else "nothing"))
        problems.extend(self._error_problems())
        if problems:
            raise FieldProblems(problems)
        return self

    def _error_problems(self) -> list[tuple[Loc, str, str]]:
        """Error overrides must name an error, and use only the placeholders it is given."""
        problems: list[tuple[Loc, str, str]] = []
        for name, text in self.errors.items():
            allowed = _override_params(name)
            if allowed is None:
                names = sorted({n for key in ERROR_PARAMS for n in override_names(key)})
                problems.append((("errors", name), f"an error name ({', '.join(names)})",
                                 repr(name)))
                continue
            for language, words in text.root.items():
                used = _placeholders(words)
                wanted = ", ".join(f"{{{p}}}" for p in sorted(allowed)) or "none"
                if used is None:
                    problems.append((("errors", name, language),
                                     "text with balanced { } placeholders", repr(words)))
                elif used - allowed:
                    problems.append((("errors", name, language), f"placeholders among {wanted}",
                                     ", ".join(f"{{{p}}}" for p in sorted(used - allowed))))
        return problems

    def max_length(self) -> int | None:
        return self.rules.max_length or self._type_max_length

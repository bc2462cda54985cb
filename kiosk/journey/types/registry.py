"""The question types a catalogue may use, by name.

A registry is an immutable value handed to whoever needs it (the catalogue loader, the
engine, the speech script, the Open311 mapping); `builtin_types()` is the one every kiosk
uses. A test, or a council's own build, makes a bigger one with `with_types` and passes it
along: nothing global is changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from kiosk.journey.types import address, appointment, choice, typed
from kiosk.journey.types.base import QuestionType

CONTEXT_KEY = "question_types"
"""The pydantic validation context key the catalogue reads its registry from."""


class QuestionTypes(Mapping[str, QuestionType]):
    def __init__(self, types: tuple[QuestionType, ...]) -> None:
        by_name: dict[str, QuestionType] = {}
        for qtype in types:
            if qtype.name in by_name:
                raise ValueError(f"question type {qtype.name!r} registered twice")
            by_name[qtype.name] = qtype
        self._by_name = by_name

    def __getitem__(self, name: str) -> QuestionType:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __repr__(self) -> str:
        return f"QuestionTypes({', '.join(self._by_name)})"

    def with_types(self, *extra: QuestionType) -> QuestionTypes:
        """A new registry with `extra` added (a name already registered is an error)."""
        return QuestionTypes((*self._by_name.values(), *extra))

    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def context(self) -> dict[str, Any]:
        """The validation context that makes a catalogue accept these types."""
        return {CONTEXT_KEY: self}


@cache
def builtin_types() -> QuestionTypes:
    """The types every kiosk has. To add one, add it to a family module's `TYPES` (or add a
    family module here) and register its input widget in `ui/pages/inputs.py`."""
    return QuestionTypes((*choice.TYPES, *typed.TYPES, *address.TYPES, *appointment.TYPES))


def types_in(context: object) -> QuestionTypes:
    """The registry in a pydantic validation context, or the built-in one."""
    if isinstance(context, Mapping):
        found = context.get(CONTEXT_KEY)
        if isinstance(found, QuestionTypes):
            return found
    return builtin_types()

"""A condition in a service file: on an earlier answer, on what a lookup found, or on a
value worked out from the answers (`computed:`). Routes, a page's `when`, an evidence item's
`when` (and a delivery's) all say it the same way; `kiosk.journey.conditions` decides it."""

from __future__ import annotations

from pydantic import Field, model_validator

from kiosk.catalogue.question import Strict
from kiosk.config_errors import FieldProblems
from kiosk.identifiers import IDENTIFIER

ANSWER_OPERATORS = ("equals", "not_equals", "one_of", "includes", "answered")
COMPUTED_OPERATORS = ("equals", "not_equals", "one_of")
_SUBJECTS = ("answer", "result", "computed")


class Condition(Strict):
    """A test on an earlier answer (`answer:` and exactly one operator), on what a page's
    lookup found (`result:` and `empty: true|false`), or on a computed value (`computed:` and
    one of equals, not_equals, one_of)."""

    answer: str | None = Field(default=None, pattern=IDENTIFIER)
    result: str | None = Field(default=None, pattern=IDENTIFIER)
    computed: str | None = Field(default=None, pattern=IDENTIFIER)
    equals: str | None = None
    not_equals: str | None = None
    one_of: tuple[str, ...] | None = None
    includes: str | None = None
    answered: bool | None = None
    empty: bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        given = [n for n in (*ANSWER_OPERATORS, "empty") if getattr(self, n) is not None]
        subjects = [n for n in _SUBJECTS if getattr(self, n) is not None]
        if len(subjects) != 1:
            raise FieldProblems([((), "exactly one of answer (a page id), result (a page id) "
                                  "or computed (a computed value's id)",
                                  " and ".join(subjects) if subjects else "none of them")])
        if self.result is not None:
            if given != ["empty"]:
                raise FieldProblems([((), "empty: true or false with result",
                                      " and ".join(given) if given else "none")])
        elif self.computed is not None:
            if len(given) != 1 or given[0] not in COMPUTED_OPERATORS:
                raise FieldProblems([((), "exactly one of equals, not_equals, one_of with computed",
                                      " and ".join(given) if given else "none of them")])
        elif len(given) != 1 or given == ["empty"]:
            raise FieldProblems([((), "exactly one of equals, not_equals, one_of, includes, answered",
                                  " and ".join(given) if given else "none of them")])
        return self

    @property
    def page(self) -> str:
        """The page this condition looks at (a computed condition looks at none)."""
        page = self.answer if self.answer is not None else self.result
        if page is None:
            raise KeyError(f"computed condition {self.computed!r} looks at no page")
        return page

    def values(self) -> tuple[str, ...]:
        """The values this condition compares with."""
        if self.one_of is not None:
            return self.one_of
        return tuple(v for v in (self.equals, self.not_equals, self.includes) if v is not None)

    def operator(self) -> str:
        return next(n for n in (*ANSWER_OPERATORS, "empty") if getattr(self, n) is not None)

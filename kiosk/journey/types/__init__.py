"""Question types: one registration per type, asked by every part of the core.

`base.QuestionType` is what a type provides; `choice` and `typed` hold the built-in ones;
`registry` names them. See docs/catalogue.md, "Adding a question type".
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from kiosk.journey.types.base import CheckContext, DisplayContext, OptionsRule, QuestionType
from kiosk.journey.types.registry import QuestionTypes, builtin_types, types_in
from kiosk.journey.validation import Checked, RawAnswer

if TYPE_CHECKING:
    from kiosk.catalogue.question import Question

__all__ = [
    "CheckContext",
    "DisplayContext",
    "OptionsRule",
    "QuestionType",
    "QuestionTypes",
    "builtin_types",
    "check",
    "types_in",
]


def check(question: Question, page_id: str, raw: RawAnswer, today: date,
          types: QuestionTypes | None = None) -> Checked:
    """Validate `raw` for a question with its listed (or own) options."""
    qtype = (types or builtin_types())[question.type]
    allowed = qtype.own_values() or tuple(o.value for o in question.options)
    return qtype.check(question, page_id, raw, CheckContext(today, allowed))

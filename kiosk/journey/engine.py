"""The journey engine: answer, back, change, submit: page models in, page models out.

Pure state machine in the Home Assistant config-flow mould: no Qt, no I/O, no clock reads
(today's date comes from the caller), so every route of every service is testable headless.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from kiosk.catalogue.model import CHECK_ANSWERS, Condition, Question, Service, override_names
from kiosk.journey.pages import (
    CheckAnswersPage,
    ConfirmationPage,
    ErrorView,
    ExitPage,
    OptionView,
    PageModel,
    QuestionPage,
    SummaryRow,
)
from kiosk.journey.validation import YES_NO, Answer, DateParts, FieldError, RawAnswer, check
from kiosk.texts import Texts


class JourneyError(Exception):
    """An intent that makes no sense where the journey is (a bug in the caller, not input)."""


@dataclass(frozen=True)
class Where:
    """Where the journey is: a question page, check answers, an exit page, or done."""

    kind: str
    page_id: str = ""


CHECK = Where("check_answers")
DONE = Where("done")


def _empty_raw(question: Question) -> RawAnswer:
    if question.type == "checkboxes":
        return ()
    if question.type == "date":
        return DateParts()
    return ""


def condition_holds(condition: Condition, answers: dict[str, Answer | None]) -> bool:
    value = answers.get(condition.answer)
    if condition.answered is not None:
        return (value is not None) == condition.answered
    if condition.includes is not None:
        return isinstance(value, tuple) and condition.includes in value
    if isinstance(value, tuple):
        return False
    if condition.equals is not None:
        return value == condition.equals
    if condition.not_equals is not None:
        return value != condition.not_equals
    return condition.one_of is not None and value in condition.one_of


class JourneyEngine:
    """One resident's walk through one service. Dropped whole when the session ends."""

    def __init__(self, service: Service, texts: Texts, today: Callable[[], date]) -> None:
        self.service = service
        self.texts = texts
        self._today = today
        self.submission_id = uuid.uuid4().hex
        self._raw: dict[str, RawAnswer] = {}
        self._accepted_raw: dict[str, RawAnswer] = {}
        self._answers: dict[str, Answer | None] = {}
        self._errors: tuple[FieldError, ...] = ()
        self._where = Where("page", service.pages[0].id)
        self._changing = False
        self._exit_from = ""
        self._confirmation: tuple[str, bool] | None = None

    # ----- routing -------------------------------------------------------------------------

    def _route(self, page_id: str) -> Where:
        for route in self.service.page(page_id).routes:
            if condition_holds(route.when, self._answers):
                if route.exit is not None:
                    return Where("exit", route.exit)
                return CHECK if route.goto == CHECK_ANSWERS else Where("page", str(route.goto))
        target = self.service.default_next(page_id)
        return CHECK if target == CHECK_ANSWERS else Where("page", target)

    def path(self) -> list[str]:
        """The question pages on the resident's route, as far as their answers reach."""
        pages: list[str] = []
        where = Where("page", self.service.pages[0].id)
        while where.kind == "page" and where.page_id not in pages:
            pages.append(where.page_id)
            if where.page_id not in self._answers:
                break
            where = self._route(where.page_id)
        return pages

    def _first_gap(self) -> Where:
        """The first unanswered page on the route, or check answers when there is none."""
        for page_id in self.path():
            if page_id not in self._answers:
                return Where("page", page_id)
        last = self.path()[-1]
        ending = self._route(last)
        return ending if ending.kind == "exit" else CHECK

    # ----- intents -------------------------------------------------------------------------

    @property
    def where(self) -> Where:
        return self._where

    def start(self) -> PageModel:
        return self.current()

    def answer(self, page_id: str, raw: RawAnswer) -> PageModel:
        """Continue from a question page. A stale tap (another page showing) changes nothing."""
        if self._where != Where("page", page_id):
            return self.current()
        question = self.service.page(page_id).question
        self._raw[page_id] = raw
        result = check(question, page_id, raw, self._today())
        if not result.ok:
            self._errors = result.errors
            return self.current()
        self._errors = ()
        self._answers[page_id] = result.value
        self._accepted_raw[page_id] = raw
        target = self._route(page_id)
        if target.kind == "exit":
            self._exit_from = page_id
            self._where = target
        elif self._changing:
            self._where = self._first_gap()
            self._changing = self._where.kind == "page"
        else:
            self._where = target
        return self.current()

    def back(self) -> PageModel | None:
        """One page back; None when the resident backs out of the first page."""
        self._errors = ()
        where = self._where
        if where.kind == "page":
            # Leaving without Continue keeps nothing typed here: show the saved answer again.
            if where.page_id in self._accepted_raw:
                self._raw[where.page_id] = self._accepted_raw[where.page_id]
            else:
                self._raw.pop(where.page_id, None)
        if where.kind == "page" and self._changing:
            self._changing = False
            self._where = self._first_gap()
        elif where.kind == "page":
            path = self.path()
            position = path.index(where.page_id) if where.page_id in path else 0
            if position == 0:
                return None
            self._where = Where("page", path[position - 1])
        elif where.kind == "check_answers":
            self._where = Where("page", self.path()[-1])
        elif where.kind == "exit":
            self._where = Where("page", self._exit_from)
        return self.current()

    def change(self, page_id: str) -> PageModel:
        """From check answers, reopen one answer; Continue comes back to check answers."""
        if self._where != CHECK or page_id not in self.path():
            raise JourneyError(f"cannot change {page_id!r} from {self._where}")
        self._changing = True
        self._where = Where("page", page_id)
        return self.current()

    def keep_typed(self, page_id: str, raw: RawAnswer) -> None:
        """Hold what is typed on the current page without checking it, so a re-render (new
        text size, colours or language) shows it again exactly as it was."""
        if self._where == Where("page", page_id):
            self._raw[page_id] = raw

    def answers(self) -> dict[str, Answer | None]:
        """The answers on the resident's route (answers on abandoned branches are left out)."""
        return {pid: self._answers[pid] for pid in self.path() if pid in self._answers}

    def ready_to_submit(self) -> bool:
        return self._where == CHECK

    def finish(self, reference: str, delivered: bool) -> PageModel:
        """After the outbox has durably accepted the submission: the confirmation page."""
        if self._where not in (CHECK, DONE):
            raise JourneyError(f"cannot finish from {self._where}")
        self._where = DONE
        self._confirmation = (reference, delivered)
        return self.current()

    # ----- page models ---------------------------------------------------------------------

    def current(self) -> PageModel:
        """The page for where the journey is, in the current language (re-render at will)."""
        where, t, service = self._where, self.texts, self.service
        lang = t.language
        title = service.title.get(lang)
        if where.kind == "page":
            return self._question_page(where.page_id)
        if where.kind == "exit":
            page = service.exit_page(where.page_id)
            return ExitPage(where.page_id, title, page.title.get(lang), page.body.get(lang))
        if where.kind == "check_answers":
            return CheckAnswersPage(
                title, service.check_answers.title.get(lang), tuple(self._rows()),
                service.check_answers.submit_label.get(lang),
            )
        assert self._confirmation is not None
        reference, delivered = self._confirmation
        return ConfirmationPage(
            title, service.confirmation.title.get(lang), reference,
            service.confirmation.next_steps.get(lang), delivered,
        )

    def _question_page(self, page_id: str) -> QuestionPage:
        question = self.service.page(page_id).question
        lang = self.texts.language
        raw = self._raw.get(page_id, _empty_raw(question))
        options = self._options(question, raw)
        errors = tuple(
            ErrorView(e.field, self._error_text(question, e)) for e in self._errors
        )
        return QuestionPage(
            page_id=page_id,
            service_title=self.service.title.get(lang),
            title=question.label.get(lang),
            hint=question.hint.get(lang) if question.hint else None,
            qtype=question.type,
            optional=question.optional,
            personal=question.personal,
            options=options,
            value=raw,
            max_length=question.max_length(),
            errors=errors,
            changing=self._changing,
        )

    def _options(self, question: Question, raw: RawAnswer) -> tuple[OptionView, ...]:
        lang = self.texts.language
        chosen = raw if isinstance(raw, tuple) else (raw,)
        if question.type == "yes_no":
            return tuple(
                OptionView(v, self.texts(f"answer.{v}"), None, v in chosen) for v in YES_NO
            )
        return tuple(
            OptionView(o.value, o.label.get(lang), o.hint.get(lang) if o.hint else None,
                       o.value in chosen)
            for o in question.options
        )

    def _error_text(self, question: Question, error: FieldError) -> str:
        for name in override_names(error.key):
            override = question.errors.get(name)
            if override is not None:
                return override.get(self.texts.language).format(**error.params)
        return self.texts(error.key, **error.params)

    def display(self, page_id: str) -> str:
        """An answer as words for check answers (and the speech script)."""
        question = self.service.page(page_id).question
        value = self._answers.get(page_id)
        t, lang = self.texts, self.texts.language
        if value is None:
            return t("answer.not_provided")
        if question.type == "yes_no":
            return t(f"answer.{value}")
        labels = {o.value: o.label.get(lang) for o in question.options}
        if isinstance(value, tuple):
            return "\n".join(labels.get(v, v) for v in value)
        if question.type == "radios":
            return labels.get(value, value)
        if question.type == "date":
            year, month, day = value.split("-")
            return t("date.long", day=str(int(day)), month=t(f"month.{int(month)}"), year=year)
        return value

    def _rows(self) -> list[SummaryRow]:
        lang = self.texts.language
        rows = []
        for page_id in self.path():
            question = self.service.page(page_id).question
            label = (question.summary_label or question.label).get(lang)
            rows.append(SummaryRow(page_id, label, self.display(page_id), question.personal))
        return rows

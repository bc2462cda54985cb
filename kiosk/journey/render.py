"""Page models for where a journey is, in the current language: the engine's view side.

Kept apart from `engine` so the state machine reads as routing and intents only; this reads
the engine's state (through its small accessor methods) and never changes it.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from kiosk.catalogue.model import Page
from kiosk.catalogue.question import Question, override_names
from kiosk.journey.pages import (
    CheckAnswersPage,
    ConfirmationPage,
    ErrorView,
    EvidenceView,
    ExitPage,
    InfoPage,
    LookupFailedPage,
    OptionView,
    PageModel,
    QuestionPage,
    ResultPage,
    SummaryRow,
    WaitingPage,
)
from kiosk.journey.result_rows import row_format
from kiosk.journey.types import DisplayContext
from kiosk.journey.validation import FieldError

if TYPE_CHECKING:
    from kiosk.journey.engine import JourneyEngine


class Renderer:
    def __init__(self, engine: JourneyEngine) -> None:
        # A proxy, not a reference: the engine owns this renderer, and a cycle between them
        # kept an ended visit's answers in memory until a full garbage collection.
        self.engine: JourneyEngine = weakref.proxy(engine)

    def current(self) -> PageModel:
        engine = self.engine
        where, service, t = engine.where, engine.service, engine.texts
        lang = t.language
        title = service.title.get(lang)
        if where.kind == "page":
            return self._page(service.page(where.page_id))
        if where.kind == "exit":
            page = service.exit_page(where.page_id)
            return ExitPage(where.page_id, title, page.title.get(lang), page.body.get(lang))
        if where.kind == "check_answers":
            words = service.check_answers
            assert words is not None  # only a service that sends reaches check answers
            return CheckAnswersPage(title, words.title.get(lang), tuple(self.rows()),
                                    words.submit_label.get(lang), *self._evidence())
        confirmation = engine.confirmation()
        assert confirmation is not None
        assert service.confirmation is not None
        reference, delivered = confirmation
        told = engine.told()
        return ConfirmationPage(
            title, service.confirmation.title.get(lang), reference,
            service.confirmation.next_steps.get(lang), delivered, *self._evidence(),
            told=tuple(d.label.get(lang) for d in service.deliveries if d.id in told),
        )

    def _evidence(self) -> tuple[tuple[EvidenceView, ...], str]:
        """The evidence that applies, and its heading (none: no heading either)."""
        engine = self.engine
        lang = engine.texts.language
        items = tuple(EvidenceView(item.label.get(lang), item.hint.get(lang) if item.hint else None)
                      for item in engine.evidence())
        return items, engine.texts("evidence.heading") if items else ""

    def _page(self, page: Page) -> PageModel:
        engine, t = self.engine, self.engine.texts
        lang = t.language
        service_title = engine.service.title.get(lang)
        request = engine.request_for(page.id)
        if request is not None and engine.loaded(page.id) is None:
            reason = engine.failure(page.id)
            if reason is not None:
                return LookupFailedPage(page.id, service_title, t("lookup.failed.title"),
                                        t("lookup.failed.body"), t("lookup.failed.staff"),
                                        reason, self._ways_on(page))
            return WaitingPage(page.id, service_title, t("lookup.waiting.title"),
                               t("lookup.waiting.hint"), request)
        if page.info is not None:
            return InfoPage(page.id, service_title, page.info.title.get(lang),
                            page.info.body.get(lang), final=engine.final(page.id))
        if page.result is not None:
            spec, loaded = page.result, engine.loaded(page.id)
            items = loaded.items if loaded is not None else ()
            return ResultPage(
                page.id, service_title, spec.title.get(lang),
                spec.hint.get(lang) if spec.hint else None,
                row_format(spec.show)(items, t),
                spec.empty.get(lang) if spec.empty else t("result.none_found"),
                final=engine.final(page.id), printable=spec.printable and bool(items),
                offer=spec.offer.label.get(lang) if spec.offer and items else None,
            )
        return self._question(page)

    def _question(self, page: Page) -> QuestionPage:
        engine = self.engine
        question = page.question
        lang = engine.texts.language
        qtype = engine.types[question.type]
        lead = engine.service.lead(page.id)
        raw = engine.raw(page.id, qtype.start(engine.answer_value(lead)) if lead != page.id
                         else qtype.empty())
        chosen = raw if isinstance(raw, tuple) else (raw,)
        options = tuple(OptionView(value, label, hint, value in chosen)
                        for value, label, hint in engine.items(page.id))
        errors = tuple(ErrorView(e.field, self._error_text(question, e))
                       for e in engine.errors())
        return QuestionPage(
            page_id=page.id,
            service_title=engine.service.title.get(lang),
            title=question.label.get(lang),
            hint=question.hint.get(lang) if question.hint else None,
            qtype=question.type,
            optional=question.optional,
            personal=question.personal,
            options=options,
            value=raw,
            max_length=question.max_length(),
            errors=errors,
            changing=engine.changing(),
        )

    def _ways_on(self, page: Page) -> tuple[OptionView, ...]:
        """The options that stay open when a question's lookup fails (`extra_options`)."""
        if page.asks is None:
            return ()
        extra = self.engine.types[page.question.type].extra_options(self.engine.texts,
                                                                    lookup_failed=True)
        return tuple(OptionView(value, label, None, False) for value, label in extra)

    def _error_text(self, question: Question, error: FieldError) -> str:
        texts = self.engine.texts
        for name in override_names(error.key):
            override = question.errors.get(name)
            if override is not None:
                return override.get(texts.language).format(**error.params)
        return texts(error.key, **error.params)

    def display(self, page_id: str) -> str:
        engine = self.engine
        value = engine.answer_value(page_id)
        if value is None:
            return engine.texts("answer.not_provided")
        page = engine.service.page(page_id)
        labels = {v: label for v, label, _ in engine.items(page_id)}
        labels.update(engine.chosen_labels(page_id))
        qtype = engine.types[page.question.type]
        return qtype.display(value, DisplayContext(engine.texts, labels))

    def rows(self) -> list[SummaryRow]:
        """One row per question the resident answered; the pages an address question was
        expanded into are one row, under its own page, showing the last of them answered
        (the address chosen or typed), whose Change returns to the postcode."""
        engine = self.engine
        lang = engine.texts.language
        shown: dict[str, str] = {}
        for page_id in engine.answers():
            shown[engine.service.lead(page_id)] = page_id
        rows = []
        for lead, page_id in shown.items():
            question = engine.service.page(lead).question
            label = (question.summary_label or question.label).get(lang)
            rows.append(SummaryRow(lead, label, self.display(page_id), question.personal))
        return rows

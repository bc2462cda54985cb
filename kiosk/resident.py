"""One resident's visit, end to end, with no UI: choose, answer, submit, confirm, print.

The UI drives this exactly as tests do. It owns the journey engine for the session and
nothing else that outlives it; dropping the object drops every answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from accessibility.languages import FALLBACK, Translator, language
from kiosk.bookings.base import Bookings
from kiosk.bookings.journey import journey_for
from kiosk.calls.base import Calls
from kiosk.catalogue import Catalogue, Service
from kiosk.catalogue.model import EVIDENCE_SEEN
from kiosk.clock import UK, Clock, uk_today
from kiosk.journey.carry import carry_answers
from kiosk.journey.engine import JourneyEngine, JourneyError
from kiosk.journey.pages import PageModel, ResultPage
from kiosk.journey.validation import RawAnswer
from kiosk.lookups.base import Lookup, LookupRequest, LookupResult, LookupUnavailable
from kiosk.page_print import Printout, print_job, rows_in
from kiosk.profile import Profile
from kiosk.receipt import Receipt, receipt_document
from kiosk.reference import new_reference
from kiosk.saved.base import SavedApplications
from kiosk.staff import StaffSession
from kiosk.submission import Submission, open311_parameters
from kiosk.texts import Texts
from peripherals.printer.base import PaperSpec, PrintResult, ReceiptPrinter
from peripherals.printer.preview import render_preview_png
from peripherals.receipt_document import QRBlock, ReceiptDocument

log = logging.getLogger(__name__)


class Accepts(Protocol):
    """The outbox as this module needs it: a durable enqueue (of one row, or of all the rows
    of a "tell us once" submission in one transaction)."""

    def enqueue(self, submission: Submission) -> object: ...

    def enqueue_all(self, submissions: Sequence[Submission]) -> object: ...


DeliverNow = Callable[[str], bool]


@dataclass(frozen=True)
class PartState:
    """One delivery of a "tell us once" submission as Send left it: its id (the catalogue's
    delivery id), and whether its back office already has it."""

    part: str
    delivered: bool


@dataclass(frozen=True)
class SubmitOutcome:
    """What the confirmation page needs: never any of the resident's answers."""

    reference: str
    delivered: bool
    printed: bool
    print_error: str | None
    receipt: ReceiptDocument
    preview_png: bytes
    # Each delivery's state at print time ("tell us once"); empty for one destination.
    parts: tuple[PartState, ...] = ()

    @property
    def qr_payload(self) -> str | None:
        """The receipt's QR link (the status page), for the screen when paper failed."""
        return next((b.payload for b in self.receipt.blocks if isinstance(b, QRBlock)), None)


class SubmitFailed(Exception):
    """The outbox could not durably accept the submission: nothing was sent or saved."""


@dataclass
class KioskParts:
    """Long-lived collaborators, built once by the composition root and shared by sessions."""

    profile: Profile
    catalogue: Catalogue
    texts: Texts
    clock: Clock
    outbox: Accepts
    printer: ReceiptPrinter
    paper: PaperSpec
    deliver_now: DeliverNow | None = None
    # Answers a journey's lookups (addresses, collection days); None: pages that need one
    # say "we cannot look this up right now".
    lookup: Lookup | None = None
    # The council's appointments diary (booking journeys); None: they say it cannot be asked.
    bookings: Bookings | None = None
    # The council's advisor call queue; None: "Talk to an advisor" says calls cannot be made.
    calls: Calls | None = None
    # Who keeps saved applications (save and come back); None: nobody, and it is not offered.
    saved: SavedApplications | None = None


class ResidentSession:
    def __init__(self, parts: KioskParts) -> None:
        self.parts = parts
        self.engine: JourneyEngine | None = None
        # Who is helping, and who entered each answer; made and dropped with the session.
        self.staff = StaffSession()
        self._reference: str | None = None
        self.outcome: SubmitOutcome | None = None
        # A library card number scanned during the visit: an optional identifier for
        # journeys that ask for one. Lives and dies with the session; never logged.
        self.library_card: str | None = None

    @property
    def assisted(self) -> bool:
        return self.staff.assisted

    @property
    def reference(self) -> str:
        """The session's reference, made on first use: the receipt shows it, and the staff
        audit log uses it to tie staff actions to a visit without naming the resident."""
        if self._reference is None:
            self._reference = new_reference()
        return self._reference

    def answer(self, page_id: str, raw: RawAnswer) -> PageModel:
        """Answer a page, noting whether staff or the resident entered it."""
        engine = self._engine()
        model = engine.answer(page_id, raw)
        if engine.service.page(page_id).kind == "question":  # Continue on a page is no entry
            # The staff's evidence page is staff's to answer (it shows only while they assist).
            staff_page = page_id == EVIDENCE_SEEN and self.staff.allows("assist")
            self.staff.record_entry(page_id, "staff" if staff_page else self.staff.entering())
        return model

    # ----- lookups: the UI runs `run_lookup` off the GUI thread, then `lookup_finished` ----

    def pending_lookup(self) -> LookupRequest | None:
        """What the page on screen waits for (its `WaitingPage.request`), if anything."""
        return self.engine.pending_lookup() if self.engine is not None else None

    def run_lookup(self, request: LookupRequest) -> LookupResult:
        """Ask the council (`ask_council` with this kiosk's backend). Blocking."""
        return ask_council(self.parts.lookup, request)

    def lookup_finished(self, request: LookupRequest,
                        outcome: LookupResult | LookupUnavailable) -> PageModel:
        """Hand a finished lookup back (on the GUI thread): the page to show now. A result
        the journey no longer waits for (the resident went back) changes nothing."""
        engine = self._engine()
        if isinstance(outcome, LookupUnavailable):
            return engine.lookup_failed(request, outcome.reason)
        return engine.lookup_done(request, outcome)

    def services(self) -> tuple[Service, ...]:
        return self.parts.catalogue.services

    def choose(self, service_id: str) -> PageModel:
        parts = self.parts
        service = parts.catalogue.service(service_id)
        # A partial over the clock, not a lambda over self: a closure over the session held by
        # its own engine is a reference cycle that kept ended visits' answers in memory.
        self.engine = journey_for(service, parts.texts, partial(uk_today, parts.clock),
                                  hold_seconds=parts.profile.bookings.hold_seconds,
                                  offered={s.id for s in parts.catalogue},
                                  assisted=self._staff_assisting())
        self.outcome = None
        return self.engine.start()

    def take_offer(self) -> PageModel:
        """From a result page that offers another service ("Report a missed bin"): start it
        with the answers the offer carries (the address) already given."""
        engine = self._engine()
        where = engine.where
        spec = engine.service.page(where.page_id).result if where.kind == "page" else None
        if spec is None or spec.offer is None:
            raise JourneyError(f"no offer at {where}")
        following = JourneyEngine(self.parts.catalogue.service(spec.offer.service),
                                  self.parts.texts, partial(uk_today, self.parts.clock),
                                  assisted=self._staff_assisting())
        known = self.staff.entered_by()
        for page_id, from_id in carry_answers(engine, following, spec.offer.carry).items():
            if from_id in known:  # who entered it then entered it now
                self.staff.record_entry(page_id,
                                        "staff" if known[from_id] == "staff" else "resident")
        self.engine, self.outcome = following, None
        return following.current()

    def _staff_assisting(self) -> Callable[[], bool]:
        """Whether staff who may assist are signed in now, for the engine (the staff's
        evidence page is on the route only then). Bound to the staff side, not the session:
        the session's engine holding the session would be a reference cycle."""
        return partial(self.staff.allows, "assist")

    def leave_service(self) -> None:
        self.engine = None

    def prepare_submission(self) -> Submission:
        """The one submission of a service with one destination (see `prepare_submissions`)."""
        return self.prepare_submissions()[0]

    def prepare_submissions(self) -> tuple[Submission, ...]:
        """Freeze the answers into submissions (on the GUI thread, before any I/O): one for a
        service with one destination, one per chosen delivery of a "tell us once" service,
        all under the one reference. Each holds only what its own mapping sends."""
        engine = self._engine()
        service = engine.service
        if not engine.ready_to_submit() or not service.mappings():
            raise SubmitFailed("not on check answers")
        chosen = [("", service.destination)] if service.destination is not None else [
            (d.id, d.destination) for d in service.deliveries
            if d.when is None or engine.holds(d.when)]
        if not chosen:
            raise SubmitFailed("no delivery chosen")
        answers = engine.answers()
        labels = {page_id: engine.chosen_labels(page_id) for page_id in answers}
        created = self.parts.clock.now().isoformat()
        made = []
        seen = self._evidence_seen(engine)
        note = _evidence_note(service, seen.get("evidence_seen", ()), seen.get("evidence_seen_by"))
        for part, mapping in chosen:
            attributes, fields = open311_parameters(service, answers, engine.answer_data(),
                                                    engine.types, labels=labels, mapping=mapping)
            if note:  # every back office reads the description; not all read our JSON keys
                fields["description"] = "\n\n".join(filter(None, (fields.get("description"), note)))
            made.append(Submission(
                submission_id=f"{engine.submission_id}-{part}" if part else engine.submission_id,
                reference=self.reference,
                service_id=service.id,
                service_version=service.version,
                created_at=created,
                destination=mapping.to,
                service_code=mapping.service_code,
                attributes=attributes,
                fields=fields,
                language=self.parts.texts.language,
                assisted=self.assisted,
                entered_by=self.staff.entered_by(),
                part=part,
                **seen,
            ))
        return tuple(made)

    def _evidence_seen(self, engine: JourneyEngine) -> dict[str, Any]:
        """What staff ticked on their evidence page, and their role: only while they are
        still assisting at Send (the page is then on the route), else nothing."""
        actor = self.staff.actor
        if actor is None or EVIDENCE_SEEN not in engine.answers():
            return {}
        return {"evidence_seen": list(engine.evidence_seen()), "evidence_seen_by": actor.role}

    def delivery(self, submission: Submission | Sequence[Submission]
                 ) -> Callable[[], SubmitOutcome]:
        """The background half of Send (enqueue, deliver, print), made on the GUI thread. It
        holds the parts, the submissions and the receipt's wording, never the session: a visit
        ended while its receipt prints is still provably gone from memory, and its submission
        still reaches the outbox."""
        submissions = (submission,) if isinstance(submission, Submission) else tuple(submission)
        texts = self._receipt_texts()
        engine = self._engine()
        # The evidence's generic labels only (what to bring), never an answer.
        evidence = tuple(item.label.get(texts.language) for item in engine.evidence())
        receipt = partial(_receipt, self.parts, engine.service, texts.language, evidence)
        return partial(deliver_and_print, self.parts, submissions, receipt, texts)

    def deliver_and_print(self, submission: Submission | Sequence[Submission]) -> SubmitOutcome:
        """`delivery(submission)` run at once (headless callers and tests)."""
        return self.delivery(submission)()

    def printout(self, page: ResultPage) -> Callable[[], bool]:
        """The background half of "Print this" on a result page, made on the GUI thread: it
        holds the printer and the page's words, never the session. In a language receipt
        printers cannot print (Urdu), the council is asked again in English."""
        engine = self._engine()
        service, profile = engine.service, self.parts.profile
        current = self.parts.texts.language
        use = current if language(current).printable else FALLBACK
        spec = service.page(page.page_id).result
        now = self.parts.clock.now()
        printout = Printout(
            council_name=profile.council.name.get(use), site_name=profile.site.name.get(use),
            contact_line=profile.council.contact_line.get(use),
            service_title=service.title.get(use),
            title=spec.title.get(use) if spec is not None else page.title,
            hint=spec.hint.get(use) if spec is not None and spec.hint else None,
            rows=page.rows, printed_at=now, job_name=f"{page.page_id}-{now:%Y%m%d-%H%M%S}")
        request = engine.request_for(page.page_id)
        ask_again = (rows_in(self.parts.lookup, request, use, spec.show if spec else None)
                     if use != current and request is not None else None)
        return partial(print_job, self.parts.printer, printout, ask_again)

    def finish(self, outcome: SubmitOutcome) -> PageModel:
        self.outcome = outcome
        return self._engine().finish(outcome.reference, outcome.delivered,
                                     told=tuple(p.part for p in outcome.parts))

    def _receipt_texts(self) -> Texts:
        """The session's language, unless receipt printers cannot print its script (Urdu):
        then English, so the paper is readable and carries the same reference and QR. A copy,
        not the shared translator: the next visit may switch that before this receipt prints."""
        current = self.parts.texts.language
        return Translator(current if language(current).printable else FALLBACK)

    def _engine(self) -> JourneyEngine:
        if self.engine is None:
            raise SubmitFailed("no service chosen")
        return self.engine


def deliver_and_print(parts: KioskParts, submissions: Sequence[Submission],
                      receipt: Callable[[str, tuple[PartState, ...]], Receipt],
                      texts: Texts) -> SubmitOutcome:
    """Durably enqueue, ask the relay to deliver at once, print the receipt. Safe off the GUI
    thread.

    The outbox's UNIQUE submission id makes a double tap harmless: the second call finds the
    first row and reuses its reference. The rows of a "tell us once" submission are enqueued
    together (all or none), then each delivered on its own: one back office down delays only
    its own row, and the receipt says which were sent and which wait.
    """
    first = submissions[0]
    try:
        if len(submissions) == 1 and not first.part:
            accepted: object = parts.outbox.enqueue(first)
        else:
            accepted = parts.outbox.enqueue_all(submissions)
    except Exception as exc:
        log.error("outbox refused submission %s: %s", first.submission_id, type(exc).__name__)
        raise SubmitFailed(type(exc).__name__) from exc
    reference = str(getattr(accepted, "reference", first.reference))
    ids = [s.submission_id for s in submissions]
    if len(ids) == 1:
        sent = [_deliver_now(parts, ids[0])]
    else:
        # All at once: one back office that is down must not add its wait to every other's,
        # with the resident watching the screen (the relay serves each request on its own).
        with ThreadPoolExecutor(max_workers=len(ids), thread_name_prefix="send-now") as pool:
            sent = list(pool.map(partial(_deliver_now, parts), ids))
    states = tuple(PartState(s.part, ok) for s, ok in zip(submissions, sent, strict=True)
                   if s.part)
    document = receipt_document(receipt(reference, states), texts)
    try:
        result = parts.printer.print_receipt(document, reference)
    except Exception as exc:  # noqa: BLE001 - a printer bug must not lose the confirmation
        log.error("printer raised %s", type(exc).__name__)
        result = PrintResult(False, 0, "printer_error")
    preview = render_preview_png(document, parts.paper)
    return SubmitOutcome(reference, all(sent), result.ok, result.error, document, preview,
                         states)


def _deliver_now(parts: KioskParts, submission_id: str) -> bool:
    if parts.deliver_now is None:
        return False
    try:
        return parts.deliver_now(submission_id)
    # Delivery is retried by the relay; a failure here must never fail the resident.
    except Exception as exc:  # noqa: BLE001
        log.warning("immediate delivery of %s failed: %s", submission_id, type(exc).__name__)
        return False


def _receipt(parts: KioskParts, service: Service, lang: str, evidence: tuple[str, ...],
             reference: str, states: tuple[PartState, ...] = ()) -> Receipt:
    profile = parts.profile
    mappings = service.mappings()
    assert mappings, "only a service that sends prints a receipt"
    assert service.confirmation is not None
    destination = profile.destinations[mappings[0][1].to]
    labels = {d.id: d.label.get(lang) for d in service.deliveries}
    return Receipt(
        council_name=profile.council.name.get(lang),
        site_name=profile.site.name.get(lang),
        service_title=service.title.get(lang),
        reference=reference,
        created=parts.clock.now().astimezone(UK),
        next_steps=service.confirmation.next_steps.get(lang),
        status_url=destination.status_url.format(reference=reference),
        contact_line=profile.council.contact_line.get(lang),
        evidence=evidence,
        services=tuple((labels.get(s.part, s.part), s.delivered) for s in states),
    )


def _evidence_note(service: Service, seen: Sequence[str], role: str | None) -> str:
    """"Documents seen by staff (adviser): Proof of identity; A recent photo", in English
    like the rest of what back offices read; empty when staff ticked nothing."""
    if not seen or not role:
        return ""
    labels = {item.id: item.label.get("en") for item in service.evidence}
    words = [labels.get(i, "None of these") for i in seen]
    return f"Documents seen by staff ({role}): " + "; ".join(words)


def ask_council(backend: Lookup | None, request: LookupRequest) -> LookupResult:
    """Ask the council. Blocking (run it off the GUI thread); holds no session, so a visit
    ended while its lookup waits is still provably gone from memory.

    Raises `LookupUnavailable`: "not_configured" without a lookup backend, "bad_answer" for
    anything a backend raised that it should have worded as unavailable. A request with an
    input left blank (the UPRN of an address typed by hand) finds nothing, without asking:
    the council refuses a blank input, and the page says what it says when nothing is found.
    """
    if any(not value.strip() for value in request.inputs.values()):
        return LookupResult(request.source, ())
    if backend is None:
        raise LookupUnavailable("not_configured")
    try:
        return backend.lookup(request)
    except LookupUnavailable:
        raise
    # A backend's bug must reach the resident as "cannot look this up", never a crash.
    except Exception as exc:  # noqa: BLE001
        log.warning("lookup from %s failed: %s", request.source, type(exc).__name__)
        raise LookupUnavailable("bad_answer", type(exc).__name__) from None

"""Track my request on the kiosk, headless: the reference question (typed, pasted or scanned
as the receipt's status URL), the service that sends nothing and ends on its result page,
this kiosk's outbox answering for reports it still holds, "Print this", and speech.

The hub's side (`request-status` from its own requests and from other back offices) is in
tests/hub/test_tracking.py; the whole way round, with the real relay, hub and a third-party
server, in tests/kiosk/test_track_end_to_end.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from accessibility.languages import Translator
from hub.catalogue_export import export_catalogue
from kiosk.announce import script_for
from kiosk.assembly import Assembly, assemble
from kiosk.catalogue import Service
from kiosk.clock import UK, FakeClock
from kiosk.journey.engine import JourneyEngine
from kiosk.journey.pages import QuestionPage, ResultPage, WaitingPage
from kiosk.journey.types import builtin_types
from kiosk.lookups.base import LookupItem, LookupRequest, LookupResult, LookupUnavailable
from kiosk.lookups.request_status import TrackingLookup
from kiosk.profile import load_profile
from kiosk.terminal import Terminal
from peripherals.printer import FakePrinter
from tests.escpos_decode import decode
from tests.kiosk.delivery_helpers import missed_bin
from tests.kiosk_fixtures import DEMO, demo_profile_copy

TODAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
HUB_ROWS = (LookupItem("status", "Status", "In progress", {"state": "in_progress"}),
            LookupItem("reference", "Reference", "AB2C D3EF"),
            LookupItem("notes", "Notes from the council", "Crew booked for Tuesday"))


class Council:
    """The hub as a test's fake behind the real `Lookup` interface: rows per reference,
    `down` to make it unavailable; every request it is asked is kept."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[LookupItem, ...]] = {}
        self.down = False
        self.asked: list[LookupRequest] = []

    def lookup(self, request: LookupRequest) -> LookupResult:
        self.asked.append(request)
        if self.down:
            raise LookupUnavailable("unreachable")
        found = self.rows.get(request.inputs.get("reference", "").replace(" ", "").upper(), ())
        if request.language == "en" or not found:
            return LookupResult(request.source, found)
        return LookupResult(request.source, tuple(
            LookupItem(i.value, f"[{request.language}] {i.label}", i.hint) for i in found))


@pytest.fixture
def assembly(tmp_path: Path) -> Iterator[Assembly]:
    loaded = load_profile(demo_profile_copy(tmp_path, printer="fake"))
    clock = FakeClock(TODAY)
    built = assemble(loaded, tmp_path / "state", clock=clock, deliver_immediately=False)
    yield built
    built.close()


@pytest.fixture
def council(assembly: Assembly) -> Council:
    fake = Council()
    titles = {s.id: s.title for s in assembly.loaded.catalogue}.get
    assembly.parts.lookup = TrackingLookup(fake, assembly.outbox, titles)
    return fake


@pytest.fixture
def terminal(assembly: Assembly) -> Terminal:
    return Terminal(assembly.parts)


def track(terminal: Terminal, typed: str) -> Any:
    """A visit to Track my request (ending any visit before: each look is a new visit)."""
    terminal.finish()
    terminal.start()
    terminal.choose_service("track-request")
    terminal.answer("reference", typed)
    return terminal.current()


def saved_on(assembly: Assembly, reference: str) -> str:
    """The day the outbox accepted the report, as the page words it (the outbox's own clock)."""
    row = assembly.outbox.find(reference)
    assert row is not None
    day = datetime.fromtimestamp(row.accepted_at, UK)
    return f"{day.day} {day:%B %Y}"


def rows(page: Any) -> dict[str, str | None]:
    assert isinstance(page, ResultPage), page
    return {row.label: row.detail for row in page.rows}


# ----- the reference question ---------------------------------------------------------------

@pytest.mark.parametrize("typed", [
    "AB2CD3EF", "ab2c d3ef", " Ab2C-d3Ef ", "AB2C\u00a0D3EF",
    "http://127.0.0.1:8311/status/AB2CD3EF",
    "https://hub.example.gov.uk/status/ab2c%20d3ef?utm=x#top",
    "HTTPS://HUB.EXAMPLE.GOV.UK/STATUS/AB2CD3EF/",
    "status/AB2CD3EF",
])
def test_a_reference_typed_pasted_or_scanned_as_a_url(typed: str) -> None:
    service = load_profile(DEMO / "profile.yaml").catalogue.service("track-request")
    engine = JourneyEngine(service, Translator(strict=True), TODAY.date)
    shown = engine.answer("reference", typed)
    assert isinstance(shown, WaitingPage)
    assert shown.request.inputs == {"reference": "AB2CD3EF"}
    assert engine.display("reference") == "AB2C D3EF"


def test_the_reference_type_is_spelled_aloud_and_takes_scans() -> None:
    reference = builtin_types()["reference"]
    assert reference.takes_scans
    assert not builtin_types()["text"].takes_scans


# ----- a service that sends nothing ---------------------------------------------------------

LOOKUP_ONLY: dict[str, Any] = {
    "id": "look", "title": "Look", "description": "Look something up",
    "pages": [{"id": "ref", "question": {"type": "reference", "label": "Reference?"}},
              {"id": "found", "result": {"title": "Found", "rows_from": {
                  "source": "request-status", "inputs": {"reference": "ref"}}}}],
}


@pytest.mark.parametrize(("change", "said"), [
    ({"confirmation": {"title": "Sent", "next_steps": "x"}}, "only confirmation"),
    ({"check_answers": {"title": "Check"}}, "no check_answers in a service without"),
    ({"pages": LOOKUP_ONLY["pages"][:1]}, "an information or result page after the last"),
])
def test_a_service_without_a_destination_must_end_on_a_page(change: dict[str, Any],
                                                            said: str) -> None:
    with pytest.raises(ValidationError, match=said):
        Service.model_validate({**LOOKUP_ONLY, **change})


def test_a_service_that_sends_nothing_is_no_open311_service() -> None:
    catalogue = load_profile(DEMO / "profile.yaml").catalogue
    assert not catalogue.service("track-request").sends
    exported = export_catalogue(catalogue)
    assert "track-request" not in {s.service_name for s in exported.services}
    # Missed bin, street problem, feedback, call back, Blue Badge, bus pass and one per "tell
    # us once" delivery (five): bookings go to the hub, not Open311.
    assert len(exported.services) == 11


def test_the_result_page_is_final_and_printable(council: Council, terminal: Terminal) -> None:
    council.rows["AB2CD3EF"] = HUB_ROWS
    shown = track(terminal, "ab2c d3ef")
    assert isinstance(shown, ResultPage)
    assert (shown.final, shown.printable) == (True, True)
    assert rows(shown) == {"Status": "In progress", "Reference": "AB2C D3EF",
                           "Notes from the council": "Crew booked for Tuesday"}
    terminal.answer("status", "")  # a stale Continue: nothing to go on to
    assert terminal.current() == shown
    engine = terminal.session.engine
    assert engine is not None
    assert not engine.ready_to_submit()
    script = script_for(shown, Translator(strict=True), read_personal=False)
    said = [u.text for u in script]
    assert said[-2:] == ["Print this", "Finish"]
    assert "A B 2 C D 3 E F" in said  # the reference, spelled
    terminal.finish()
    assert terminal.session.engine is None


def test_an_unknown_reference_is_said_plainly(council: Council, terminal: Terminal) -> None:
    shown = track(terminal, "XY2V A3BC")
    assert isinstance(shown, ResultPage)
    assert shown.rows == ()
    assert shown.empty_text.startswith("We cannot find that reference.")
    assert (shown.final, shown.printable) == (True, False)


def test_the_hub_down_is_cannot_look_this_up(council: Council, terminal: Terminal) -> None:
    council.down = True
    shown = track(terminal, "AB2CD3EF")
    assert shown.kind == "lookup_failed"
    council.down = False
    council.rows["AB2CD3EF"] = HUB_ROWS
    terminal.try_again()
    assert rows(terminal.current())["Status"] == "In progress"


# ----- scanning the receipt's QR code -------------------------------------------------------

def test_a_scan_on_the_reference_question_answers_it(council: Council, terminal: Terminal
                                                     ) -> None:
    """The scanner types the status URL; its last 8 characters and Enter are fast enough to
    be a scan (`peripherals.scanner`), which is the reference itself."""
    council.rows["AB2CD3EF"] = HUB_ROWS
    terminal.start()
    terminal.choose_service("track-request")
    assert isinstance(terminal.current(), QuestionPage)
    terminal.library_card_scanned("AB2CD3EF")
    assert rows(terminal.current())["Status"] == "In progress"
    assert terminal.session.library_card is None


def test_a_scan_elsewhere_is_a_library_card(terminal: Terminal) -> None:
    terminal.start()
    terminal.choose_service("missed-bin")
    terminal.library_card_scanned("29912345678901")
    assert terminal.session.library_card == "29912345678901"
    assert terminal.current().kind == "question"


# ----- this kiosk's outbox answers first ----------------------------------------------------

def test_a_report_still_in_the_outbox_is_waiting_to_be_sent(assembly: Assembly,
                                                            council: Council,
                                                            terminal: Terminal) -> None:
    submission = missed_bin()
    assembly.outbox.enqueue(submission)
    shown = track(terminal, submission.reference.lower())
    found = rows(shown)
    assert found["Status"] is not None
    assert found["Status"].startswith("Waiting to be sent")
    assert found["Service"] == "Report a missed bin collection"
    assert found["Saved at this kiosk"] == saved_on(assembly, submission.reference)
    assert council.asked == []  # nobody else was asked
    # The resident's answers are not on the page, and never left the outbox.
    assert "Canary" not in str(shown)


def test_a_dead_letter_says_ask_staff(assembly: Assembly, council: Council,
                                      terminal: Terminal) -> None:
    submission = missed_bin()
    assembly.outbox.enqueue(submission)
    assembly.outbox.mark_dead(submission.submission_id, error="http_400")
    found = rows(track(terminal, submission.reference))
    assert found["Status"] == "Not sent yet. Please ask a member of staff to help."
    assert "http_400" not in str(found)


def test_delivered_here_and_unknown_to_the_hub_yet_is_received(assembly: Assembly,
                                                               council: Council,
                                                               terminal: Terminal) -> None:
    submission = missed_bin()
    assembly.outbox.enqueue(submission)
    assembly.outbox.mark_delivered(submission.submission_id, remote_id="CRM-1", remote_token=None)
    found = rows(track(terminal, submission.reference))
    assert found["Status"] == "Received by the council"
    assert len(council.asked) == 1  # the hub was asked first
    council.down = True
    found = rows(track(terminal, submission.reference))
    assert found["Status"] is not None
    assert found["Status"].startswith("Received by the council. We cannot check its progress")
    council.down = False
    council.rows[submission.reference] = HUB_ROWS
    assert rows(track(terminal, submission.reference))["Status"] == "In progress"


def test_in_welsh(assembly: Assembly, council: Council, terminal: Terminal) -> None:
    submission = missed_bin()
    assembly.outbox.enqueue(submission)
    terminal.start()
    assembly.parts.texts.switch("cy")
    terminal.choose_service("track-request")
    terminal.answer("reference", submission.reference)
    found = rows(terminal.current())
    assert found["Statws"] is not None
    assert found["Statws"].startswith("Yn aros i gael ei anfon")
    assert found["Gwasanaeth"] == "Rhoi gwybod am fin na chafodd ei gasglu"
    row = assembly.outbox.find(submission.reference)
    assert row is not None
    saved = datetime.fromtimestamp(row.accepted_at, UK)
    welsh = Translator("cy", strict=True)(f"month.{saved.month}")
    assert found["Wedi'i gadw ar y ciosg hwn"] == f"{saved.day} {welsh} {saved.year}"
    assembly.parts.texts.switch("en")


def test_other_sources_go_to_the_hub(assembly: Assembly) -> None:
    inner = Council()
    tracking = TrackingLookup(inner, assembly.outbox, lambda _: None)
    assert tracking.lookup(LookupRequest("addresses", {"postcode": "DE1 2AB"}, "en")).items == ()
    assert [r.source for r in inner.asked] == ["addresses"]
    alone = TrackingLookup(None, assembly.outbox, lambda _: None)
    with pytest.raises(LookupUnavailable) as caught:
        alone.lookup(LookupRequest("request-status", {"reference": "AB2CD3EF"}, "en"))
    assert caught.value.reason == "not_configured"


# ----- Print this ---------------------------------------------------------------------------

def test_print_this(assembly: Assembly, council: Council, terminal: Terminal) -> None:
    council.rows["AB2CD3EF"] = HUB_ROWS
    seen: list[object] = []
    terminal.events.page_printing.connect(lambda: seen.append("printing"))
    terminal.events.page_printed.connect(seen.append)
    track(terminal, "AB2CD3EF")
    terminal.print_page()
    assert seen == ["printing", True]
    printer = assembly.printer
    assert isinstance(printer, FakePrinter)
    text = decode(printer.jobs[-1]).text
    for expected in ("Demo Borough Council", "Track my request", "Where your request has got to",
                     "Status", "In progress", "AB2C D3EF", "Crew booked for Tuesday",
                     "23 November 2026"):
        assert expected in text, (expected, text)
    assert printer.job_names[-1] == "status-20261123-100000"
    assert terminal.held == ()


def test_print_in_a_script_the_printer_cannot_print(assembly: Assembly, council: Council,
                                                    terminal: Terminal) -> None:
    """Urdu on screen; the printout asks the council again in English and prints that."""
    council.rows["AB2CD3EF"] = HUB_ROWS
    terminal.start()
    assembly.parts.texts.switch("ur")  # as the language button would (prefs say so too)
    terminal.choose_service("track-request")
    terminal.answer("reference", "AB2CD3EF")
    assert "[ur] Status" in rows(terminal.current())
    terminal.print_page()
    assembly.parts.texts.switch("en")
    assert [r.language for r in council.asked] == ["ur", "en"]
    printer = assembly.printer
    assert isinstance(printer, FakePrinter)
    text = decode(printer.jobs[-1]).text
    assert "Status" in text
    assert "[ur]" not in text
    assert "Track my request" in text


def test_a_printer_out_of_paper_is_said(assembly: Assembly, council: Council,
                                        terminal: Terminal) -> None:
    council.rows["AB2CD3EF"] = HUB_ROWS
    printer = assembly.printer
    assert isinstance(printer, FakePrinter)
    printer.paper_state = "out"
    results: list[bool] = []
    terminal.events.page_printed.connect(results.append)
    track(terminal, "AB2CD3EF")
    terminal.print_page()
    assert results == [False]
    assert not terminal.printing

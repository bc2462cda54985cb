"""Check your bin collection days, through the terminal with no Qt: the address, then each bin
with its colour in words and its next two collection days (a bank-holiday change called
out), read aloud, printed on the receipt printer, and "Report a missed bin" started from there
with the address already given."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from accessibility.languages import Translator
from kiosk.announce import script_for
from kiosk.assembly import Assembly, assemble
from kiosk.catalogue import Service, load_catalogue
from kiosk.clock import FakeClock
from kiosk.config_errors import ConfigError
from kiosk.journey.carry import carry_answers
from kiosk.journey.engine import JourneyEngine
from kiosk.journey.pages import QuestionPage, ResultPage, WaitingPage
from kiosk.journey.types.address import AddressParts
from kiosk.journey.validation import DateParts
from kiosk.lookups.base import LookupItem, LookupRequest, LookupResult, LookupUnavailable
from kiosk.profile import load_profile
from kiosk.resident import ask_council
from kiosk.terminal import Terminal
from peripherals.printer import FakePrinter
from tests.escpos_decode import decode
from tests.kiosk_fixtures import DEMO, demo_profile_copy

TODAY = datetime(2026, 12, 21, 10, 0, tzinfo=UTC)  # the Monday before Christmas
LIBRARY_LANE = "1 Library Lane, Demo Town, DE99 1AB"


def collection(bin_id: str, colour: str, weeks: int, *days: tuple[str, str]) -> dict[str, str]:
    """A bin's data as the hub sends it: (day, usual day) for the next two collections."""
    data = {"bin": bin_id, "colour": colour, "every_weeks": str(weeks)}
    for key, (day, usual) in zip(("next", "then"), days, strict=True):
        data |= {key: day, f"{key}_usual": usual, f"{key}_moved": str(day != usual).lower()}
    return data


BINS: dict[str, tuple[tuple[str, str, dict[str, str]], ...]] = {
    # Christmas week: Friday's collections move, one to Thursday, one to Saturday.
    "990000001001": (
        ("general", "Green bin – general waste",
         collection("general", "green", 2, ("2026-12-24", "2026-12-25"),
                    ("2027-01-08", "2027-01-08"))),
        ("food", "Brown caddy – food waste",
         collection("food", "brown", 1, ("2026-12-24", "2026-12-25"),
                    ("2027-01-02", "2027-01-01"))),
    ),
    # An ordinary week.
    "990000001002": (
        ("recycling", "Blue bin – recycling",
         collection("recycling", "blue", 2, ("2026-12-22", "2026-12-22"),
                    ("2027-01-05", "2027-01-05"))),
    ),
}


class Council:
    """The hub as a test's fake behind the real `Lookup` interface: the DE99 1AB addresses
    (DE99 9ZZ has none; 990000001003 has no collection round), the bins above; `down` makes
    it unavailable; every request it is asked is kept."""

    def __init__(self) -> None:
        self.down = False
        self.asked: list[LookupRequest] = []

    def lookup(self, request: LookupRequest) -> LookupResult:
        self.asked.append(request)
        if self.down:
            raise LookupUnavailable("unreachable")
        if request.source == "addresses":
            found = () if request.inputs["postcode"] != "DE99 1AB" else tuple(
                LookupItem(uprn, f"{n} Library Lane, Demo Town, DE99 1AB", None,
                           {"uprn": uprn, "lat": f"52.6001{n}", "long": "-1.47021"})
                for n, uprn in enumerate(("990000001001", "990000001002", "990000001003"),
                                         start=1))
            return LookupResult(request.source, found)
        assert request.source == "bin-collections"
        mark = "" if request.language == "en" else f"[{request.language}] "
        return LookupResult(request.source, tuple(
            LookupItem(value, mark + label, "hub's own words", data)
            for value, label, data in BINS.get(request.inputs["uprn"], ())))


@pytest.fixture
def assembly(tmp_path: Path) -> Iterator[Assembly]:
    built = assemble(load_profile(demo_profile_copy(tmp_path, printer="fake")),
                     tmp_path / "state", clock=FakeClock(TODAY), deliver_immediately=False)
    yield built
    built.close()


@pytest.fixture
def council(assembly: Assembly) -> Council:
    fake = Council()
    assembly.parts.lookup = fake
    return fake


@pytest.fixture
def terminal(assembly: Assembly) -> Terminal:
    return Terminal(assembly.parts)


def bin_days(terminal: Terminal, uprn: str = "990000001001", language: str = "en") -> Any:
    terminal.start()
    terminal.parts.texts.switch(language)  # as the language button would
    terminal.choose_service("bin-day")
    terminal.answer("address", "de99 1ab")
    terminal.answer("address__list", uprn)
    return terminal.current()


def rows(page: Any) -> list[tuple[str, str | None]]:
    assert isinstance(page, ResultPage), page
    return [(row.label, row.detail) for row in page.rows]


def test_each_bin_with_its_colour_in_words_and_a_moved_collection_called_out(
        council: Council, terminal: Terminal) -> None:
    page = bin_days(terminal)
    assert isinstance(page, ResultPage)
    assert (page.title, page.hint) == ("Your bin collection days",
                                       "Put your bins out by 7am on collection day.")
    assert rows(page) == [
        ("Green bin – general waste",
         "Colour: green\nCollected every 2 weeks\nNext collection: Thursday 24 December\n"
         "Moved from Friday 25 December because of a bank holiday\n"
         "After that: Friday 8 January"),
        ("Brown caddy – food waste",
         "Colour: brown\nCollected every week\nNext collection: Thursday 24 December\n"
         "Moved from Friday 25 December because of a bank holiday\n"
         "After that: Saturday 2 January\n"
         "Moved from Friday 1 January because of a bank holiday"),
    ]
    assert (page.final, page.printable, page.offer) == (True, True, "Report a missed bin")
    assert [r.inputs for r in council.asked] == [{"postcode": "DE99 1AB"},
                                                 {"uprn": "990000001001"}]


def test_an_ordinary_week_says_nothing_moved(council: Council, terminal: Terminal) -> None:
    assert rows(bin_days(terminal, "990000001002")) == [
        ("Blue bin – recycling",
         "Colour: blue\nCollected every 2 weeks\nNext collection: Tuesday 22 December\n"
         "After that: Tuesday 5 January"),
    ]


def test_in_welsh_the_kiosk_words_the_dates_and_colours(council: Council,
                                                       terminal: Terminal) -> None:
    page = bin_days(terminal, language="cy")
    terminal.parts.texts.switch("en")
    label, detail = rows(page)[0]
    assert label == "[cy] Green bin – general waste"
    assert detail is not None
    assert detail.splitlines() == [
        "Lliw: gwyrdd", "Yn cael ei gasglu bob 2 wythnos", "Casgliad nesaf: Dydd Iau 24 Rhagfyr",
        "Wedi'i symud o Dydd Gwener 25 Rhagfyr oherwydd gŵyl banc",
        "Ar ôl hynny: Dydd Gwener 8 Ionawr"]
    assert page.offer == "Rhoi gwybod am fin na chafodd ei gasglu"


def test_an_address_without_collections_says_so_plainly(council: Council,
                                                       terminal: Terminal) -> None:
    page = bin_days(terminal, "990000001003")
    assert isinstance(page, ResultPage)
    assert page.rows == ()
    assert page.empty_text == ("We do not have collection days for this address. Call us on "
                               "01632 960 000 and we will tell you.")
    assert (page.final, page.printable, page.offer) == (True, False, None)


def test_an_address_typed_by_hand_has_no_collections_and_the_council_is_not_asked(
        council: Council, terminal: Terminal) -> None:
    terminal.start()
    terminal.choose_service("bin-day")
    terminal.answer("address", "DE99 9ZZ")  # no addresses: typed at once
    shown = terminal.current()
    assert isinstance(shown, QuestionPage)
    assert shown.page_id == "address__none"
    terminal.answer("address__none", AddressParts("Plot 4, New Road", "", "Demo Town",
                                                  "DE99 9ZZ"))
    page = terminal.current()
    assert isinstance(page, ResultPage)
    assert page.rows == ()
    assert "We do not have collection days" in page.empty_text
    assert [r.source for r in council.asked] == ["addresses"]


def test_the_gazetteer_down_still_lets_the_resident_type_the_address(
        council: Council, terminal: Terminal) -> None:
    council.down = True
    terminal.start()
    terminal.choose_service("bin-day")
    terminal.answer("address", "DE99 1AB")
    failed = terminal.current()
    assert failed.kind == "lookup_failed"
    assert [o.label for o in failed.ways_on] == ["Enter the address yourself"]  # type: ignore[union-attr]
    terminal.answer("address__list", "not_listed")
    typed = terminal.current()
    assert isinstance(typed, QuestionPage)
    assert (typed.page_id, typed.value) == ("address__manual", AddressParts(postcode="DE99 1AB"))


def test_the_page_is_read_aloud_with_the_colours_and_the_change(council: Council,
                                                                terminal: Terminal) -> None:
    page = bin_days(terminal)
    said = [u.text for u in script_for(page, Translator(), read_personal=False)]
    assert "Green bin – general waste" in said
    detail = next(text for text in said if text.startswith("Colour: green"))
    assert "Moved from Friday 25 December because of a bank holiday" in detail
    assert said[-3:] == ["Print this", "Report a missed bin", "Finish"]


def test_print_this_puts_the_collections_on_the_receipt(assembly: Assembly, council: Council,
                                                        terminal: Terminal) -> None:
    bin_days(terminal)
    printed: list[bool] = []
    terminal.events.page_printed.connect(printed.append)
    terminal.print_page()
    assert printed == [True]
    printer = assembly.printer
    assert isinstance(printer, FakePrinter)
    text = " ".join(decode(printer.jobs[-1]).text.split())  # lines wrap at the paper's width
    for expected in ("Demo Borough Council", "Check your bin collection days",
                     "Your bin collection days", "Green bin – general waste", "Colour: green",
                     "Next collection: Thursday 24 December",
                     "Moved from Friday 25 December because of a bank holiday",
                     "After that: Saturday 2 January", "21 December 2026"):
        assert expected in text, (expected, text)
    assert LIBRARY_LANE not in text  # the council's answer only, never the resident's address


def test_in_urdu_the_printout_is_asked_for_and_worded_in_english(
        assembly: Assembly, council: Council, terminal: Terminal) -> None:
    page = bin_days(terminal, language="ur")
    assert rows(page)[0][0] == "[ur] Green bin – general waste"
    terminal.print_page()
    terminal.parts.texts.switch("en")
    assert [r.language for r in council.asked if r.source == "bin-collections"] == ["ur", "en"]
    printer = assembly.printer
    assert isinstance(printer, FakePrinter)
    text = " ".join(decode(printer.jobs[-1]).text.split())
    assert "Green bin – general waste" in text
    assert "[ur]" not in text
    assert "Colour: green" in text
    assert "Moved from Friday 25 December because of a bank holiday" in text


# ----- "Report a missed bin", the address carried over -----------------------------------------

def test_report_a_missed_bin_starts_at_the_bin_with_the_address_given(
        council: Council, terminal: Terminal) -> None:
    bin_days(terminal)
    asked = len(council.asked)
    terminal.take_offer()
    page = terminal.current()
    assert isinstance(page, QuestionPage)
    assert (page.service_title, page.page_id) == ("Report a missed bin collection", "bin_type")
    engine = terminal.session.engine
    assert engine is not None
    assert engine.answers() == {"address": "DE99 1AB", "address__list": "990000001001"}
    assert len(council.asked) == asked  # the addresses found before, not asked again
    # Back shows the address chosen, then its postcode: the resident can still change it.
    terminal.back()
    listed = terminal.current()
    assert isinstance(listed, QuestionPage)
    assert [o.value for o in listed.options if o.selected] == ["990000001001"]
    terminal.back()
    assert terminal.current().page_id == "address"  # type: ignore[union-attr]
    terminal.answer("address", "DE99 1AB")
    terminal.answer("address__list", "990000001001")
    for page_id, raw in (("bin_type", "general"), ("due_date", DateParts("21", "12", "2026")),
                         ("details", ""), ("contact_method", "none")):
        terminal.answer(page_id, raw)
    submission = terminal.session.prepare_submission()
    assert submission.service_id == "missed-bin"
    assert submission.fields == {"address_string": LIBRARY_LANE, "address_id": "990000001001",
                                 "lat": "52.60011", "long": "-1.47021"}
    assert submission.attributes["bin_type"] == "general"


def test_the_offer_is_for_the_result_page_only(council: Council, terminal: Terminal) -> None:
    terminal.start()
    terminal.choose_service("bin-day")
    terminal.take_offer()  # on the postcode page: nothing happens
    assert terminal.current().page_id == "address"  # type: ignore[union-attr]


def engines(texts: Translator) -> tuple[JourneyEngine, JourneyEngine]:
    catalogue = load_catalogue(DEMO / "catalogue")
    return (JourneyEngine(catalogue.service("bin-day"), texts, lambda: TODAY.date()),
            JourneyEngine(catalogue.service("missed-bin"), texts, lambda: TODAY.date()))


def run(engine: JourneyEngine, council: Council) -> None:
    request = engine.pending_lookup()
    assert request is not None
    engine.lookup_done(request, ask_council(council, request))


def test_an_address_typed_by_hand_is_carried_too() -> None:
    texts = Translator()
    source, target = engines(texts)
    source.answer("address", "DE99 1AB")
    run(source, Council())
    source.answer("address__list", "not_listed")
    typed = AddressParts("14 Library Lane", "Back gate", "Demo Town", "DE99 1AB")
    source.answer("address__manual", typed)
    filled = carry_answers(source, target, {"address": "address"})
    assert filled == {"address": "address", "address__list": "address__list",
                      "address__manual": "address__manual"}
    assert target.where.page_id == "bin_type"
    assert target.answers()["address__manual"] == "14 Library Lane\nBack gate\nDemo Town\nDE99 1AB"


def test_an_address_looked_up_in_another_language_is_looked_up_again() -> None:
    texts = Translator()
    source, target = engines(texts)
    source.answer("address", "DE99 1AB")
    run(source, Council())
    source.answer("address__list", "990000001002")
    texts.switch("cy")
    assert carry_answers(source, target, {"address": "address"}) == {"address": "address"}
    assert isinstance(target.current(), WaitingPage)  # the list, asked for in Welsh


def test_a_profile_without_missed_bin_offers_no_button(tmp_path: Path) -> None:
    catalogue = load_profile(demo_profile_copy(tmp_path)).catalogue
    assert catalogue.service("bin-day").page("collections").result.offer is not None  # type: ignore[union-attr]
    only = catalogue.only(["bin-day", "track-request"])
    assert only.service("bin-day").page("collections").result.offer is None  # type: ignore[union-attr]
    assert only.service("bin-day").lead("address__list") == "address"  # still expanded


# ----- what a service file may say about an offer ---------------------------------------------

def bin_day_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEMO / "catalogue" / "bin-day.yaml").read_text("utf-8"))
    return data


def test_an_offer_carries_only_this_services_questions() -> None:
    data = bin_day_data()
    data["pages"][1]["result"]["offer"]["carry"] = {"address": "collections"}
    with pytest.raises(ValidationError) as info:
        Service.model_validate(data)
    assert ("pages[1].result.offer.carry.address: expected a question page id of this service "
            "(address), found 'collections'") in str(info.value)


@pytest.mark.parametrize(("offer", "expected", "found"), [
    ({"service": "missed-bins"}, "a service in the catalogue (", "'missed-bins'"),
    ({"carry": {"bin_type": "address"}}, "a address question of service 'missed-bin'",
     "'bin_type', a radios question"),
    ({"carry": {"house": "address"}}, "a address question of service 'missed-bin'", "'house'"),
])
def test_a_wrong_offer_is_reported_with_its_file_and_line(
        tmp_path: Path, offer: dict[str, object], expected: str, found: str) -> None:
    folder = tmp_path / "catalogue"
    folder.mkdir()
    for name in ("missed-bin.yaml", "bin-day.yaml"):
        (folder / name).write_text((DEMO / "catalogue" / name).read_text("utf-8"), "utf-8")
    data = bin_day_data()
    data["pages"][1]["result"]["offer"].update(offer)
    (folder / "bin-day.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(ConfigError) as info:
        load_catalogue(folder)
    [problem] = info.value.problems
    assert problem.file.endswith("bin-day.yaml")
    assert problem.path.startswith("pages[1].result.offer.")
    assert problem.expected.startswith(expected)
    assert problem.found == found
    assert problem.line is not None

"""`kiosk catalogue import-open311` end to end: a council's Open311 server on 127.0.0.1 (in
the style of public UK examples) is imported with the real command, the catalogue it wrote
loads with a demo profile, journeys through it are driven headless to a submission, and the
real Open311 sender delivers each one to the same server, which checks the `service_code`
and `attribute[code]` values it receives against its own definitions.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import requests
import yaml

from accessibility.languages import Translator
from kiosk.catalogue import Service
from kiosk.catalogue.translations import untranslated
from kiosk.cli import main
from kiosk.journey.engine import CHECK, JourneyEngine, Where
from kiosk.journey.pages import ExitPage, InfoPage, QuestionPage
from kiosk.journey.validation import DateParts, RawAnswer
from kiosk.outbox import senders_from_profile
from kiosk.profile import LoadedProfile, load_profile
from kiosk.submission import Submission, open311_parameters
from tests.kiosk.open311_council import CouncilOpen311, uk_council_definitions, uk_council_pages
from tests.kiosk_fixtures import demo_profile_copy

TODAY = date(2026, 11, 23)
REPO = Path(__file__).resolve().parents[2]
Step = tuple[str, RawAnswer]


@dataclass(frozen=True)
class Imported:
    council: CouncilOpen311
    folder: Path
    profile_path: Path
    loaded: LoadedProfile
    exit_code: int
    output: str


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    """One import for the module (the server stays up for the deliveries)."""
    tmp = tmp_path_factory.mktemp("import")
    folder = tmp / "catalogue"
    with CouncilOpen311(uk_council_pages(), uk_council_definitions()) as council:
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            code = main(["catalogue", "import-open311", council.url, "--out", str(folder)])
        base = council.url.removesuffix("/open311/v2")
        profile = demo_profile_copy(tmp, base_url=base, catalogue={"path": str(folder)})
        yield Imported(council, folder, profile, load_profile(profile), code, output.getvalue())


def service(imported: Imported, service_id: str) -> Service:
    return imported.loaded.catalogue.service(service_id)


def walk(engine: JourneyEngine, steps: Sequence[Step]) -> None:
    for page_id, raw in steps:
        assert engine.where == Where("page", page_id), f"expected {page_id}, at {engine.where}"
        page = engine.answer(page_id, raw)
        assert not (isinstance(page, QuestionPage) and page.errors), page


def journey(imported: Imported, service_id: str, steps: Sequence[Step]) -> JourneyEngine:
    engine = JourneyEngine(service(imported, service_id), Translator(strict=True), lambda: TODAY)
    engine.start()
    walk(engine, steps)
    return engine


def submission_of(engine: JourneyEngine, reference: str) -> Submission:
    """As the kiosk's session freezes a journey at Send (kiosk.resident.prepare_submission)."""
    assert engine.where == CHECK
    assert engine.ready_to_submit()
    attributes, fields = open311_parameters(engine.service, engine.answers(),
                                            engine.answer_data(), engine.types)
    return Submission(engine.submission_id, reference, engine.service.id, engine.service.version,
                      "2026-11-23T10:00:00+00:00", engine.service.destination.to,
                      engine.service.destination.service_code, attributes, fields)


def deliver(imported: Imported, submission: Submission) -> str | None:
    with requests.Session() as session:
        senders = senders_from_profile(imported.loaded.profile.destinations, session=session)
        result = senders[submission.destination].send(submission)
    assert result.kind == "delivered", result
    return result.remote_id


CONTACT: list[Step] = [("contact_method", "email"), ("contact_email", "Resident@Example.COM")]
WHERE: list[Step] = [("location", "Outside 14 Acacia Avenue"), ("nearby_postcode", "de1 2ab")]


# ----- the import itself ---------------------------------------------------------------------

def test_the_command_writes_a_file_per_service_and_says_what_it_left_out(
    imported: Imported,
) -> None:
    assert imported.exit_code == 1  # the street-light definition is an HTML error page
    assert sorted(p.name for p in imported.folder.iterdir()) == [
        "bin-missed.yaml", "fly-tip.yaml", "service-001.yaml"]
    output = imported.output
    assert "'STAFF_ONLY': for council staff only (keyword staff)" in output
    assert (f"{imported.council.url}/services/LAMP.json: service 'LAMP': expected the "
            "definition of service 'LAMP' (HTTP 200), found HTTP 500 with an HTML page titled "
            "'500 Internal Server Error'") in output
    assert ("services.json: expected valid JSON, found numbers with leading zeros (001 at line 8, "
            "column 19); kept as written") in output
    assert "Checked: " in output
    assert imported.council.gets[0] == "/open311/v2/services.json"
    assert "/open311/v2/services/STAFF_ONLY.json" not in imported.council.gets


def test_the_written_files_load_with_a_profile_and_pass_kiosk_validate(
    imported: Imported,
) -> None:
    assert [s.id for s in imported.loaded.catalogue] == ["bin-missed", "fly-tip", "service-001"]
    assert main(["validate", str(imported.profile_path)]) == 0
    header = (imported.folder / "bin-missed.yaml").read_text("utf-8").splitlines()[:12]
    assert header[0].startswith(f"# Imported from {imported.council.url}/services/BIN_MISSED.json")
    assert any("'uprn' (automated: hidden_field) is not asked" in line for line in header)


def test_attributes_become_pages_in_order_with_the_types_the_kiosk_shows(
    imported: Imported,
) -> None:
    bins = service(imported, "bin-missed")
    assert [(p.id, p.kind, p.asks.type if p.asks else None) for p in bins.pages[:5]] == [
        ("bin_owner", "question", "radios"), ("container", "question", "checkboxes"),
        ("about_notice", "info", None), ("collection_date", "question", "date"),
        ("bags", "question", "number"),
    ]
    assert [p.id for p in bins.pages[5:]] == ["location", "nearby_postcode", "description",
                                               "contact_method", "contact_email", "contact_phone"]
    container = bins.page("container").question
    assert container.label.get("en") == "Which bins were missed?"
    assert container.hint is not None
    assert container.hint.get("en") == "Tick all that apply"
    assert [o.value for o in container.options] == ["240L_Black", "Blue-Recycling",
                                                    "Food_Garden"]
    assert bins.page("collection_date").question.hint is None  # "datetime" is no hint
    assert bins.page("bags").question.optional
    assert not bins.page("bags").question.rules.whole_number
    info = bins.page("about_notice").info
    assert info is not None
    assert info.body.get("en") == "We collect missed bins within 2 working days."
    assert [g.get("en") for g in bins.groups] == ["Bins and recycling", "Waste"]
    fly = service(imported, "fly-tip")
    assert [p.id for p in fly.pages[:3]] == ["details", "size", "vehicle_reg"]  # by order
    assert fly.page("details").question.type == "textarea"
    assert fly.page("vehicle_reg").question.type == "text"
    assert [o.value for o in fly.page("size").question.options] == ["1", "2", "3"]


def test_the_destination_maps_the_servers_codes(imported: Imported) -> None:
    destination = service(imported, "bin-missed").destination
    assert destination.to == "council"
    assert destination.service_code == "BIN_MISSED"
    assert destination.attributes == {"bin_owner": "bin_owner", "container": "container",
                                      "collection_date": "collection_date", "bags": "bags"}
    assert destination.values == {"container": {"240L_Black": "240L Black",
                                                "Food_Garden": "Food & Garden"}}
    assert service(imported, "service-001").destination.service_code == "001"


# ----- journeys through it, delivered to the server -------------------------------------------

def test_a_missed_bin_report_reaches_the_server_with_its_codes(imported: Imported) -> None:
    engine = journey(imported, "bin-missed", [
        ("bin_owner", "council"), ("container", ("240L_Black", "Food_Garden")),
        ("about_notice", ""), ("collection_date", DateParts("20", "11", "2026")),
        ("bags", "2"), *WHERE, ("description", ""), *CONTACT,
    ])
    before = len(imported.council.received)
    remote_id = deliver(imported, submission_of(engine, "KSK-0001"))
    assert remote_id is not None
    received = imported.council.received[before]
    assert received.path == "/open311/v2/requests.json"
    assert received.one("service_code") == "BIN_MISSED"
    assert received.one("attribute[bin_owner]") == "council"
    assert received.form["attribute[container][]"] == ["240L Black", "Food & Garden"]
    assert received.one("attribute[collection_date]") == "2026-11-20"
    assert received.one("attribute[bags]") == "2"
    assert received.one("address_string") == "Outside 14 Acacia Avenue, DE1 2AB"
    assert received.one("email") == "Resident@example.com"
    assert received.one("attribute[kiosk_reference]") == "KSK-0001"
    assert "attribute[uprn]" not in received.form
    assert "attribute[easting]" not in received.form


def test_a_disable_message_is_an_exit_page_and_nothing_is_sent(imported: Imported) -> None:
    engine = journey(imported, "bin-missed", [])
    page = engine.answer("bin_owner", "private")
    assert isinstance(page, ExitPage)
    assert "We only empty council bins." in page.body
    assert not engine.ready_to_submit()


def test_numbers_for_keys_and_the_order_of_questions_reach_the_server(imported: Imported) -> None:
    engine = journey(imported, "fly-tip", [
        ("details", "A mattress\nand two chairs"), ("size", "2"), ("vehicle_reg", ""), *WHERE,
        ("description", ""), ("contact_method", "none"),
    ])
    before = len(imported.council.received)
    deliver(imported, submission_of(engine, "KSK-0002"))
    received = imported.council.received[before]
    assert received.one("service_code") == "FLY_TIP"
    assert received.one("attribute[size]") == "2"
    assert received.one("attribute[details]") == "A mattress\nand two chairs"
    assert "attribute[vehicle_reg]" not in received.form


def test_a_service_without_metadata_is_a_usable_description_only_journey(
    imported: Imported,
) -> None:
    graffiti = service(imported, "service-001")
    assert [p.id for p in graffiti.pages] == ["location", "nearby_postcode", "description",
                                              "contact_method", "contact_email",
                                              "contact_phone"]
    assert not graffiti.page("description").question.optional
    engine = journey(imported, "service-001", [*WHERE])
    page = engine.answer("description", "")
    assert isinstance(page, QuestionPage)
    assert [e.message for e in page.errors] == ["Describe the problem"]
    walk(engine, [("description", "Tags sprayed on the bus shelter"),
                  ("contact_method", "phone"), ("contact_phone", "07700 900982")])
    before = len(imported.council.received)
    deliver(imported, submission_of(engine, "KSK-0003"))
    received = imported.council.received[before]
    assert received.one("service_code") == "001"
    assert received.one("description") == "Tags sprayed on the bus shelter"
    assert received.one("phone") == "07700900982"


def test_an_information_page_shows_the_servers_text_as_plain_words(imported: Imported) -> None:
    engine = journey(imported, "bin-missed", [("bin_owner", "council"),
                                              ("container", ("Blue-Recycling",))])
    page = engine.current()
    assert isinstance(page, InfoPage)
    assert page.title == "Before you continue"
    assert page.body == "We collect missed bins within 2 working days."


# ----- what is left for translators ----------------------------------------------------------

def test_only_the_servers_words_wait_for_translation(imported: Imported) -> None:
    missing = untranslated(imported.loaded.catalogue, "cy")
    assert "bin-missed: title" in missing
    assert "bin-missed: pages[0].question.label" in missing
    assert "bin-missed: pages[1].question.options[0].label" in missing
    assert "bin-missed: exits[0].body" in missing
    assert "bin-missed: groups[0]" in missing
    # The shared pages (where, what, contact) arrive in every language the kiosk speaks.
    assert not [m for m in missing if "pages[5]" in m or "check_answers" in m
                or "confirmation" in m or "exits[0].title" in m]
    welsh = JourneyEngine(service(imported, "service-001"), Translator("cy"), lambda: TODAY)
    page = welsh.start()
    assert isinstance(page, QuestionPage)
    assert page.title == "Ble mae'r broblem?"


def test_script_translations_check_lists_the_imported_texts(imported: Imported) -> None:
    result = subprocess.run(["script/translations", "check", str(imported.profile_path)],
                            cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    assert "fly-tip: pages[1].question.options[2].label" in result.stdout
    assert "service-001: title" in result.stdout


def test_written_yaml_is_plain_text_per_language(imported: Imported) -> None:
    data = yaml.safe_load((imported.folder / "fly-tip.yaml").read_text("utf-8"))
    assert data["title"] == {"en": "Fly-tipping"}
    assert data["pages"][1]["question"]["options"][0] == {
        "value": "1", "label": {"en": "A single item or bag"}}

"""What a council's Open311 server gets wrong becomes a precise problem or a normalised value,
never a crash: each case is served for real on 127.0.0.1 and imported.

A problem names the URL, the service code, the attribute code, what was expected and what
was found; a problem with the service list stops the import, a problem with one service
leaves only that service out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from kiosk.catalogue.open311_definitions import Issue
from kiosk.catalogue.open311_fetch import FetchProblem, Open311Client
from kiosk.catalogue.open311_import import ImportOptions, ImportReport, import_open311
from kiosk.cli import main
from tests.kiosk.open311_council import XML, CouncilOpen311, Page

BIG = 80 * 64 * 1024  # 5 MiB, over the 4 MiB a service list may be


def one_service(code: Any = "POT", metadata: Any = True, **extra: Any) -> Page:
    return Page.json([{"service_code": code, "service_name": "Pothole",
                       "description": "A hole in the road.", "metadata": metadata, **extra}])


def definition(*attributes: Mapping[str, Any], code: str = "POT") -> Page:
    return Page.json({"service_code": code, "attributes": list(attributes)})


def radios(code: str = "depth", **extra: Any) -> dict[str, Any]:
    return {"variable": True, "code": code, "datatype": "singlevaluelist", "required": True,
            "order": 1, "description": "How deep is it?",
            "values": [{"key": "shallow", "name": "Shallower than 4cm"},
                       {"key": "deep", "name": "4cm or deeper"}], **extra}


def run(pages: Mapping[str, Page], **client: Any) -> tuple[ImportReport, list[str], str]:
    with CouncilOpen311(pages) as council:
        open311 = Open311Client(council.url, **client)
        try:
            report = import_open311(open311, ImportOptions())
        finally:
            open311.close()
        return report, council.gets, council.url


def list_problem(pages: Mapping[str, Page], **client: Any) -> tuple[FetchProblem, list[str], str]:
    with CouncilOpen311(pages) as council:
        open311 = Open311Client(council.url, **client)
        try:
            with pytest.raises(FetchProblem) as raised:
                import_open311(open311, ImportOptions())
        finally:
            open311.close()
        return raised.value, council.gets, council.url


def stopping(report: ImportReport) -> list[Issue]:
    return [issue for issue in report.issues if issue.stops]


# ----- the service list cannot be had -------------------------------------------------------

def test_a_500_with_an_open311_error_body_gives_the_servers_own_words() -> None:
    problem, gets, url = list_problem({
        "services.json": Page.json([{"code": 500, "description": "CRM is <b>down</b>"}], 500)})
    assert str(problem) == (
        f"{url}/services.json: expected the list of services (HTTP 200), found HTTP 500: CRM is "
        f"down (code 500) (and {url}/services.xml: HTTP 404: Not found (code 404))")
    assert gets == ["/open311/v2/services.json", "/open311/v2/services.xml"]


def test_an_html_page_instead_of_json_is_named_by_its_title() -> None:
    page = Page(b"<!doctype html><html><head><title>Council website\n- Home</title></head></html>",
                200, "text/html; charset=utf-8")
    problem, _, url = list_problem({"services.json": page, "services.xml": page})
    assert problem.url == f"{url}/services.json"
    assert problem.expected == "the list of services as JSON or XML"
    assert problem.found.startswith("an HTML page titled 'Council website - Home' (and ")


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "until-close"])
def test_a_huge_body_is_cut_off_not_read(announced: bool) -> None:
    huge = Page(b" " * (64 * 1024), length=announced, repeat=BIG // (64 * 1024))
    problem, _, _ = list_problem({"services.json": huge})
    assert problem.expected.startswith("the list of services of at most 4096 KiB")
    assert problem.found.startswith("5120 KiB announced" if announced
                                    else "more than that (the answer was cut off)")


def test_a_server_that_never_answers_times_out_without_asking_again() -> None:
    problem, gets, url = list_problem({"services.json": Page(hold=True)}, read_timeout=0.3)
    assert str(problem) == (f"{url}/services.json: expected the list of services within 0.3 "
                            "seconds, found no answer in time")
    assert problem.transport
    assert gets == ["/open311/v2/services.json"]  # no second wait for the XML


def test_once_the_server_stops_answering_the_other_definitions_are_not_asked_for() -> None:
    report, gets, url = run({
        "services.json": Page.json([{"service_code": code, "service_name": code,
                                     "metadata": True} for code in ("A", "B", "C")]),
        "services/A.json": Page(hold=True)}, read_timeout=0.3)
    assert gets == ["/open311/v2/services.json", "/open311/v2/services/A.json"]
    assert [str(i) for i in report.issues] == [
        f"{url}/services/A.json: service 'A': expected the definition of service 'A' within 0.3 "
        "seconds, found no answer in time",
        f"{url}/services/B.json: service 'B': expected the definition of service 'B', found "
        f"not asked: {url}/services/A.json gave no answer in time",
        f"{url}/services/C.json: service 'C': expected the definition of service 'C', found "
        f"not asked: {url}/services/A.json gave no answer in time"]
    assert report.failed == ["A", "B", "C"]


def test_nobody_listening_is_one_clear_problem() -> None:
    with CouncilOpen311({}) as council:
        url = council.url  # the port is free again once the server stops
    open311 = Open311Client(url)
    with pytest.raises(FetchProblem) as raised:
        import_open311(open311, ImportOptions())
    open311.close()
    assert raised.value.found == "no connection (refused, unreachable or unknown name)"


@pytest.mark.parametrize(("body", "expected", "found"), [
    ('[{"service_code": "A" "service_name": "x"}]',
     "the list of services as JSON (line 1, column 23: ',' or '}')", "'\"service_name\": \"x\"}'"),
    ("", "the list of services", "an empty answer"),
    ("[" * 100_000, "the list of services as JSON (line 1, column 65: nesting at most 64 levels "
     "deep)", "'[[[[[[[[[[[[[[[[[[[['"),
    ("<services><service>", "the list of services as well-formed XML",
     "an XML error at line 1, column 20"),
], ids=["missing-comma", "empty", "deep", "broken-xml"])
def test_text_that_is_not_a_document_says_where_it_broke(body: str, expected: str,
                                                         found: str) -> None:
    problem, _, _ = list_problem({"services.json": Page.text(body)})
    assert problem.expected == expected
    assert problem.found.startswith(found)


def test_xml_with_entity_declarations_is_refused_unread() -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            "<services><service><service_name>&lol2;</service_name></service></services>")
    problem, _, _ = list_problem({"services.xml": Page.text(bomb, content_type=XML)})
    assert problem.found.endswith("services.xml: a declaration)")


def test_the_command_exits_2_and_writes_nothing_when_the_list_cannot_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    with CouncilOpen311({"services.json": Page.text("<html><title>Oops</title></html>",
                                                    content_type="text/html")}) as council:
        code = main(["catalogue", "import-open311", council.url, "--out", str(tmp_path / "out")])
    assert code == 2
    assert not (tmp_path / "out").exists()
    assert "an HTML page titled 'Oops'" in capsys.readouterr().err


# ----- one service is wrong: only it is left out ----------------------------------------------

BAD_ATTRIBUTES = [
    ({**radios(), "values": []}, "depth", "values: at least 2 choices for a list", "0"),
    ({k: v for k, v in radios().items() if k != "values"}, "depth",
     "values: at least 2 choices for a list", "0"),
    ({**radios(), "datatype": "boolean"}, "depth",
     "a datatype (string, number, datetime, text, singlevaluelist, multivaluelist)",
     "'boolean'"),
    ({**radios(), "code": None}, None, "a code for attribute 1", "None"),
    ({**radios(), "description": ""}, "depth", "a description (the question to ask)", "''"),
    ({**radios(), "required": "sometimes"}, "depth", "required true or false", "'sometimes'"),
    ({**radios(), "values": [{"key": "a", "name": "A"}, {"key": "a", "name": "B"}]}, "depth",
     "values with different keys", "'a' more than once"),
    ({**radios(), "values": [{"name": "A"}, {"key": "b", "name": "B"}]}, "depth",
     "value 1: a key", "None"),
    ({"variable": False, "code": "closed", "disable_form": "true",
      "description": "Report potholes by phone"}, "closed", "a service residents can report",
     "reports switched off by the server: 'Report potholes by phone'"),
]


@pytest.mark.parametrize(("attribute", "code", "expected", "found"), BAD_ATTRIBUTES,
                         ids=["values-empty", "values-missing", "unknown-datatype", "no-code",
                              "no-question", "required-word", "duplicate-keys", "no-key",
                              "disable-form"])
def test_a_bad_attribute_leaves_its_service_out_and_names_everything(
    attribute: dict[str, Any], code: str | None, expected: str, found: str,
) -> None:
    report, _, url = run({"services.json": Page.json([
        {"service_code": "POT", "service_name": "Pothole", "metadata": True},
        {"service_code": "GRAF", "service_name": "Graffiti", "metadata": False}]),
        "services/POT.json": definition(attribute)})
    assert [s.entry.code for s in report.services] == ["GRAF"]
    [issue] = stopping(report)
    assert issue == Issue(f"{url}/services/POT.json", expected, found, "POT", code)
    assert str(issue).startswith(f"{url}/services/POT.json: service 'POT': ")
    assert report.failed == ["POT"]


def test_duplicate_attribute_codes_leave_the_service_out() -> None:
    report, _, url = run({"services.json": one_service(),
                          "services/POT.json": definition(radios(), radios())})
    assert not report.services
    assert [str(i) for i in stopping(report)] == [
        f"{url}/services/POT.json: service 'POT': attribute 'depth': expected each attribute "
        "code once, found 'depth' again"]


def test_a_definition_that_is_missing_is_that_services_problem_only() -> None:
    report, _, url = run({"services.json": Page.json([
        {"service_code": "POT", "service_name": "Pothole", "metadata": True},
        {"service_code": "GRAF", "service_name": "Graffiti", "metadata": False}])})
    assert [s.entry.code for s in report.services] == ["GRAF"]
    [issue] = stopping(report)
    assert issue.url == f"{url}/services/POT.json"
    assert issue.service == "POT"
    assert issue.found.startswith("HTTP 404: Not found (code 404)")


@pytest.mark.parametrize(("entry", "expected", "found"), [
    ({"service_name": "Pothole"}, "a service_code at entry 1 of the list", "None"),
    ({"service_code": "POT", "service_name": " "}, "a service_name", "' '"),
    ("POT", "a service (an object) at entry 1 of the list", "str"),
])
def test_an_unusable_list_entry_is_left_out(entry: Any, expected: str, found: str) -> None:
    report, _, _ = run({"services.json": Page.json([entry, {
        "service_code": "GRAF", "service_name": "Graffiti", "metadata": False}])})
    assert [s.entry.code for s in report.services] == ["GRAF"]
    [issue] = stopping(report)
    assert (issue.expected, issue.found) == (expected, found)


def test_a_list_that_is_not_a_list_imports_nothing(tmp_path: Path) -> None:
    report, _, url = run({"services.json": Page.json({"status": "ok"})})
    assert not report.services
    assert [str(i) for i in report.issues] == [
        f"{url}/services.json: expected a list of services, found an object with status"]


# ----- normalised: imported, with a note ------------------------------------------------------

def test_the_specs_own_definition_example_is_read_as_its_author_meant() -> None:
    spec_example = """{
      "service_code":DMV66,
      "attributes":[
        {
          "variable":true,
          "code":"WHISHETN",
          "datatype":"singlevaluelist",
          "required":true,
          "datatype_description":null,
          "order":1,
          "description":"What is the ticket/tag/DL number?",
          "values":[
            { "key":123, "name":"Ford" },
            { "key":124, "name":"Chrysler" }
          ]
        }
      ]
    }"""
    report, _gets, url = run({
        "services.json": Page.text('[{"service_code":"DMV66","service_name":"Ticket",'
                                   '"metadata":true,}]'),
        "services/DMV66.json": Page.text(spec_example)})
    [service] = report.services
    page = service.document["pages"][0]
    assert page["question"]["options"] == [{"value": "123", "label": {"en": "Ford"}},
                                           {"value": "124", "label": {"en": "Chrysler"}}]
    assert service.document["destination"]["attributes"] == {"WHISHETN": "whishetn"}
    assert [str(i) for i in report.issues] == [
        f"{url}/services.json: expected valid JSON, found trailing commas (',}}' at line 1, "
        "column 65); ignored",
        f"{url}/services/DMV66.json: service 'DMV66': expected valid JSON, found words without "
        "quotes (DMV66 at line 2, column 22); read as text"]
    assert not stopping(report)


def test_codes_given_as_numbers_are_text_and_fetched_as_written() -> None:
    report, gets, _ = run({
        "services.json": Page.text('[{"service_code": 42, "service_name": "Dog fouling", '
                                   '"metadata": true}, {"service_code": 007, "service_name": '
                                   "'Bond', 'metadata': 'false'}]"),
        "services/42.json": definition(radios(), code="42")})
    assert [s.entry.code for s in report.services] == ["42", "007"]
    assert [s.service_id for s in report.services] == ["service-42", "service-007"]
    assert report.services[1].document["destination"]["service_code"] == "007"
    assert "/open311/v2/services/42.json" in gets
    assert [i.found.split(" (")[0] for i in report.issues] == [
        "numbers with leading zeros", "text in single quotes"]


def test_duplicate_service_codes_keep_the_first() -> None:
    report, _, url = run({"services.json": Page.json([
        {"service_code": "GRAF", "service_name": "Graffiti", "metadata": False},
        {"service_code": "GRAF", "service_name": "Graffiti (again)", "metadata": False}])})
    assert [s.entry.name for s in report.services] == ["Graffiti"]
    assert [str(i) for i in report.issues] == [
        f"{url}/services.json: service 'GRAF': expected each service_code once, found 'GRAF' "
        "again (entry 2, first at entry 1); the first one was imported"]


def test_a_server_that_only_speaks_xml_is_read_in_xml_throughout() -> None:
    services = """<?xml version="1.0" encoding="utf-8"?>
    <services>
      <service>
        <service_code>POT</service_code>
        <service_name>Pothole</service_name>
        <description>A hole in the road.</description>
        <metadata>true</metadata>
        <type>realtime</type>
        <keywords>private</keywords>
        <groups><group>Roads</group><group>Highways</group></groups>
      </service>
      <service>
        <service_code>OLD</service_code><service_name>Old</service_name>
        <metadata>false</metadata><keywords>inactive</keywords>
      </service>
    </services>"""
    pot = """<?xml version="1.0" encoding="utf-8"?>
    <service_definition>
      <service_code>POT</service_code>
      <attributes>
        <attribute>
          <variable>true</variable><code>depth</code><datatype>singlevaluelist</datatype>
          <required>false</required><datatype_description></datatype_description>
          <order>1</order><description>How deep is it?</description>
          <values>
            <value><key>shallow</key><name>Shallower than 4cm</name></value>
            <value><key>deep</key><name>4cm or deeper</name></value>
          </values>
        </attribute>
      </attributes>
    </service_definition>"""
    report, gets, url = run({"services.xml": Page.text(services, content_type=XML),
                             "services/POT.xml": Page.text(pot, content_type=XML)})
    assert report.format == "xml"
    assert gets == ["/open311/v2/services.json", "/open311/v2/services.xml",
                    "/open311/v2/services/POT.xml"]
    [service] = report.services
    assert [g["en"] for g in service.document["groups"]] == ["Roads", "Highways"]
    question = service.document["pages"][0]["question"]
    assert question["optional"] is True
    assert [o["value"] for o in question["options"]] == ["shallow", "deep"]
    assert report.skipped == [("OLD", "marked inactive on the server")]
    assert [str(i) for i in report.issues] == [
        f"{url}/services.json: expected the list of services (HTTP 200), found HTTP 404: Not "
        f"found (code 404); read {url}/services.xml instead"]


@pytest.mark.parametrize(("change", "fix"), [
    ({"metadata": "maybe"}, "read as true (the definition is asked for)"),
])
def test_odd_list_fields_are_normalised(change: dict[str, Any], fix: str) -> None:
    report, _, _ = run({"services.json": one_service(**change),
                        "services/POT.json": definition(radios())})
    assert len(report.services) == 1
    assert [i.fix for i in report.issues] == [fix]


def test_odd_definitions_are_normalised_with_a_note_each() -> None:
    wrapped = Page.json([{"service_code": "OTHER", "attributes": [
        radios(order="first"),
        {"variable": True, "code": "Where Exactly?", "datatype": "String", "required": False,
         "order": 2, "description": "<p>Where exactly?<br>Give a landmark</p>",
         "datatype_description": "Where exactly?"},
        {**radios("size"), "order": 2, "automated": "yes please",
         "values": [{"key": "s", "name": ""}]},
        {**radios("colour"), "order": 3, "values": [{"key": "Red & White", "name": ""},
                                                    {"key": "Red_White", "name": "Red, white"},
                                                    {"key": "RED  WHITE", "name": "RED"}]},
    ]}])
    report, _, url = run({"services.json": one_service(), "services/POT.json": wrapped})
    [service] = report.services
    pages = service.document["pages"]
    assert [p["id"] for p in pages[:3]] == ["where_exactly", "colour", "depth"]
    assert pages[0]["question"] == {"type": "text",
                                    "label": {"en": "Where exactly?\nGive a landmark"},
                                    "hint": {"en": "Where exactly?"}, "optional": True}
    assert service.document["destination"]["values"] == {"colour": {
        "Red_White": "Red & White", "Red_White_2": "Red_White", "RED_WHITE": "RED  WHITE"}}
    assert [o["label"]["en"] for o in pages[1]["question"]["options"]] == [
        "Red & White", "Red, white", "RED"]
    fixes = {(i.attribute, i.fix) for i in report.issues}
    assert fixes == {
        (None, "the list's code 'POT' is used"),
        ("depth", "asked after the attributes with an order"),
        ("Where Exactly?", "the tags were removed"),
        ("size", "treated as hidden_field (not asked)"),
        ("colour", "the key is shown instead"),
        (None, "those keep the server's sequence"),
    }
    assert all(str(i).startswith(f"{url}/services/POT.json: service 'POT'") for i in report.issues)


def test_text_that_is_not_utf8_is_read_as_windows_1252() -> None:
    body = json.dumps([{"service_code": "CAF", "service_name": "Caf\u00e9 waste",
                        "metadata": False}], ensure_ascii=False).encode("cp1252")
    report, _, _ = run({"services.json": Page(body, content_type="application/json")})
    assert report.services[0].entry.name == "Caf\u00e9 waste"
    assert [i.fix for i in report.issues] == ["read as Windows-1252 (check accented letters)"]


def test_service_codes_with_slashes_and_spaces_are_fetched_safely() -> None:
    report, gets, _ = run({"services.json": one_service("ROADS/POT 1"),
                           "services/ROADS%2FPOT%201.json": definition(radios(),
                                                                       code="ROADS/POT 1")})
    assert gets[-1] == "/open311/v2/services/ROADS%2FPOT%201.json"
    assert [s.service_id for s in report.services] == ["roads-pot-1"]
    assert report.services[0].document["destination"]["service_code"] == "ROADS/POT 1"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "catalogue"


def test_the_command_never_replaces_files_without_force(
    folder: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    pages = {"services.json": one_service("GRAF", metadata=False)}
    with CouncilOpen311(pages) as council:
        assert main(["catalogue", "import-open311", council.url, "--out", str(folder)]) == 0
        (folder / "graf.yaml").write_text("# translated by hand\n", encoding="utf-8")
        capsys.readouterr()
        assert main(["catalogue", "import-open311", council.url, "--out", str(folder)]) == 2
        assert "graf.yaml" in capsys.readouterr().err
        assert (folder / "graf.yaml").read_text("utf-8") == "# translated by hand\n"
        assert main(["catalogue", "import-open311", council.url, "--out", str(folder),
                     "--force"]) == 0
    assert (folder / "graf.yaml").read_text("utf-8").startswith("# Imported from")


def test_the_api_key_is_sent_but_never_shown(
    folder: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    with CouncilOpen311({}) as council:
        code = main(["catalogue", "import-open311", council.url, "--out", str(folder),
                     "--api-key", "s3cret-key", "--jurisdiction-id", "demo.gov.uk"])
    output = capsys.readouterr()
    assert code == 2
    assert f"{council.url}/services.json?jurisdiction_id=demo.gov.uk" in output.err
    assert "s3cret" not in output.out + output.err

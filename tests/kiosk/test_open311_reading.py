"""Reading what Open311 servers send: the lenient JSON reader, and the normalisation of service
lists and definitions, for any input (property tests), without a server.

The promise: whatever arrives, the reader gives a value or one `JsonProblem` saying where,
the normaliser gives services and attributes or `Issue`s, and every attribute list it
accepts becomes a service the catalogue loads; nothing else is ever raised.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.catalogue.model import Service
from kiosk.catalogue.open311_definitions import (
    ServiceEntry,
    attributes_from,
    plain,
    services_from,
)
from kiosk.catalogue.open311_import import ImportOptions, ServiceRefused, build_service
from kiosk.catalogue.open311_json import JsonProblem, read_json
from kiosk.catalogue.translations import missing_texts
from kiosk.journey.types import builtin_types

URL = "http://council.example/open311/v2/services/X.json"


# ----- the lenient reader -------------------------------------------------------------------

def test_valid_json_is_read_strictly_with_numbers_as_written() -> None:
    read = read_json('\ufeff[{"service_code": 1, "key": 1.50, "metadata": true, "x": null}]')
    assert read.value == [{"service_code": "1", "key": "1.50", "metadata": True, "x": None}]
    assert read.forgiven == ()


@pytest.mark.parametrize(("text", "value", "kind"), [
    ('{"service_code":001}', {"service_code": "001"}, "numbers with leading zeros"),
    ('{"service_code":DMV66}', {"service_code": "DMV66"}, "words without quotes"),
    ('[1, 2,]', ["1", "2"], "trailing commas"),
    ('{"a": 1,}', {"a": "1"}, "trailing commas"),
    ("{'a': 'it\\'s'}", {"a": "it's"}, "text in single quotes"),
    ('{code: "a"}', {"code": "a"}, "names without quotes"),
    ('{"a": "two\nlines"}', {"a": "two\nlines"}, "line breaks inside text"),
])
def test_each_thing_the_spec_examples_get_wrong_is_forgiven_and_named(
    text: str, value: Any, kind: str,
) -> None:
    read = read_json(text)
    assert read.value == value
    [(found, _fix)] = read.forgiven
    assert found.startswith(kind + " (")


def test_escapes_including_surrogate_pairs_are_read() -> None:
    assert read_json("['caf\\u00e9 \\ud83d\\uddd1 \\/ \\n', 01]").value == ["café 🗑 / \n", "01"]


@pytest.mark.parametrize(("text", "line", "column", "expected"), [
    ('{"a": 1\n "b": 2}', 2, 2, "',' or '}'"),
    ('{"a" 1}', 1, 6, "':' after the name 'a'"),
    ('["a", \\x]', 1, 7, "a value (text in quotes, a number, true, false, null, '{' or '[')"),
    ('["\\q"]', 1, 4, "an escape"),
    ('["\\u12"]', 1, 5, "four hexadecimal digits after \\u"),
    ("[1] [2]", 1, 5, "the end of the document"),
    ('"open', 1, 1, 'text closed by "'),
])
def test_what_cannot_be_read_says_where_and_what_was_expected(
    text: str, line: int, column: int, expected: str,
) -> None:
    with pytest.raises(JsonProblem) as raised:
        read_json(text)
    assert (raised.value.line, raised.value.column) == (line, column)
    assert raised.value.expected.startswith(expected)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=4),
    max_leaves=20,
)


def _as_read(value: Any) -> Any:
    """What the reader makes of a value: integers as their text."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return [_as_read(v) for v in value]
    return {k: _as_read(v) for k, v in value.items()}


@given(JSON_VALUES)
def test_any_json_reads_back_with_numbers_as_text(value: Any) -> None:
    assert read_json(json.dumps(value)).value == _as_read(value)


@given(JSON_VALUES)
def test_trailing_commas_everywhere_read_the_same(value: Any) -> None:
    text = json.dumps(value).replace("]", ",]").replace("}", ",}").replace("[,]", "[]") \
        .replace("{,}", "{}")
    if '",' in json.dumps(value) or "\\" in text:
        return  # a comma or bracket inside a string would be changed too
    assert read_json(text).value == _as_read(value)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(list("{}[]:,'\"\\ \nabu019-.tfnl")), max_size=40))
def test_any_text_gives_a_value_or_one_problem(text: str) -> None:
    problem: JsonProblem | None = None
    try:
        read_json(text)
    except JsonProblem as raised:
        problem = raised
    if problem is not None:
        assert 1 <= problem.line <= text.count("\n") + 1
        assert 1 <= problem.column <= len(text) + 1


# ----- the normaliser, for anything a reader can produce -----------------------------------------

NAMES = ["service_code", "service_name", "description", "metadata", "group", "groups",
         "keywords", "services", "service", "attributes", "attribute", "variable", "code",
         "datatype", "required", "datatype_description", "order", "values", "value", "key",
         "name", "automated", "disable_message", "disable_form"]
WORDS = st.sampled_from(["true", "false", "1", "0", "string", "text", "number", "datetime",
                         "singlevaluelist", "multivaluelist", "server_set", "hidden_field",
                         "Black bin", "<b>bold</b>", "", " ", "001", "a,b", "x" * 200, "é"])
DOCUMENTS = st.recursive(
    st.none() | st.booleans() | WORDS | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(NAMES), inner,
                                                                max_size=8),
    max_leaves=40,
)
FLAGS = st.sampled_from([True, False, "true", "false", "1", "0"])
SOMETIMES = st.one_of(WORDS, st.integers(-3, 3), st.none())


def mostly(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Nearly always what a server means to send, else anything, so that both the accepting
    and the refusing paths are walked."""
    return st.integers(0, 39).flatmap(lambda n: SOMETIMES if n == 0 else good)


SERVER_TEXT = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "S")),
                      min_size=1, max_size=24).filter(str.strip)
LIST_ATTRIBUTE = st.fixed_dictionaries({
    "code": mostly(SERVER_TEXT),
    "datatype": mostly(st.sampled_from(["singlevaluelist", "multivaluelist", "string",
                                        "number", "text", "datetime", "MultiValueList"])),
    "description": mostly(SERVER_TEXT),
    "required": mostly(FLAGS), "variable": mostly(FLAGS), "order": mostly(st.integers(0, 5)),
    "automated": mostly(st.sampled_from(["", "", "", "server_set", "hidden_field"])),
    "datatype_description": mostly(st.text(max_size=20)),
    "values": st.lists(st.fixed_dictionaries({
        "key": mostly(SERVER_TEXT | st.integers(0, 99)),
        "name": mostly(SERVER_TEXT),
        "disable_message": st.none() | SERVER_TEXT}), min_size=1, max_size=6,
        unique_by=lambda value: str(value["key"]).strip()),
})


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_any_service_list_gives_services_or_issues(document: Any) -> None:
    services, issues = services_from(document, URL)
    assert len({s.code for s in services}) == len(services)
    assert all(s.code and s.name for s in services)
    assert all(str(issue).startswith(URL) for issue in issues)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(DOCUMENTS | st.fixed_dictionaries({"attributes": st.lists(LIST_ATTRIBUTE, max_size=4)}))
def test_every_definition_the_reader_accepts_becomes_a_loadable_service(document: Any) -> None:
    attributes, issues = attributes_from(document, URL, "X")
    assert all(issue.service == "X" for issue in issues)
    if any(issue.stops for issue in issues):
        return
    entry = ServiceEntry("X", "Something", "Something wrong", True, ("Roads",))
    refused: ServiceRefused | None = None
    try:
        imported = build_service(entry, attributes, 1, ImportOptions(), set(), URL)
    except ServiceRefused as raised:
        refused = raised
    if refused is not None:
        assert refused.issue.expected == "a service residents can report"  # disable_form only
        return
    Service.model_validate(imported.document, context=builtin_types().context())
    codes = imported.document["destination"].get("attributes", {})
    assert set(codes) == {a.code for a in attributes if a.asked}


def test_plain_text_keeps_line_breaks_and_drops_tags() -> None:
    assert plain("<p>Put bins out by <b>7am</b>.</p><p>Thanks&nbsp;&amp; bye</p>") == \
        "Put bins out by 7am.\nThanks & bye"
    assert plain(None) == ""


def test_a_server_in_welsh_gives_welsh_texts_with_an_english_copy_to_replace() -> None:
    entry = ServiceEntry("X", "Tipio anghyfreithlon", "Sbwriel ar y stryd", False)
    imported = build_service(entry, [], 1, ImportOptions(language="cy"), set(), URL)
    assert imported.document["title"] == {"en": "Tipio anghyfreithlon", "cy": "Tipio anghyfreithlon"}
    service = Service.model_validate(imported.document, context=builtin_types().context())
    assert missing_texts(service, "cy") == []
    assert "title" in missing_texts(service, "pl")

"""Bad service files fail at load with messages council IT can act on, never a traceback.

Each message names the file, the line, the dotted field path, what was expected and what
was found. Fixtures: tests/kiosk/fixtures/catalogues/<case>/ (one small YAML file each).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from kiosk.catalogue import Service, load_catalogue
from kiosk.config_errors import ConfigError, Problem

CATALOGUES = Path(__file__).parent / "fixtures" / "catalogues"


def line_of(path: Path, snippet: str) -> int:
    """The 1-based number of the first line of `path` containing `snippet`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if snippet in line:
            return number
    raise AssertionError(f"{snippet!r} not in {path}")


def assert_readable(message: str) -> None:
    for python_noise in ("Traceback", 'File "', "pydantic", "ValidationError", "Value error",
                         "function-after", "For further information"):
        assert python_noise not in message


def only_problem(case: str) -> tuple[Problem, str, Path]:
    folder = CATALOGUES / case
    with pytest.raises(ConfigError) as info:
        load_catalogue(folder)
    message = str(info.value)
    assert_readable(message)
    assert len(info.value.problems) == 1, message
    problem = info.value.problems[0]
    assert str(problem) in message
    return problem, message, Path(problem.file)


def test_the_good_fixture_loads() -> None:
    catalogue = load_catalogue(CATALOGUES / "good")
    assert [s.id for s in catalogue] == ["report"]


@pytest.mark.parametrize(("case", "snippet", "path", "expected", "found"), [
    ("missing-field", "confirmation:", "confirmation.title", "this field", "nothing"),
    ("wrong-type", "version: two", "version", "a whole number", "'two'"),
    ("route-to-missing-page", "goto: details", "pages[0].routes[0].goto",
     "a page id (kind, detail) or check_answers", "'details'"),
    ("route-loop", "- id: detail", "pages[1]", "routes without loops",
     "a loop: kind → detail → kind"),
    ("unreachable-page", "- id: detail", "pages[1]", "a page reached from the first page 'kind'",
     "'detail', which no page on the journey leads to"),
    ("one-option", "options:", "pages[0].question.options",
     "at least 2 options for a radios question", "1 option"),
    ("condition-value-typo", "equals: B", "pages[0].routes[0].when.equals",
     "an answer of page 'kind' (a, b)", "'B'"),
    ("error-placeholder", "too_long: Use {maximum}", "pages[1].question.errors.too_long.en",
     "placeholders among {max}", "{maximum}"),
    ("unknown-error-name", "requried:", "pages[1].question.errors.requried", "an error name (",
     "'requried'"),
    ("bad-pattern", "pattern:", "pages[1].question.rules.pattern", "a regular expression",
     "'[A-Z'"),
    ("unknown-open311-field", "adress_string:", "destination.fields.adress_string",
     "an Open311 field (address_string, description", "'adress_string'"),
])
def test_bad_service_file(case: str, snippet: str, path: str, expected: str, found: str) -> None:
    problem, message, file = only_problem(case)
    assert file == CATALOGUES / case / "report.yaml"
    assert problem.line == line_of(file, snippet)
    assert problem.path == path
    assert expected in problem.expected
    assert problem.found == found
    assert f"{file}:{problem.line}: {path}: expected " in message


def test_unknown_field_names_the_typo_and_the_missing_field() -> None:
    folder = CATALOGUES / "unknown-field"
    with pytest.raises(ConfigError) as info:
        load_catalogue(folder)
    file = folder / "report.yaml"
    by_path = {p.path: p for p in info.value.problems}
    assert set(by_path) == {"pages[1].question.lable", "pages[1].question.label"}
    typo = by_path["pages[1].question.lable"]
    assert (typo.file, typo.line) == (str(file), line_of(file, "lable:"))
    assert typo.expected == "no such field (check the spelling)"
    assert typo.found == "an unknown field 'lable'"
    assert by_path["pages[1].question.label"].found == "nothing"
    assert_readable(str(info.value))


def test_yaml_syntax_error_names_the_line() -> None:
    problem, message, file = only_problem("syntax-error")
    assert problem.line == line_of(file, "label: [Tell us more") + 1
    assert problem.expected == "valid YAML"
    assert "expected ',' or ']'" in problem.found
    assert message.startswith("1 problem:")


def test_file_name_must_match_the_service_id() -> None:
    problem, _, file = only_problem("name-mismatch")
    assert file.name == "report-it.yaml"
    assert problem.path == "id"
    assert problem.line == line_of(file, "id: report")
    assert problem.expected == "'report-it' (the file name, report-it.yaml)"
    assert problem.found == "'report'"


def test_every_bad_file_in_a_folder_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        load_catalogue(CATALOGUES / "two-bad-files")
    message = str(info.value)
    assert message.startswith("2 problems:")
    assert {(Path(p.file).name, p.path) for p in info.value.problems} == {
        ("report.yaml", "version"), ("other.yaml", "pages[0].routes[0].goto")}
    assert_readable(message)


def test_missing_and_empty_folders(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such folder"):
        load_catalogue(tmp_path / "nowhere")
    with pytest.raises(ConfigError, match=r"at least one service file \(\*\.yaml\), found none"):
        load_catalogue(tmp_path)


@pytest.mark.parametrize(("text", "path", "expected"), [
    ("", "", "a mapping (key: value lines)"),
    ("- id: report\n", "", "a mapping (key: value lines)"),
    ("id: report\ntitle: [a, b]\n", "title", "text, or one text per language"),
])
def test_odd_shapes(tmp_path: Path, text: str, path: str, expected: str) -> None:
    (tmp_path / "report.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_catalogue(tmp_path)
    problem = next(p for p in info.value.problems if p.path == path)
    assert expected in problem.expected
    assert_readable(str(info.value))


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "report.yaml").write_bytes(b"id: r\xe9port\n")
    with pytest.raises(ConfigError) as info:
        load_catalogue(tmp_path)
    assert info.value.problems[0].expected == "UTF-8 text"
    assert_readable(str(info.value))


# ----- the same checks when a service is built in code (hub imports, tests) ----------------

GOOD = {
    "id": "report", "title": "Report", "description": "d",
    "pages": [
        {"id": "kind", "question": {"type": "radios", "label": "Kind", "options": [
            {"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
         "routes": [{"when": {"answer": "kind", "equals": "b"}, "goto": "more"}],
         "next": "check_answers"},
        {"id": "more", "question": {"type": "checkboxes", "label": "More", "options": [
            {"value": "x", "label": "X"}, {"value": "y", "label": "Y"}]}},
    ],
    "confirmation": {"title": "Sent", "next_steps": "Wait"},
    "destination": {"to": "council", "service_code": "R"},
}


def with_route(when: dict[str, object], **target: str) -> dict[str, object]:
    pages = [dict(GOOD["pages"][0]), GOOD["pages"][1]]  # type: ignore[index]
    pages[0]["routes"] = [*pages[0]["routes"], {"when": when, **(target or {"goto": "more"})}]
    return {**GOOD, "pages": pages}


@pytest.mark.parametrize(("data", "fragment"), [
    (with_route({"answer": "more", "equals": "x"}), "includes for a checkboxes question"),
    (with_route({"answer": "kind", "includes": "a"}),
     "equals, not_equals or one_of for a radios question"),
    (with_route({"answer": "kind", "one_of": ["a", "c"]}),
     "pages[0].routes[1].when.one_of[1]: expected an answer of page 'kind' (a, b), found 'c'"),
    (with_route({"answer": "kind", "equals": "a", "not_equals": "b"}),
     "expected exactly one of equals, not_equals, one_of, includes, answered, found equals and "
     "not_equals"),
    (with_route({"answer": "kind", "equals": "a"}, goto="more", exit="gone"),
     "expected exactly one of goto (a page id or check_answers) or exit, found both"),
    (with_route({"answer": "kind", "equals": "a"}, exit="gone"),
     "pages[0].routes[1].exit: expected an exit page id (none defined), found 'gone'"),
    (with_route({"answer": "nope", "answered": True}),
     "pages[0].routes[1].when.answer: expected a question page id (kind, more), found 'nope'"),
    ({**GOOD, "destination": {"to": "c", "service_code": "R", "attributes": {"k": "gone"}}},
     "destination.attributes.k: expected a question page id (kind, more), found 'gone'"),
    ({**GOOD, "pages": [GOOD["pages"][0], {**GOOD["pages"][1], "id": "kind"}]},  # type: ignore[index]
     "pages[1].id: expected unique page ids, found 'kind' again (also pages[0])"),
])
def test_service_problems_in_code(data: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        Service.model_validate(data)
    assert fragment in str(info.value)


def test_conditions_that_can_hold_are_accepted() -> None:
    for when in ({"answer": "more", "includes": "y"}, {"answer": "kind", "not_equals": "a"},
                 {"answer": "kind", "one_of": ["a", "b"]}, {"answer": "more", "answered": False}):
        Service.model_validate(with_route(when))

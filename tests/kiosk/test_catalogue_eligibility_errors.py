"""Mistakes in computed values, page conditions and evidence fail at load with a message
council IT can act on: the file, the line, the field, what was expected and what was found."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from kiosk.catalogue import load_catalogue
from kiosk.config_errors import ConfigError, Problem
from tests.kiosk.eligibility_service import SERVICE_DATA


def load_with(tmp_path: Path, change: Any) -> list[Problem]:
    data = copy.deepcopy(SERVICE_DATA)
    change(data)
    (tmp_path / f"{data['id']}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                                  encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_catalogue(tmp_path)
    message = str(info.value)
    assert "Traceback" not in message
    assert "pydantic" not in message
    return list(info.value.problems)


def test_the_test_application_loads(tmp_path: Path) -> None:
    data = copy.deepcopy(SERVICE_DATA)
    (tmp_path / "pass-test.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    service = load_catalogue(tmp_path).service("pass-test")
    assert [c.id for c in service.computed] == ["pension_age", "over_60", "in_area"]
    assert service.pages[-1].id == "evidence_seen"


def set_in(path: tuple[Any, ...], value: Any) -> Any:
    def change(data: Any) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


CASES = [
    # (what to change, the field reported, words in expected, found)
    (set_in(("computed", 0, "state_pension_age_reached"), "ni"),
     "computed[0].state_pension_age_reached", "a date question's page id (born)", "'ni'"),
    (set_in(("computed", 1, "age_at_least", "date"), "nobody"),
     "computed[1].age_at_least.date", "a date question's page id (born)", "'nobody'"),
    (set_in(("computed", 2, "inside_area"), "born"),
     "computed[2].inside_area", "an address question's page id (address)", "'born'"),
    (set_in(("computed", 0, "id"), "ni"),
     "computed[0].id", "an id no page has", "'ni', also a page id"),
    (set_in(("computed", 1, "id"), "pension_age"),
     "computed[1].id", "unique computed ids", "'pension_age' again"),
    (set_in(("computed", 0, "age_at_least"), {"date": "born", "years": 60}),
     "computed[0]", "exactly one of state_pension_age_reached, age_at_least, inside_area",
     "state_pension_age_reached and age_at_least"),
    (set_in(("pages", 1, "when"), {"computed": "pension", "equals": "no"}),
     "pages[1].when.computed", "a computed value's id (pension_age, over_60, in_area)",
     "'pension'"),
    (set_in(("pages", 1, "when"), {"computed": "pension_age", "equals": "maybe"}),
     "pages[1].when.equals", "a value of 'pension_age' (yes, no)", "'maybe'"),
    (set_in(("pages", 4, "when"), {"computed": "in_area", "one_of": ["yes", "perhaps"]}),
     "pages[4].when.one_of[1]", "a value of 'in_area' (yes, no, unknown)", "'perhaps'"),
    (set_in(("pages", 1, "when"), {"computed": "pension_age", "includes": "no"}),
     "pages[1].when", "exactly one of equals, not_equals, one_of with computed", "includes"),
    (set_in(("pages", 1, "when"), {"answer": "why", "equals": "carer"}),
     "pages[1].when", "a condition on an earlier page or a computed value", "page 'why' itself"),
    (set_in(("pages", 1, "when"), {"answer": "ni", "equals": "x", "computed": "over_60"}),
     "pages[1].when", "exactly one of answer (a page id), result (a page id) or computed",
     "answer and computed"),
    (set_in(("evidence", 2, "when"), {"answer": "why", "equals": "blind"}),
     "evidence[2].when.equals", "an answer of page 'why' (disabled, carer)", "'blind'"),
    (set_in(("evidence", 1, "id"), "photo"),
     "evidence[1].id", "unique evidence ids", "'photo' again"),
    (set_in(("evidence", 0, "id"), "none"),
     "evidence[0].id", "an id other than 'none'", "'none'"),
    (set_in(("pages", 4, "id"), "evidence_seen"),
     "pages[4].id", "a page id other than the reserved 'check_answers' and 'evidence_seen'",
     "'evidence_seen'"),
    (set_in(("pages", 2, "question", "personal"), False),
     "pages[2].question.personal", "personal: true for a ni_number question", "false"),
]


@pytest.mark.parametrize(("change", "path", "expected", "found"), CASES)
def test_each_mistake_is_reported_precisely(tmp_path: Path, change: Any, path: str,
                                            expected: str, found: str) -> None:
    problems = load_with(tmp_path, change)
    paths = [p.path for p in problems]
    # Renaming a computed value also leaves the one condition naming it unresolved.
    renamed = path.startswith("computed[") and path.endswith(".id")
    assert path in paths, problems
    assert len(paths) == (2 if renamed else 1), problems
    problem = next(p for p in problems if p.path == path)
    assert problem.file.endswith("pass-test.yaml")
    assert expected in problem.expected
    assert problem.found == found
    assert problem.line is not None


def test_evidence_in_a_service_that_sends_nothing(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        del data["destination"], data["confirmation"]
        data["pages"].append({"id": "end", "info": {"title": "End", "body": "Done"}})
    problems = load_with(tmp_path, change)
    assert [(p.path, p.found) for p in problems] == [("evidence", "evidence")]
    assert "no evidence in a service that sends nothing" in problems[0].expected

"""`deliveries:` in a service file ("tell us once"): one submission, one delivery per back
office. Bad ones fail at load naming the file, the field (`deliveries[1].id`), what was
expected and what was found; the profile check names the delivery whose `to` it lacks."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from accessibility.languages import Translator
from kiosk.catalogue import load_catalogue
from kiosk.config_errors import ConfigError, Problem
from kiosk.journey.engine import JourneyEngine
from kiosk.profile import load_profile
from kiosk.submission import open311_parameters

FIXTURES = Path(__file__).parent / "fixtures"
TELL = FIXTURES / "catalogues" / "tell-us-once"


def moved() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((TELL / "moved.yaml").read_text(encoding="utf-8"))
    return data


def problems_of(tmp_path: Path, data: dict[str, Any]) -> list[Problem]:
    (tmp_path / "moved.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                         encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_catalogue(tmp_path)
    assert "Traceback" not in str(info.value)
    return list(info.value.problems)


def test_the_fixture_loads_and_sends_to_each_delivery() -> None:
    service = load_catalogue(TELL).service("moved")
    assert service.sends
    assert service.check_answers is not None
    assert [(part, m.to, m.service_code) for part, m in service.mappings()] == [
        ("council_tax", "council", "MOVED_COUNCIL_TAX"),
        ("electoral", "elections", "MOVED_ELECTORAL"),
        ("libraries", "libraries", "MOVED_LIBRARIES")]
    assert service.deliveries[1].label.get("cy") == "Y gofrestr etholiadol"


def test_each_delivery_maps_only_its_own_answers() -> None:
    service = load_catalogue(TELL).service("moved")
    engine = JourneyEngine(service, Translator(strict=True), lambda: date(2026, 4, 1))
    engine.start()
    engine.answer("new_address", "1 New Street")
    engine.answer("tell", ("council_tax", "libraries"))
    engine.answer("library_card", "LIB-77")
    answers = engine.answers()
    sent = {part: open311_parameters(service, answers, mapping=m)[1]
            for part, m in service.mappings()}
    assert sent["council_tax"] == {"address_string": "1 New Street"}
    assert sent["libraries"] == {"address_string": "1 New Street", "description": "LIB-77"}
    chosen = [d.id for d in service.deliveries if d.when is None or engine.holds(d.when)]
    assert chosen == ["council_tax", "libraries"]


def test_destination_and_deliveries_together_are_refused(tmp_path: Path) -> None:
    data = moved()
    data["destination"] = {"to": "council", "service_code": "X"}
    [problem] = problems_of(tmp_path, data)
    assert problem.expected == "exactly one of destination, deliveries or booking"
    assert problem.found == "destination and deliveries"


def test_delivery_ids_must_be_unique(tmp_path: Path) -> None:
    data = moved()
    data["deliveries"][2]["id"] = "council_tax"
    [problem] = problems_of(tmp_path, data)
    assert problem.path == "deliveries[2].id"
    assert problem.expected == "unique delivery ids"
    assert problem.found == "'council_tax' again (also deliveries[0])"


def test_when_must_name_a_question_and_a_value_it_can_hold(tmp_path: Path) -> None:
    data = moved()
    data["deliveries"][0]["when"] = {"answer": "tel", "includes": "council_tax"}
    data["deliveries"][1]["when"] = {"answer": "tell", "includes": "electorial"}
    first, second = problems_of(tmp_path, data)
    assert first.path == "deliveries[0].when.answer"
    assert first.expected.startswith("a question page id (new_address, tell")
    assert first.found == "'tel'"
    assert second.path == "deliveries[1].when.includes"
    assert second.expected == "an answer of page 'tell' (council_tax, electoral, libraries)"


def test_a_delivery_mapping_names_real_pages(tmp_path: Path) -> None:
    data = moved()
    data["deliveries"][2]["destination"]["fields"]["description"] = ["library_crad"]
    [problem] = problems_of(tmp_path, data)
    assert problem.path == "deliveries[2].destination.fields.description[0]"
    assert problem.found == "'library_crad'"


def test_profile_names_the_delivery_whose_destination_it_lacks() -> None:
    with pytest.raises(ConfigError) as info:
        load_profile(FIXTURES / "profiles" / "unknown-delivery-destination.yaml",
                     secrets={"council-api-key": "test-key"})
    [problem] = info.value.problems
    service_file = FIXTURES / "catalogues" / "delivery-crm" / "report.yaml"
    assert Path(problem.file) == service_file.resolve()
    assert problem.path == "deliveries[1].destination.to"
    assert "service 'report', delivery 'crm'" in problem.expected
    assert "(council)" in problem.expected
    assert problem.found == "'crm'"
    lines = service_file.read_text(encoding="utf-8").splitlines()
    assert problem.line is not None
    assert "to: crm" in lines[problem.line - 1]

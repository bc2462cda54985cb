"""A question type added by registration alone, core half and view half, driven end to end:
its YAML loads, the engine checks and routes it, speech reads it, the view shows it and gives
its value back. Nothing outside this file changes: that is the point of the registries."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from accessibility.languages import Translator
from accessibility.themes import standard_theme
from kiosk.announce import script_for
from kiosk.catalogue import load_catalogue
from kiosk.config_errors import ConfigError
from kiosk.journey.engine import CHECK, JourneyEngine
from kiosk.journey.pages import CheckAnswersPage, ExitPage, QuestionPage
from kiosk.journey.speech import spell
from kiosk.journey.types import CheckContext, DisplayContext, QuestionType, builtin_types
from kiosk.journey.validation import Answer, Checked, FieldError, RawAnswer, clean_text
from kiosk.submission import open311_parameters
from kiosk.texts import Texts
from ui.pages.base import Intents
from ui.pages.inputs import QuestionInput, builtin_inputs
from ui.pages.question import QuestionView
from ui.pages.registry import view_for
from ui.widgets import line_edit

if TYPE_CHECKING:
    from kiosk.catalogue import Question
    from kiosk.journey.speech import Script

TODAY = date(2026, 11, 23)
_REG = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z]{3}$")


# ----- the core half: one class, registered -------------------------------------------------

class VehicleReg(QuestionType):
    """A current-style UK number plate: "ab12 cde" is stored as "AB12CDE", shown "AB12 CDE"."""

    def check(self, question: Question, page_id: str, raw: RawAnswer,
              context: CheckContext) -> Checked:
        text = clean_text(raw if isinstance(raw, str) else "", multiline=False) or ""
        plate = text.replace(" ", "").upper()
        if not plate:
            return Checked(errors=(FieldError(page_id, "error.required.enter"),))
        if not _REG.match(plate):
            return Checked(errors=(FieldError(page_id, "error.pattern"),))
        return Checked(value=plate)

    def display(self, value: Answer, context: DisplayContext) -> str:
        assert isinstance(value, str)
        return f"{value[:4]} {value[4:]}"

    def attribute(self, value: Answer) -> str | list[str]:
        return f"REG:{value}"

    def speak(self, script: Script, page: QuestionPage, hide: bool) -> None:
        value = page.value if isinstance(page.value, str) else ""
        if value.strip():
            script.say("value", script.texts("speech.personal_hidden") if hide else spell(value))


TYPES = builtin_types().with_types(VehicleReg("vehicle_reg", max_length=10))


# ----- the view half: one input class, registered ---------------------------------------------

class PlateInput(QuestionInput):
    def __init__(self, page: QuestionPage, texts: Texts, theme: object) -> None:
        super().__init__(page, texts, theme)  # type: ignore[arg-type]
        self.edit = line_edit(page.value if isinstance(page.value, str) else "",
                              max_length=page.max_length, name="plate")
        self.layout_.addWidget(self.edit)

    def value(self) -> RawAnswer:
        return self.edit.text()


INPUTS = {**builtin_inputs(), "vehicle_reg": PlateInput}

SERVICE_YAML = """\
id: abandoned-car
title: Report an abandoned car
description: Tell us about a car left on the street.
pages:
  - id: plate
    question:
      type: vehicle_reg
      label: What is the number plate?
    routes:
      - when: {answer: plate, equals: AB12CDE}
        exit: already_known
  - id: where
    question: {type: text, label: Where is it?}
exits:
  - {id: already_known, title: We already know about this car, body: It will be moved soon.}
confirmation: {title: Report sent, next_steps: We will look at it.}
destination:
  to: council
  service_code: CAR
  attributes: {plate: plate}
"""


def load(tmp_path: Path, types: object = TYPES):
    folder = tmp_path / "catalogue"
    folder.mkdir(exist_ok=True)
    (folder / "abandoned-car.yaml").write_text(SERVICE_YAML, encoding="utf-8")
    return load_catalogue(folder, types).service("abandoned-car")  # type: ignore[arg-type]


def test_without_the_registration_the_yaml_is_refused_with_the_registered_names(
        tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, None)
    (problem,) = info.value.problems
    assert problem.path == "pages[0].question.type"
    assert problem.line == 7  # "      type: vehicle_reg"
    assert problem.expected.startswith("a question type (radios, checkboxes")
    assert problem.found == "'vehicle_reg'"


def test_a_registered_type_works_end_to_end(qtbot, tmp_path: Path) -> None:
    service = load(tmp_path)
    texts = Translator(strict=True)
    engine = JourneyEngine(service, texts, lambda: TODAY, TYPES)
    page = engine.start()
    assert isinstance(page, QuestionPage)
    assert page.qtype == "vehicle_reg"
    assert page.max_length == 10

    # The view: shown by the registry's input, its value given back through the intents.
    given: list[tuple[str, RawAnswer]] = []
    intents = Intents(start=lambda: None, choose_service=lambda _: None,
                      answer=lambda pid, raw: given.append((pid, raw)), back=lambda: None,
                      change=lambda _: None, submit=lambda: None, finish=lambda: None,
                      start_again=lambda: None)
    view = view_for(page, texts, standard_theme(), intents, inputs=INPUTS)
    qtbot.addWidget(view)
    assert isinstance(view, QuestionView)
    assert isinstance(view.input, PlateInput)
    qtbot.keyClicks(view.input.edit, "xy99 zzz")
    view.continue_button.click()
    assert given == [("plate", "xy99 zzz")]

    # The engine: checks with the type, routes on the stored value.
    wrong = engine.answer("plate", "not a plate")
    assert isinstance(wrong, QuestionPage)
    assert wrong.errors[0].message == texts("error.pattern")
    engine.answer(*given[0])
    engine.answer("where", "Outside the library")
    assert engine.where == CHECK
    summary = engine.current()
    assert isinstance(summary, CheckAnswersPage)
    assert summary.rows[0].value == "XY99 ZZZ"
    assert open311_parameters(service, engine.answers(), types=TYPES)[0] == {
        "plate": "REG:XY99ZZZ"}

    # Speech: the type says its value, spelled, where the page shows it.
    back = engine.back()
    back = engine.back()
    assert isinstance(back, QuestionPage)
    assert back.value == "xy99 zzz"
    spoken = script_for(back, texts, read_personal=True, types=TYPES)
    assert [u.text for u in spoken if u.item == "value"] == ["x y 9 9 z z z"]
    assert [u.item for u in spoken][-2:] == ["button:back", "button:continue"]
    shown = view_for(back, texts, standard_theme(), intents, inputs=INPUTS)
    qtbot.addWidget(shown)
    assert isinstance(shown, QuestionView)
    assert shown.input.value() == "xy99 zzz"

    # And a route on the new type's answer.
    engine.answer("plate", "ab12 cde")
    assert isinstance(engine.current(), ExitPage)

"""`destination.values` (the back office's own keys for options whose value cannot hold them)
and `groups` in a service file: checked at load, applied when a submission is made."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from kiosk.catalogue import Service
from kiosk.catalogue.translations import missing_texts
from kiosk.submission import open311_parameters

PAGES = [
    {"id": "bin", "question": {"type": "radios", "label": "Which bin?", "options": [
        {"value": "Black_240L", "label": "Black"}, {"value": "blue", "label": "Blue"}]}},
    {"id": "extra", "question": {"type": "checkboxes", "label": "Anything else?", "options": [
        {"value": "Food_Garden", "label": "Food and garden"}, {"value": "glass", "label": "Glass"}]}},
    {"id": "note", "question": {"type": "text", "label": "Note", "optional": True}},
]


def service(values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": "bins", "title": "Bins", "description": "d", "pages": PAGES,
            "confirmation": {"title": "Sent", "next_steps": "Wait"},
            "destination": {"to": "council", "service_code": "BIN",
                            "attributes": {"bin_type": "bin", "extras": "extra", "note": "note"},
                            "values": values}, **extra}


def test_answers_are_sent_with_the_back_offices_keys() -> None:
    loaded = Service.model_validate(service({"bin_type": {"Black_240L": "Black 240L"},
                                             "extras": {"Food_Garden": "Food & Garden"}}))
    attributes, _ = open311_parameters(loaded, {"bin": "Black_240L",
                                                "extra": ("Food_Garden", "glass"), "note": "x"})
    assert attributes == {"bin_type": "Black 240L", "extras": ["Food & Garden", "glass"],
                          "note": "x"}
    attributes, _ = open311_parameters(loaded, {"bin": "blue", "extra": ("glass",)})
    assert attributes == {"bin_type": "blue", "extras": ["glass"]}


@pytest.mark.parametrize(("values", "fragment"), [
    ({"colour": {"a": "A"}}, "destination.values.colour: expected an attribute code mapped to a "
     "question with listed options (bin_type, extras, note), found 'colour'"),
    ({"note": {"a": "A"}}, "destination.values.note: expected an attribute code mapped to a "
     "question with listed options"),
    ({"bin_type": {"red": "Red"}}, "destination.values.bin_type.red: expected an option value of "
     "page 'bin' (Black_240L, blue), found 'red'"),
    ({"bin_type": {"blue": " "}}, "destination.values.bin_type.blue: expected the key the back "
     "office expects, found nothing"),
])
def test_a_mapping_that_cannot_apply_is_refused(values: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        Service.model_validate(service(values))
    assert fragment in str(info.value)


def test_groups_are_texts_translators_see() -> None:
    loaded = Service.model_validate(service({}, groups=["Bins", {"en": "Waste", "cy": "Gwastraff"}]))
    assert [g.get("cy") for g in loaded.groups] == ["Bins", "Gwastraff"]
    assert "groups[0]" in missing_texts(loaded, "cy")
    assert "groups[1]" not in missing_texts(loaded, "cy")

"""A small application with computed values, pages shown only when a condition holds,
evidence, and a National Insurance number: shared by the engine, resident, terminal and UI
tests of issue 13's catalogue constructs (not one of the demo's services)."""

from __future__ import annotations

import copy
from typing import Any

from kiosk.catalogue import Service
from kiosk.lookups.base import LookupItem, LookupRequest, LookupResult

SERVICE_DATA: dict[str, Any] = {
    "id": "pass-test", "title": "Apply for a pass", "description": "A test application.",
    "computed": [
        {"id": "pension_age", "state_pension_age_reached": "born"},
        {"id": "over_60", "age_at_least": {"date": "born", "years": 60}},
        {"id": "in_area", "inside_area": "address"},
    ],
    "pages": [
        {"id": "born", "question": {"type": "date", "label": "What is your date of birth?",
                                    "personal": True, "rules": {"not_in_future": True}},
         "routes": [{"when": {"computed": "over_60", "equals": "no"}, "exit": "too_young"}]},
        {"id": "why", "when": {"computed": "pension_age", "equals": "no"},
         "question": {"type": "radios", "label": "Why do you need a pass before pension age?",
                      "options": [{"value": "disabled", "label": "I am disabled"},
                                  {"value": "carer", "label": "I care for someone"}]}},
        {"id": "ni", "question": {"type": "ni_number", "label": "What is your National "
                                  "Insurance number?", "personal": True}},
        {"id": "address", "question": {"type": "address", "personal": True}},
        {"id": "outside", "when": {"computed": "in_area", "equals": "no"},
         "info": {"title": "That address is outside our area",
                  "body": "You may still apply; we will check."}},
    ],
    "exits": [{"id": "too_young", "title": "You cannot apply yet", "body": "Come back at 60."}],
    "evidence": [
        {"id": "photo", "label": {"en": "A recent photo of you", "cy": "Llun diweddar ohonoch"},
         "hint": "Passport style"},
        {"id": "proof_of_address", "label": "Proof of your address",
         "when": {"computed": "in_area", "not_equals": "yes"}},
        {"id": "proof_of_disability", "label": "Proof of your disability",
         "when": {"answer": "why", "equals": "disabled"}},
    ],
    "confirmation": {"title": "Application sent", "next_steps": "We will post your pass."},
    "destination": {"to": "council", "service_code": "PASS",
                    "attributes": {"born": "born", "why": "why", "ni": "ni", "uprn": "address"},
                    "fields": {"address_string": ["address"]}},
}

ADDRESSES = {
    "DE99 1AB": (
        LookupItem("990000001001", "1 Library Lane, Demo Town, DE99 1AB", None,
                   {"uprn": "990000001001"}),
        LookupItem("990000001002", "2 Library Lane, Demo Town, DE99 1AB", None,
                   {"uprn": "990000001002", "in_area": "no"}),
    ),
}


def service(**changes: Any) -> Service:
    data = copy.deepcopy(SERVICE_DATA)
    data.update(changes)
    return Service.model_validate(data)


class Gazetteer:
    """Answers `addresses` from the table above (a test's own fake, beside the real backends)."""

    def lookup(self, request: LookupRequest) -> LookupResult:
        return LookupResult(request.source, ADDRESSES.get(request.inputs.get("postcode", ""), ()))

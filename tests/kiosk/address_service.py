"""A small service with an address question, and a lookup to answer it: shared by the engine,
speech and UI tests of the address question (`type: address`)."""

from __future__ import annotations

import copy
from typing import Any

from kiosk.catalogue import Service
from kiosk.lookups.base import LookupItem, LookupRequest, LookupResult, LookupUnavailable

SERVICE_DATA: dict[str, Any] = {
    "id": "report-it", "title": "Report it", "description": "Tell us where.",
    "pages": [
        {"id": "what", "question": {"type": "radios", "label": "What is wrong?", "options": [
            {"value": "bin", "label": "A bin"}, {"value": "light", "label": "A light"}]}},
        {"id": "address", "question": {"type": "address", "personal": True},
         "routes": [{"when": {"answer": "what", "equals": "light"}, "goto": "details"}]},
        {"id": "when", "question": {"type": "text", "label": "When?"}},
        {"id": "details", "question": {"type": "textarea", "label": "Anything else?",
                                       "optional": True}},
    ],
    "confirmation": {"title": "Sent", "next_steps": "We will look."},
    "destination": {"to": "council", "service_code": "IT",
                    "attributes": {"what": "what", "uprn": "address"},
                    "fields": {"address_string": ["address"], "description": ["details"]},
                    "data_fields": {"address_id": "address.uprn", "lat": "address.lat",
                                    "long": "address.long"}},
}

ADDRESSES = {
    "DE99 1AB": tuple(
        LookupItem(uprn, label, None, {"uprn": uprn, "lat": lat, "long": "-1.47021"})
        for uprn, label, lat in (
            ("990000001001", "1 Library Lane, Demo Town, DE99 1AB", "52.60012"),
            ("990000001002", "2 Library Lane, Demo Town, DE99 1AB", "52.60015"),
        )),
    "DE99 9ZZ": (),
}


def service(**changes: Any) -> Service:
    data = copy.deepcopy(SERVICE_DATA)
    data.update(changes)
    return Service.model_validate(data)


class AddressBook:
    """Answers `addresses` from the table above; `fail` makes every lookup unavailable;
    `asked` records the sources asked (a test's own fake, beside the real backends)."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.asked: list[str] = []

    def lookup(self, request: LookupRequest) -> LookupResult:
        self.asked.append(request.source)
        if self.fail:
            raise LookupUnavailable("unreachable")
        return LookupResult(request.source, ADDRESSES.get(request.inputs.get("postcode", ""), ()))

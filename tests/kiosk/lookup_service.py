"""A small service that asks the council twice (addresses by postcode, collection days by
address), with an information page, and a fake lookup to answer it: shared by the engine,
speech and UI tests of pages that are not plain questions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kiosk.catalogue import Service
from kiosk.lookups.base import LookupItem, LookupRequest, LookupResult, LookupUnavailable

SERVICE_DATA: dict[str, Any] = {
    "id": "bin-days", "title": "Find your bin days", "description": "When your bins are emptied.",
    "pages": [
        {"id": "intro", "info": {"title": "Before you start",
                                 "body": "You need the postcode of the address."}},
        {"id": "postcode", "question": {"type": "postcode", "label": "What is the postcode?",
                                        "personal": True}},
        {"id": "address", "question": {
            "type": "radios", "label": "Select the address", "personal": True,
            "options_from": {"source": "addresses", "inputs": {"postcode": "postcode"}}},
         "routes": [{"when": {"result": "address", "empty": True}, "exit": "not_found"}]},
        {"id": "days", "result": {
            "title": "Your next collections", "hint": "Put your bins out by 7am.",
            "rows_from": {"source": "bins", "inputs": {"uprn": "address"}}},
         "routes": [{"when": {"result": "days", "empty": True}, "exit": "no_days"}]},
        {"id": "missed", "question": {"type": "checkboxes", "label": "Which bins were missed?",
                                      "options": [
                                          {"value": "black", "label": "Black bin",
                                           "hint": "General rubbish"},
                                          {"value": "blue", "label": "Blue bin",
                                           "hint": "Recycling"}]}},
    ],
    "exits": [
        {"id": "not_found", "title": "We could not find that postcode",
         "body": "Check the postcode, or ask a member of staff."},
        {"id": "no_days", "title": "No collections found", "body": "Ask a member of staff."},
    ],
    "confirmation": {"title": "Sent", "next_steps": "We will look into it."},
    "destination": {"to": "council", "service_code": "BINS",
                    "attributes": {"uprn": "address", "missed": "missed"},
                    "fields": {"address_string": ["address"]},
                    "data_fields": {"address_id": "address.uprn", "lat": "address.lat",
                                    "long": "address.long"}},
}

ADDRESSES = {
    "DE1 2AB": (LookupItem("100030000001", "1 Market Place, Derby", None,
                           {"uprn": "100030000001", "lat": "52.92", "long": "-1.47"}),
                LookupItem("100030000002", "2 Market Place, Derby", "Flat above the shop",
                           {"uprn": "100030000002", "lat": "52.93", "long": "-1.48"})),
    "NG7 2RD": (LookupItem("100030000003", "Ivy Lodge, Nottingham", None,
                           {"uprn": "100030000003"}),),
}
DAYS = {
    "100030000001": (LookupItem("black", "Black bin", "Tuesday 25 November"),
                     LookupItem("blue", "Blue bin", "Tuesday 2 December")),
}


def service() -> Service:
    return Service.model_validate(SERVICE_DATA)


class TableLookup:
    """Answers from the tables above; `fail` makes every lookup unavailable; `asked` records
    each request (a test's own fake, beside the real backends' interface)."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.asked: list[LookupRequest] = []

    def lookup(self, request: LookupRequest) -> LookupResult:
        self.asked.append(request)
        if self.fail:
            raise LookupUnavailable("unreachable")
        table: Mapping[str, tuple[LookupItem, ...]] = (
            ADDRESSES if request.source == "addresses" else DAYS)
        key = next(iter(request.inputs.values()), "")
        return LookupResult(request.source, table.get(key, ()))

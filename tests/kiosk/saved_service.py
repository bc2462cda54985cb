"""A small service that opts in to save and come back, with every kind of page a snapshot
must replay: questions (radios, a date, text), an information page, the address question
(postcode, the looked-up list, typed by hand) and a result page whose rows are looked up.
Shared by the snapshot, terminal, two-kiosk and UI tests of saved applications."""

from __future__ import annotations

import copy
from typing import Any

from kiosk.catalogue import Service
from kiosk.lookups.base import LookupItem, LookupRequest, LookupResult
from tests.kiosk.address_service import AddressBook

SECRET = "Canary-Saved-Q7X2 kept for later"

SERVICE_DATA: dict[str, Any] = {
    "id": "apply-later", "version": 2, "save_and_return": True,
    "title": "Apply for a thing", "description": "A long application.",
    "pages": [
        {"id": "who", "question": {"type": "radios", "label": "Who is it for?", "options": [
            {"value": "me", "label": "Me"}, {"value": "other", "label": "Someone else"}]}},
        {"id": "about", "info": {"title": "About your home", "body": "We need your address."}},
        {"id": "home", "question": {"type": "address", "label": "Your postcode",
                                    "personal": True}},
        {"id": "days", "result": {"title": "Your collection days",
                                  "rows_from": {"source": "bin-collections",
                                                "inputs": {"uprn": "home"}}}},
        {"id": "born", "question": {"type": "date", "label": "Date of birth",
                                    "personal": True}},
        {"id": "story", "question": {"type": "textarea", "label": "Tell us why",
                                     "personal": True}},
        {"id": "extra", "question": {"type": "text", "label": "Anything else?",
                                     "optional": True}},
    ],
    "confirmation": {"title": "Application sent", "next_steps": "We will write to you."},
    "destination": {"to": "council", "service_code": "APPLY",
                    "attributes": {"who": "who", "story": "story"},
                    "fields": {"address_string": ["home"], "description": ["story"]}},
}


def service(**changes: Any) -> Service:
    data = copy.deepcopy(SERVICE_DATA)
    data.update(changes)
    return Service.model_validate(data)


class Council(AddressBook):
    """Addresses (the address question's tests' table) and collection days for any UPRN."""

    def lookup(self, request: LookupRequest) -> LookupResult:
        if request.source != "bin-collections":
            return super().lookup(request)
        self.asked.append(request.source)
        if self.fail:
            from kiosk.lookups.base import LookupUnavailable
            raise LookupUnavailable("unreachable")
        return LookupResult(request.source, (
            LookupItem("black", "Black bin: Tuesday"), LookupItem("green", "Green bin: Friday")))

"""Missed-bin reports made by the journey engine from the demo catalogue, as the kiosk makes
them: the demo's own journey (postcode and house: an address only), and the same journey with
the address chosen from the demo council's gazetteer (an address, a UPRN and coordinates, as
the address question of the lookups issue will supply them).
"""

from __future__ import annotations

import copy
import functools
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import yaml

import kiosk
from accessibility.languages import Translator
from hub.lookup_sources import demo_sources
from kiosk.catalogue import Service
from kiosk.journey.engine import CHECK, JourneyEngine
from kiosk.journey.pages import WaitingPage
from kiosk.journey.validation import DateParts, RawAnswer
from kiosk.lookups.base import LookupItem, LookupResult
from kiosk.submission import Submission, open311_parameters

DEMO_MISSED_BIN = Path(kiosk.__file__).parent / "demo" / "catalogue" / "missed-bin.yaml"
TODAY = date(2026, 11, 23)


@functools.cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEMO_MISSED_BIN.read_text(encoding="utf-8"))
    return data


@functools.cache
def demo_service() -> Service:
    return Service.model_validate(_data())


@functools.cache
def service_with_address_lookup() -> Service:
    """The demo journey with "house" replaced by a choice from the addresses at the postcode;
    the chosen address's UPRN and coordinates go as address_id, lat and long."""
    data = copy.deepcopy(_data())
    pages = data["pages"]
    index = next(i for i, page in enumerate(pages) if page["id"] == "house")
    pages[index] = {
        "id": "address",
        "question": {"type": "radios", "label": "Select the address", "personal": True,
                     "options_from": {"source": "addresses",
                                      "inputs": {"postcode": "postcode"}}},
        "routes": [{"when": {"result": "address", "empty": True}, "exit": "no_address"}],
        "next": "due_date",
    }
    data["exits"].append({"id": "no_address", "title": "We could not find that postcode",
                          "body": "Ask a member of staff."})
    del data["destination"]["fields"]["address_string"]
    data["destination"]["data_fields"] = {"address_id": "address.uprn", "lat": "address.lat",
                                          "long": "address.long"}
    return Service.model_validate(data)


class GazetteerLookup:
    """The demo hub's own address source, asked in-process."""

    def __init__(self) -> None:
        self._sources = demo_sources(lambda: TODAY)

    def lookup(self, source: str, inputs: dict[str, str]) -> LookupResult:
        found = self._sources.get(source)
        assert found is not None, source
        items = found.answer(inputs, "en")
        return LookupResult(source, tuple(LookupItem(i.value, i.label, i.hint, dict(i.data))
                                          for i in items))


@functools.cache
def _gazetteer() -> GazetteerLookup:
    return GazetteerLookup()


def report(service: Service, answers: dict[str, RawAnswer], *, reference: str | None = None,
           destination: str = "council") -> Submission:
    """Walk the journey with these answers (looking addresses up) and freeze the submission
    as `ResidentSession.prepare_submission` does."""
    engine = JourneyEngine(service, Translator("en"), lambda: TODAY)
    page = engine.start()
    gazetteer = _gazetteer()
    for _ in range(40):
        if engine.where == CHECK:
            break
        if isinstance(page, WaitingPage):
            request = page.request
            page = engine.lookup_done(request, gazetteer.lookup(request.source,
                                                                dict(request.inputs)))
            continue
        page_id = engine.where.page_id
        page = engine.answer(page_id, answers.get(page_id, ""))
        assert not engine.errors(), (page_id, engine.errors())
    assert engine.where == CHECK, engine.where
    attributes, fields = open311_parameters(service, engine.answers(), engine.answer_data(),
                                            engine.types)
    sid = engine.submission_id
    return Submission(
        submission_id=sid, reference=reference or uuid.uuid4().hex[:8].upper(),
        service_id=service.id, service_version=service.version,
        created_at="2026-11-23T10:00:00+00:00", destination=destination,
        service_code=service.destination.service_code, attributes=attributes, fields=fields,
    )


def answers(**extra: RawAnswer) -> dict[str, RawAnswer]:
    """A black bin missed at 14 Library Lane (DE99 1AB), contact by email."""
    base: dict[str, RawAnswer] = {
        "bin_type": "general", "postcode": "DE99 1AB", "house": "14",
        "address": "990000001014", "due_date": DateParts("20", "11", "2026"),
        "details": "By the side gate", "contact_method": "email",
        "contact_email": "resident@example.org",
    }
    base.update(extra)
    return base

"""Missed-bin reports made by the journey engine from the demo catalogue, as the kiosk makes
them: the address chosen from the demo council's gazetteer (an address, a UPRN and
coordinates), or typed by hand because it was not listed (an address only).
"""

from __future__ import annotations

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
from kiosk.journey.types.address import AddressParts
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
    chosen = engine.answers()
    attributes, fields = open311_parameters(
        engine.service, chosen, engine.answer_data(), engine.types,
        labels={pid: engine.chosen_labels(pid) for pid in chosen})
    sid = engine.submission_id
    return Submission(
        submission_id=sid, reference=reference or uuid.uuid4().hex[:8].upper(),
        service_id=service.id, service_version=service.version,
        created_at="2026-11-23T10:00:00+00:00", destination=destination,
        service_code=service.destination.service_code, attributes=attributes, fields=fields,
    )


def answers(**extra: RawAnswer) -> dict[str, RawAnswer]:
    """A black bin missed at 14 Library Lane (DE99 1AB, chosen from the council's list),
    contact by email."""
    base: dict[str, RawAnswer] = {
        "address": "DE99 1AB", "address__list": "990000001014", "bin_type": "general",
        "due_date": DateParts("20", "11", "2026"),
        "details": "By the side gate", "contact_method": "email",
        "contact_email": "resident@example.org",
    }
    base.update(extra)
    return base


def typed_address() -> dict[str, RawAnswer]:
    """The same report with the address typed by hand ("The address is not listed"): the
    council receives the address in words only, no UPRN, no coordinates."""
    return answers(address__list="not_listed",
                   address__manual=AddressParts("14 Library Lane", "", "Demo Town", "DE99 1AB"))

"""`request-status`: where a request has got to, for the kiosk's "Track my request".

Input `reference` (any case or spacing). Answers the rows the result page shows, worded in
the resident's language from the app's message catalogues (`track.*` keys) and dated as
that language writes dates: the status, the reference, the service, when it was received
and last updated, and the council's public note. No rows when no request has the
reference (the page then says "we cannot find that reference").

The first row (`value` "status") carries the facts in `data` for a kiosk that wants them:
`state` (received, in_progress, closed, cannot_check), `reference`, `service_code` and
`checked` (hub, destination or report: where the answer came from).

A "tell us once" reference (several services told) answers the whole first (status,
reference, received), then one row per service told, `part:<delivery id>`: the service's
title and its own status, with `state` and `service_code` in `data` (as the kiosk words the
parts it still holds, `kiosk.lookups.request_status`).
"""

from __future__ import annotations

import re
import threading
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date

from accessibility.languages import Translator
from hub.db import normalise_reference
from hub.lookup_sources.base import BadInput, SourceItem
from hub.request_status import StatusView
from kiosk.localtext import LocalText
from kiosk.reference import spaced

REFERENCE_EXPECTED = "a kiosk reference: 4 to 64 letters and digits, like AB2C D3EF"
_REFERENCE = re.compile(r"^[A-Z0-9]{4,64}$")


def long_date(moment: datetime, language: str, timezone: str) -> str:
    """"3 April 2026", "3 Ebrill 2026", "3 kwietnia 2026": the council's calendar date."""
    local = moment.astimezone(zoneinfo.ZoneInfo(timezone)).date()
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return format_date(local, "d MMMM y", locale=locale)


class RequestStatusSource:
    name = "request-status"
    inputs = ("reference",)

    def __init__(self, status_of: Callable[[str], StatusView | None],
                 titles: Mapping[str, LocalText], timezone: str) -> None:
        self._status_of = status_of
        self._titles = dict(titles)
        self._timezone = timezone
        self._texts: dict[str, Translator] = {}
        self._lock = threading.Lock()

    def _translator(self, language: str) -> Translator:
        with self._lock:
            if language not in self._texts:
                self._texts[language] = Translator(language)
            return self._texts[language]

    def answer(self, inputs: Mapping[str, str], language: str) -> Sequence[SourceItem]:
        reference = normalise_reference(inputs["reference"])
        if not _REFERENCE.match(reference):
            raise BadInput("reference", REFERENCE_EXPECTED)
        view = self._status_of(reference)
        if view is None:
            return []
        t = self._translator(language)
        service = self._service(view, language)
        rows = [
            SourceItem("status", t("track.row.status"), t(f"track.status.{view.state}"),
                       {"state": view.state, "reference": reference,
                        "service_code": view.service_code, "checked": view.where}),
            SourceItem("reference", t("track.row.reference"), spaced(reference)),
        ]
        if service:
            rows.append(SourceItem("service", t("track.row.service"), service))
        if view.received is not None:
            rows.append(SourceItem("received", t("track.row.received"),
                                   long_date(view.received, language, self._timezone)))
        if view.updated is not None:
            key = "track.row.closed" if view.state == "closed" else "track.row.updated"
            rows.append(SourceItem("updated", t(key),
                                   long_date(view.updated, language, self._timezone)))
        if view.notes:
            rows.append(SourceItem("notes", t("track.row.notes"), view.notes))
        for part in view.parts:
            rows.append(SourceItem(f"part:{part.part}", self._service(part, language) or part.part,
                                   t(f"track.status.{part.state}"),
                                   {"state": part.state, "service_code": part.service_code}))
        return rows

    def _service(self, view: StatusView, language: str) -> str:
        title = self._titles.get(view.service_code)
        return title.get(language) if title is not None else view.service_name

"""Shared by the webhook, email, dead-letter and CLI tests: a missed-bin submission carrying a
canary in every script the kiosk writes, and the demo catalogue's wording."""

from __future__ import annotations

import uuid
from functools import cache

from kiosk.catalogue import load_catalogue
from kiosk.outbox import ReportContext
from kiosk.reference import new_reference
from kiosk.submission import Submission
from tests.kiosk_fixtures import DEMO

CANARY = "Canary Ŵŷ 7731 ڈیمو"


@cache
def demo_context() -> ReportContext:
    return ReportContext(load_catalogue(DEMO / "catalogue"), "central-library", "Central Library")


def missed_bin(text: str = CANARY, destination: str = "council") -> Submission:
    return Submission(
        submission_id=uuid.uuid4().hex, reference=new_reference(), service_id="missed-bin",
        service_version=1, created_at="2026-11-23T10:00:00+00:00", destination=destination,
        service_code="MISSED_BIN",
        attributes={"bin_type": "general", "collection_date": "2026-11-20",
                    "contact_method": "email"},
        fields={"address_string": f"14, {text}", "description": text,
                "email": "resident@example.org"},
        language="cy", assisted=True,
    )

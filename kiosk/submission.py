"""A finished journey as the council will receive it: Open311 parameters plus our reference.

This is what the outbox stores (encrypted) and the relay delivers; the receipt never sees it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from kiosk.catalogue.model import Service, ServiceDestination
from kiosk.journey.types import QuestionTypes, builtin_types
from kiosk.journey.validation import Answer


@dataclass(frozen=True)
class Submission:
    submission_id: str
    reference: str
    service_id: str
    service_version: int
    created_at: str
    destination: str
    service_code: str
    attributes: dict[str, str | list[str]] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    language: str = "en"
    assisted: bool = False
    # page id -> "staff" or "resident": who entered each answer (no answers here).
    entered_by: dict[str, str] = field(default_factory=dict)
    # The delivery this row is ("council_tax"): one of a "tell us once" service's deliveries,
    # each its own row under the one reference; "" for a service with one destination (and
    # for every payload written before deliveries existed).
    part: str = ""
    # The evidence items staff assisting ticked as seen (`evidence:` ids), and their role.
    evidence_seen: list[str] = field(default_factory=list)
    evidence_seen_by: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Submission:
        data: dict[str, Any] = json.loads(text)
        return cls(**data)


def open311_parameters(
    service: Service, answers: Mapping[str, Answer | None],
    data: Mapping[str, Mapping[str, str]] | None = None, types: QuestionTypes | None = None,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    mapping: ServiceDestination | None = None,
) -> tuple[dict[str, str | list[str]], dict[str, str]]:
    """Map answers onto `attribute[code]` values and Open311's standard fields.

    Each question type says how its answer is sent (`QuestionType.attribute`, `field_text`).
    `data` is the looked-up data kept with each answer (`JourneyEngine.answer_data`), which
    the destination's `data_fields` map by `page.key` (a chosen address's UPRN). `labels`
    (`JourneyEngine.chosen_labels` per page) word a looked-up answer in a standard field: an
    address chosen from the council's list goes as `address_string` in words, never as the
    UPRN its option stores (that goes in `address_id` by `data_fields`). `mapping` is one
    delivery's destination (default: the service's own): only what it names is sent.
    """
    types = types or builtin_types()
    mapping = mapping or service.destination
    if mapping is None:  # a service that sends nothing
        return {}, {}
    attributes: dict[str, str | list[str]] = {}
    for code, page_id in mapping.attributes.items():
        value = answers.get(page_id)
        if value is None:
            continue
        sent = types[service.page(page_id).question.type].attribute(value)
        attributes[code] = mapping.server_value(code, sent)
    fields: dict[str, str] = {}
    for name, page_ids in mapping.fields.items():
        parts = []
        for page_id in page_ids:
            text = _field_text(service, page_id, answers.get(page_id), types, labels)
            if text:
                parts.append(text)
        if parts:
            fields[name] = ("\n\n" if name == "description" else ", ").join(parts)
    for name, ref in mapping.data_fields.items():
        page_id, _, key = ref.partition(".")
        found = (data or {}).get(page_id, {}).get(key) if page_id in answers else None
        if found:
            fields[name] = found
    return attributes, fields


def _field_text(service: Service, page_id: str, value: Answer | None, types: QuestionTypes,
                labels: Mapping[str, Mapping[str, str]] | None) -> str:
    """One answer's part of a standard field; a looked-up choice by its options' labels."""
    if value is None:
        return ""
    page = service.page(page_id)
    if labels is None or page.lookup() is None:
        return types[page.question.type].field_text(value)
    chosen = labels.get(page_id, {})
    return ", ".join(chosen[v] for v in (value if isinstance(value, tuple) else (value,))
                     if v in chosen)

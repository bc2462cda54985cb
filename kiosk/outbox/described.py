"""A submission described for a person or a program that is not an Open311 server.

Open311 gets attribute codes and its own standard fields. A webhook receiver gets the same
values in a versioned JSON document (`webhook_document`, shape in
docs/integrations.md), and a case officer reading an email gets each answer
under its question's English wording from the catalogue (`answer_lines`), with option values
turned back into their labels. English because the council's staff work in English; the
resident's language is stated so they know it was not the one used.

When the catalogue no longer has the service (changed since the report was made) the codes
themselves stand in for the labels: a report is never held back for want of wording.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.catalogue import Catalogue
from kiosk.catalogue.model import Question, Service
from kiosk.submission import Submission

SCHEMA = "civic-kiosk.submission"
SCHEMA_VERSION = 1
_FIELD_LABELS = {
    "address_string": "Address or location", "description": "Description",
    "email": "Email address", "phone": "Phone number", "first_name": "First name",
    "last_name": "Last name", "address_id": "Address ID (UPRN)", "lat": "Latitude",
    "long": "Longitude",
}


@dataclass(frozen=True)
class ReportContext:
    """What a sender needs beyond the submission: the catalogue's words and the site."""

    catalogue: Catalogue | None = None
    site_id: str = ""
    site_name: str = ""
    site_address: str = ""  # locates a report that has no location of its own (Open311)

    def service(self, service_id: str) -> Service | None:
        if self.catalogue is None:
            return None
        try:
            return self.catalogue.service(service_id)
        except KeyError:
            return None

    def service_title(self, submission: Submission) -> str:
        service = self.service(submission.service_id)
        return service.title.get("en") if service is not None else submission.service_id


def webhook_document(submission: Submission, context: ReportContext) -> dict[str, object]:
    """The JSON body of a webhook delivery, version `SCHEMA_VERSION`."""
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "submission_id": submission.submission_id,
        "reference": submission.reference,
        "service": {"id": submission.service_id, "version": submission.service_version,
                    "code": submission.service_code,
                    "title": context.service_title(submission)},
        "submitted_at": submission.created_at,
        "site": {"id": context.site_id, "name": context.site_name},
        "language": submission.language,
        "assisted": submission.assisted,
        "answers": dict(submission.attributes),
        "fields": dict(submission.fields),
    }


def answer_lines(submission: Submission, context: ReportContext) -> list[tuple[str, str]]:
    """(English question, answer) for every answer, in the catalogue's mapping order."""
    service = context.service(submission.service_id)
    mapping = service.destination if service is not None else None
    lines: list[tuple[str, str]] = []
    ordered = list(mapping.attributes) if mapping is not None else []
    ordered += [code for code in submission.attributes if code not in ordered]
    for code in ordered:
        if code not in submission.attributes:
            continue
        value = submission.attributes[code]
        page_id = mapping.attributes.get(code) if mapping is not None else None
        question = _question(service, page_id)
        values = value if isinstance(value, list) else [value]
        label = question.label.get("en") if question is not None else code
        lines.append((label, ", ".join(_option_label(question, v) for v in values)))
    for name, text in submission.fields.items():
        page_ids = mapping.fields.get(name, ()) if mapping is not None else ()
        labels = [_field_label(service, p) for p in page_ids]
        words = " / ".join(dict.fromkeys(label for label in labels if label))
        lines.append((words or _FIELD_LABELS.get(name, name), text))
    return lines


def _field_label(service: Service | None, page_id: str) -> str | None:
    """A question's English wording; for the pages an address question was expanded into,
    the address question's name ("Collection address"), once."""
    if service is None:
        return None
    lead = service.lead(page_id)
    question = _question(service, lead)
    if question is None:
        return None
    if lead != page_id and question.summary_label is not None:
        return question.summary_label.get("en")
    return question.label.get("en")


def _question(service: Service | None, page_id: str | None) -> Question | None:
    if service is None or page_id is None:
        return None
    try:
        page = service.page(page_id)
    except KeyError:
        return None
    return page.asks


def _option_label(question: Question | None, value: str) -> str:
    for option in question.options if question is not None else ():
        if option.value == value:
            return option.label.get("en")
    return value

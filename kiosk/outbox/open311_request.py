"""Building the form of one Open311 POST, and refusing early a report it cannot carry.

Back offices differ in the location they need: an asset system wants lat/long, a CRM wants an
address string, a waste system a UPRN (`address_id`). The profile says which, per destination
(`location:`); a report that cannot meet it is refused here, before any request, with a reason
staff can read ("the back office needs lat/long; this report has only an address"). Retrying it
would only earn the same refusal, often as a 500 that looks like an outage.

A report with no location of its own (feedback about a service) is sent with the kiosk's site
address when the destination takes addresses: Open311 requires one location in every request.

mySociety's extensions are sent as attributes: `attribute[group]` for services the back office
files under a group, fixed `hidden_field` values, and the UPRN again as `attribute[uprn]`, as
FixMyStreet does, for back offices that read it there.

A "tell us once" part (`Submission.part`, a delivery id) goes as `attribute[kiosk_part]` next
to the reference, so a back office that keys requests by reference (the council's hub) takes
each part as its own request. Only for a part, and only when the reference is sent: a
single-destination report's form is as it always was.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from kiosk.catalogue.model import OPEN311_FIELDS
from kiosk.submission import Submission

LocationForm = Literal["latlong", "address", "address_id", "any"]
LOCATION_FORMS: tuple[LocationForm, ...] = ("latlong", "address", "address_id", "any")

PART_ATTRIBUTE = "kiosk_part"

_NEEDS = {
    "latlong": "lat/long",
    "address": "an address (address_string)",
    "address_id": "a UPRN (address_id)",
}


@dataclass(frozen=True)
class FormOptions:
    """What one destination adds to every request (all from its profile entry)."""

    api_key: str
    jurisdiction_id: str | None = None
    reference_attribute: str | None = "kiosk_reference"
    location: LocationForm = "any"
    groups: Mapping[str, str] = field(default_factory=dict)
    hidden_attributes: Mapping[str, str] = field(default_factory=dict)
    uprn_attribute: str | None = None
    site_address: str | None = None


@dataclass(frozen=True)
class Refusal:
    """Why a report cannot go to this destination as it is: a code and a sentence for staff."""

    detail: str
    reason: str


@dataclass(frozen=True)
class _Location:
    latlong: bool
    address: bool
    address_id: bool

    @property
    def any(self) -> bool:
        return self.latlong or self.address or self.address_id

    def has(self, form: LocationForm) -> bool:
        return {"latlong": self.latlong, "address": self.address,
                "address_id": self.address_id, "any": self.any}[form]

    def described(self) -> str:
        parts = [text for present, text in ((self.latlong, "lat/long"),
                                            (self.address, "an address"),
                                            (self.address_id, "a UPRN")) if present]
        if not parts:
            return "no location"
        return "only " + " and ".join(parts)


def _location(fields: Mapping[str, str]) -> _Location:
    return _Location(
        latlong=_coordinate(fields.get("lat"), 90) and _coordinate(fields.get("long"), 180),
        address=bool(fields.get("address_string", "").strip()),
        address_id=bool(fields.get("address_id", "").strip()),
    )


def _coordinate(text: str | None, limit: float) -> bool:
    try:
        value = float(text or "")
    except ValueError:
        return False
    return math.isfinite(value) and abs(value) <= limit


def check(submission: Submission, options: FormOptions) -> Refusal | None:
    """A refusal if the report cannot be sent to this destination; None if it can."""
    unknown = set(submission.fields) - set(OPEN311_FIELDS)
    if unknown:
        # Would collide with api_key/service_code or be silently ignored by the server.
        return Refusal("invalid_field", "The report holds a field Open311 does not have "
                       f"({', '.join(sorted(unknown))[:80]}); it was made by a faulty catalogue")
    found = _location(submission.fields)
    if found.has(options.location):
        return None
    if not found.any and options.site_address and options.location in ("address", "any"):
        return None  # sent with the kiosk's address (see `form`)
    has = found.described()
    if not found.any and options.site_address:
        has += " of its own (the kiosk's address is not enough here)"
    if options.location == "any":
        return Refusal("no_location", "This report has no location, and Open311 needs "
                       "lat/long, an address or a UPRN (address_id)")
    return Refusal(f"needs_{options.location}", f"The back office needs "
                   f"{_NEEDS[options.location]}; this report has {has}")


def form(submission: Submission, options: FormOptions) -> list[tuple[str, str]]:
    """The form fields for one submission, in a stable order. Call `check` first."""
    items = [("api_key", options.api_key), ("service_code", submission.service_code)]
    if options.jurisdiction_id:
        items.append(("jurisdiction_id", options.jurisdiction_id))
    fields = dict(submission.fields)
    if not _location(fields).any and options.site_address:
        fields["address_string"] = options.site_address
    items.extend(sorted(fields.items()))
    ours = {options.reference_attribute} if options.reference_attribute else set()
    if ours and submission.part:
        ours.add(PART_ATTRIBUTE)
    attributes: dict[str, str | list[str]] = {
        code: value for code, value in submission.attributes.items() if code not in ours}
    group = options.groups.get(submission.service_code)
    if group:
        attributes.setdefault("group", group)
    if options.uprn_attribute and fields.get("address_id"):
        attributes.setdefault(options.uprn_attribute, fields["address_id"])
    for code, fixed in options.hidden_attributes.items():
        attributes.setdefault(code, fixed)
    for code, value in attributes.items():
        if isinstance(value, list):
            items.extend((f"attribute[{code}][]", item) for item in value)
        else:
            items.append((f"attribute[{code}]", value))
    if options.reference_attribute:  # ours is authoritative
        items.append((f"attribute[{options.reference_attribute}]", submission.reference))
        if submission.part:
            items.append((f"attribute[{PART_ATTRIBUTE}]", submission.part))
    return items


def secrets_of(submission: Submission, options: FormOptions) -> list[str]:
    """Everything a server might echo back that staff must not read: the resident's values
    and the API key."""
    values = [options.api_key, *submission.fields.values()]
    for answer in submission.attributes.values():
        values.extend(answer if isinstance(answer, list) else [answer])
    return values

"""The profile's webhook and email destinations: where a council without an Open311 server
receives reports.

Kept apart from `kiosk.profile` (which names them in its `Destination` union) so the profile
stays short and the senders in `kiosk.outbox` import only their own settings.

Both speak only over an encrypted channel to anywhere but this machine: a webhook URL must be
https unless it is on loopback, and email must use STARTTLS unless `starttls: false` is set
for a loopback server (tests and the demo). Resident data never crosses a network in plain.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from kiosk.config_errors import FieldProblems
from kiosk.secrets import Secret

# Headers the webhook sender sets itself: a profile may not replace them.
RESERVED_HEADERS = frozenset({
    "content-type", "content-length", "host", "idempotency-key", "x-kiosk-timestamp",
    "x-kiosk-signature", "x-kiosk-reference", "x-kiosk-schema",
})
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
_ADDRESS = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$|^[^@\s<>\"',;]+@localhost$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def is_loopback(host: str) -> bool:
    """True for this machine only: `localhost`, 127.0.0.0/8 or ::1."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _status_problem(status_url: str) -> list[tuple[tuple[str | int, ...], str, str]]:
    if "{reference}" not in status_url:
        return [(("status_url",), "a URL containing {reference}", repr(status_url))]
    return []


class WebhookDestination(_Strict):
    """A JSON POST signed with HMAC-SHA256 (docs/integrations.md)."""

    type: Literal["webhook"]
    url: HttpUrl = Field(description="Where each report is POSTed; https unless on loopback.")
    secret: Secret = Field(
        min_length=32,
        description="The HMAC-SHA256 key the receiver shares, at least 32 characters.")
    status_url: str = Field(
        description="Where a resident checks progress (the receipt's QR); {reference} is filled in.")
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    headers: dict[str, str] = Field(
        default_factory=dict, description="Extra request headers, e.g. an API gateway's key.")

    @model_validator(mode="after")
    def _checks(self) -> WebhookDestination:
        problems = _status_problem(self.status_url)
        host = self.url.host or ""
        if self.url.scheme != "https" and not is_loopback(host):
            problems.append((("url",), "an https URL (http only to this machine, 127.0.0.1)",
                             repr(str(self.url))))
        for name, value in self.headers.items():
            if not _HEADER_NAME.match(name) or name.lower() in RESERVED_HEADERS:
                problems.append((("headers", name), "a header name of your own (not "
                                 "Content-Type, Idempotency-Key or X-Kiosk-*)", repr(name)))
            elif "\r" in value or "\n" in value:
                problems.append((("headers", name), "a value on one line", "a line break"))
        if problems:
            raise FieldProblems(problems)
        return self


class EmailDestination(_Strict):
    """A plain-text email per report to a council mailbox, over SMTP with STARTTLS."""

    type: Literal["email"]
    host: str = Field(min_length=1, description="The council's SMTP server (a submission port).")
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = Field(
        default=True, description="Required; false only for a server on this machine (tests, "
        "the demo), and the relay then logs a warning.")
    ca_file: str | None = Field(
        default=None, pattern=r"^/",
        description="An absolute path to a PEM file of certificates to trust instead of the "
        "system's (a council's own CA, or the server's pinned self-signed certificate).")
    username: str | None = None
    password: Secret | None = None
    from_address: str = Field(alias="from", description="The sender, e.g. kiosk@council.gov.uk.")
    to: tuple[str, ...] = Field(min_length=1, description="The council mailbox(es).")
    subject_prefix: str = Field(default="[Civic Kiosk]", max_length=60)
    status_url: str = Field(
        description="Where a resident checks progress (the receipt's QR); {reference} is filled in.")
    timeout_seconds: float = Field(default=30.0, gt=0, le=300)

    @model_validator(mode="after")
    def _checks(self) -> EmailDestination:
        problems = _status_problem(self.status_url)
        if not self.starttls and not is_loopback(self.host):
            problems.append((("starttls",), "true (plain SMTP is allowed only to a server on "
                             "this machine, such as 127.0.0.1)", "false"))
        if (self.username is None) != (self.password is None):
            missing = "password" if self.password is None else "username"
            problems.append(((missing,), "username and password together, or neither",
                             "only one of them"))
        for loc, address in ((("from",), self.from_address),
                             *((("to", i), a) for i, a in enumerate(self.to))):
            if not _ADDRESS.match(address):
                problems.append((loc, "an email address like name@council.gov.uk", repr(address)))
        if "\r" in self.subject_prefix or "\n" in self.subject_prefix:
            problems.append((("subject_prefix",), "text on one line", "a line break"))
        if problems:
            raise FieldProblems(problems)
        return self


def network_target(destination: object) -> str | None:
    """A URL whose host the network probe can ask the kernel a route to (no traffic)."""
    if isinstance(destination, EmailDestination):
        return f"smtp://{destination.host}:{destination.port}"
    for attribute in ("url", "endpoint"):
        value = getattr(destination, attribute, None)
        if value is not None:
            return str(value)
    return None

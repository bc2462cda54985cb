"""One sender per destination in the profile, chosen by the destination's `type`.

As python-escpos picks a printer connection class by name, each backend here is one small
class behind the same `Sender` protocol (`send(submission) -> SendResult`), and this table
is the only place that knows which class a `type` means. A new backend is a new class and
one line below; the relay never changes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import requests

from kiosk.destinations import EmailDestination, WebhookDestination
from kiosk.outbox.described import ReportContext
from kiosk.outbox.email_sender import EmailSender
from kiosk.outbox.open311 import Open311Sender, Sender
from kiosk.outbox.webhook import WebhookSender
from kiosk.profile import Open311Destination


class ClosableSender(Sender, Protocol):
    def close(self) -> None: ...


Builder = Callable[[Any, ReportContext, "requests.Session | None", Callable[[], float]],
                   ClosableSender]


def _open311(dest: Open311Destination, context: ReportContext, session: requests.Session | None,
             clock: Callable[[], float]) -> Open311Sender:
    return Open311Sender.from_destination(dest, session=session, clock=clock,
                                          site_address=context.site_address or None)


def _webhook(dest: WebhookDestination, context: ReportContext, session: requests.Session | None,
             clock: Callable[[], float]) -> WebhookSender:
    return WebhookSender(str(dest.url), dest.secret, context=context,
                         timeout_seconds=dest.timeout_seconds, headers=dest.headers,
                         session=session, clock=clock)


def _email(dest: EmailDestination, context: ReportContext, session: requests.Session | None,
           clock: Callable[[], float]) -> EmailSender:
    return EmailSender(dest.host, dest.port, from_address=dest.from_address, to=dest.to,
                       context=context, starttls=dest.starttls, ca_file=dest.ca_file,
                       username=dest.username, password=dest.password,
                       subject_prefix=dest.subject_prefix, timeout_seconds=dest.timeout_seconds,
                       clock=clock)


BUILDERS: Mapping[str, Builder] = {"open311": _open311, "webhook": _webhook, "email": _email}


def senders_from_profile(
    destinations: Mapping[str, Any],
    *,
    context: ReportContext | None = None,
    session: requests.Session | None = None,
    clock: Callable[[], float] = time.time,
) -> dict[str, ClosableSender]:
    """One sender per destination named in the profile.

    `context` gives webhook and email senders the catalogue's wording and the site; pass a
    session the caller closes on shutdown, or each HTTP sender opens its own.
    """
    found = context or ReportContext()
    return {name: BUILDERS[dest.type](dest, found, session, clock)
            for name, dest in destinations.items()}

"""What a lookup is, independent of who answers it.

A journey page can take its options (or the rows of a result page) from a named *source*:
the council's address gazetteer by postcode, bin collection days by property, free
appointment slots. The journey engine says what it needs as a `LookupRequest`; the terminal
runs it off the GUI thread through a `Lookup` backend, and hands the `LookupResult` (or the
`LookupUnavailable` it raised) back to the engine. Nothing here blocks on its own and nothing
here knows Qt.

Inputs can be personal (a postcode, an address): backends must never put them in a URL, a
log line or an exception message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

UnavailableReason = Literal["unreachable", "timeout", "refused", "bad_answer", "not_configured"]


@dataclass(frozen=True)
class LookupRequest:
    """One question to the council: which source, with which of the answers so far."""

    source: str
    inputs: Mapping[str, str]
    language: str

    def __repr__(self) -> str:
        # The inputs are the resident's answers: never in a repr that may reach a log.
        return f"LookupRequest(source={self.source!r}, inputs=<{len(self.inputs)} hidden>)"


@dataclass(frozen=True)
class LookupItem:
    """One option or one row: `value` is what an answer stores (e.g. a UPRN), `label` what the
    resident sees and hears, `data` any further fields (coordinates, dates, colours)."""

    value: str
    label: str
    hint: str | None = None
    data: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LookupResult:
    source: str
    items: tuple[LookupItem, ...]


class LookupUnavailable(Exception):
    """The council could not be asked, or did not answer in time. `reason` is a short code
    for logs and for choosing the resident's message; it never carries the inputs."""

    def __init__(self, reason: UnavailableReason, detail: str = "") -> None:
        super().__init__(reason if not detail else f"{reason}: {detail}")
        self.reason: UnavailableReason = reason
        self.detail = detail


class Lookup(Protocol):
    """A lookup backend. Blocking: callers run it off the GUI thread. It must give up by
    itself within its configured timeout (raising `LookupUnavailable("timeout")`)."""

    def lookup(self, request: LookupRequest) -> LookupResult: ...

"""iCalendar (RFC 5545) for bookings, written by hand: the little of it a calendar needs.

Lines end in CRLF and are folded at 75 octets (3.1), never inside a UTF-8 character; TEXT
values escape backslash, semicolon, comma and newline (3.3.11); times are UTC (`...Z`,
3.3.5), so no VTIMEZONE is needed and every calendar shows the right local time. Each event
has a UID that stays the same when the booking moves, a SEQUENCE that goes up when it does
(or is cancelled), and DTSTAMP (3.8.7.2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
MAX_OCTETS = 75
PRODID = "-//Civic Kiosk//Hub appointments//EN"


def escape_text(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """One content line as physical lines of at most 75 octets, each continuation starting
    with a space (which counts), joined by CRLF."""
    parts: list[str] = []
    current, size, limit = "", 0, MAX_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append(current)
            current, size, limit = " ", 1, MAX_OCTETS
        current += char
        size += octets
    parts.append(current)
    return CRLF.join(parts)


@dataclass(frozen=True)
class Event:
    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str
    description: str
    cancelled: bool
    sequence: int
    modified: datetime


def _event_lines(event: Event, stamp: datetime) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART:{utc_stamp(event.start)}",
        f"DTEND:{utc_stamp(event.end)}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"LOCATION:{escape_text(event.location)}",
        f"DESCRIPTION:{escape_text(event.description)}",
        f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
        f"SEQUENCE:{event.sequence}",
        f"LAST-MODIFIED:{utc_stamp(event.modified)}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]


def calendar(events: Iterable[Event], *, name: str, stamp: datetime) -> bytes:
    """A whole VCALENDAR as UTF-8 bytes, ready for `text/calendar; charset=utf-8`."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape_text(name)}"]
    for event in events:
        lines.extend(_event_lines(event, stamp))
    lines.append("END:VCALENDAR")
    return ("".join(fold(line) + CRLF for line in lines)).encode("utf-8")

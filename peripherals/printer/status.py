"""ESC/POS real-time status (`DLE EOT n`): the query bytes, and the replies read as a `PrinterStatus`.

Each query is three bytes, `0x10 0x04 n`, and the printer answers with one status byte as
soon as it reads the query, even while offline or part-way through a job. The kiosk asks:

- n=1, printer status: bit 3 set means offline.
- n=2, offline cause: bit 2 cover open, bit 3 paper being fed by the feed button,
  bit 5 printing stopped at the paper end, bit 6 an error occurred.
- n=4, roll paper sensor: bits 2-3 the near-end sensor, bits 5-6 the paper-end sensor.

Every reply has fixed bits (Epson "Transmit real-time status"): bit 0 is 0, bit 1 is 1,
bit 4 is 1 and bit 7 is 0, so a healthy printer answers 0x12 (or 0x16 with the drawer pin
high). python-escpos's masks agree (`RT_MASK_PAPER` = 0x12). A reply with the fixed bits
wrong is not a status byte (line noise, an automatic status-back packet, another
protocol) and reads as `unknown` rather than being guessed at.

The paper sensors report in pairs; cheap printers often set only one bit of a pair, so
either bit counts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from peripherals.printer.base import PrinterStatus

DLE_EOT = b"\x10\x04"
PRINTER_STATUS = 1
OFFLINE_CAUSE = 2
PAPER_SENSOR = 4
STATUS_REQUESTS = (PRINTER_STATUS, OFFLINE_CAUSE, PAPER_SENSOR)

_FIXED_MASK = 0b1001_0011  # bits 7, 4, 1 and 0
_FIXED_VALUE = 0b0001_0010  # bit 4 and bit 1 set, bits 7 and 0 clear
_OFFLINE = 1 << 3
_COVER_OPEN = 1 << 2
_STOPPED_AT_PAPER_END = 1 << 5
_NEAR_END = (1 << 2) | (1 << 3)
_PAPER_END = (1 << 5) | (1 << 6)


def status_query(n: int) -> bytes:
    """The `DLE EOT n` query for one of the requests the kiosk makes (1, 2 or 4)."""
    if n not in STATUS_REQUESTS:
        raise ValueError(f"DLE EOT n must be one of {STATUS_REQUESTS}, got {n}")
    return DLE_EOT + bytes((n,))


def status_queries() -> bytes:
    """All three queries back to back (n=1, 2, 4), for a link that reads replies later."""
    return b"".join(status_query(n) for n in STATUS_REQUESTS)


def is_status_byte(value: int) -> bool:
    """True when `value` is a byte with the fixed bits every real-time status reply has."""
    return 0 <= value <= 0xFF and value & _FIXED_MASK == _FIXED_VALUE


def parse_status(replies: Mapping[int, int]) -> PrinterStatus:
    """Read the replies to DLE EOT 1, 2 and 4 (keyed by n) as one status.

    Without a reply to n=1 nothing is known (`unknown`); a missing n=2 or n=4 reply just
    leaves that detail out. Any malformed reply makes the whole answer `unknown`. The most
    specific fault wins: cover open, then paper out, then offline, then paper near end.
    """
    if PRINTER_STATUS not in replies:
        return PrinterStatus.UNKNOWN
    if any(n not in STATUS_REQUESTS or not is_status_byte(v) for n, v in replies.items()):
        return PrinterStatus.UNKNOWN
    printer = replies[PRINTER_STATUS]
    cause = replies.get(OFFLINE_CAUSE, _FIXED_VALUE)
    paper = replies.get(PAPER_SENSOR, _FIXED_VALUE)
    if cause & _COVER_OPEN:
        return PrinterStatus.COVER_OPEN
    if paper & _PAPER_END or cause & _STOPPED_AT_PAPER_END:
        return PrinterStatus.PAPER_OUT
    if printer & _OFFLINE:
        return PrinterStatus.OFFLINE
    if paper & _NEAR_END:
        return PrinterStatus.PAPER_NEAR_END
    return PrinterStatus.ONLINE


def query_status(send: Callable[[bytes], None], read_byte: Callable[[], int | None]) -> PrinterStatus:
    """Ask DLE EOT 1, 2 and 4 over a link, one reply byte each.

    `read_byte` returns None when no byte came within the link's timeout; the questions
    after an unanswered one are not asked, as a printer that ignores one ignores them all.
    Link errors (OSError and the like) are the caller's to catch: they mean offline.
    """
    replies: dict[int, int] = {}
    for n in STATUS_REQUESTS:
        send(status_query(n))
        value = read_byte()
        if value is None:
            break
        replies[n] = value
    return parse_status(replies)

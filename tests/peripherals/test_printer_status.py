"""DLE EOT real-time status: the query bytes and each reply read as a stable status id."""

from __future__ import annotations

import pytest

from peripherals.printer.base import PrinterStatus
from peripherals.printer.status import parse_status, query_status, status_queries, status_query

HEALTHY = 0x12  # bits 1 and 4: the fixed bits, and nothing else


def test_query_bytes() -> None:
    assert status_queries() == b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"
    assert status_query(2) == b"\x10\x04\x02"
    with pytest.raises(ValueError, match="DLE EOT n"):
        status_query(3)


@pytest.mark.parametrize(
    ("replies", "expected"),
    [
        ({1: 0x12, 2: 0x12, 4: 0x12}, PrinterStatus.ONLINE),
        ({1: 0x16}, PrinterStatus.ONLINE),  # drawer pin high (bit 2) is not a fault
        ({1: 0x1A, 2: 0x12, 4: 0x12}, PrinterStatus.OFFLINE),  # bit 3
        ({1: 0x1A, 2: 0x1A, 4: 0x12}, PrinterStatus.OFFLINE),  # feed button held
        ({1: 0x1A, 2: 0x52, 4: 0x12}, PrinterStatus.OFFLINE),  # error, cause unknown
        ({1: 0x1A, 2: 0x16, 4: 0x12}, PrinterStatus.COVER_OPEN),  # n=2 bit 2
        ({1: 0x12, 2: 0x12, 4: 0x1E}, PrinterStatus.PAPER_NEAR_END),  # n=4 bits 2-3
        ({1: 0x12, 2: 0x12, 4: 0x16}, PrinterStatus.PAPER_NEAR_END),  # one bit of the pair
        ({1: 0x1A, 2: 0x12, 4: 0x72}, PrinterStatus.PAPER_OUT),  # n=4 bits 5-6
        ({1: 0x1A, 2: 0x32, 4: 0x7E}, PrinterStatus.PAPER_OUT),  # n=2 bit 5, near end too
        ({1: 0x1A, 2: 0x36, 4: 0x72}, PrinterStatus.COVER_OPEN),  # the cover outranks paper
    ],
)
def test_replies(replies: dict[int, int], expected: PrinterStatus) -> None:
    assert parse_status(replies) is expected


@pytest.mark.parametrize(
    "replies",
    [
        {},  # no reply at all
        {2: HEALTHY, 4: HEALTHY},  # no reply to n=1
        {1: 0x00},  # bits 1 and 4 clear
        {1: 0x02},  # bit 4 clear
        {1: 0x13},  # bit 0 set
        {1: 0x92},  # bit 7 set
        {1: 0x12, 4: 0xFF},  # one bad reply spoils the answer
        {1: 0x112},  # not a byte
        {1: -1},
        {1: HEALTHY, 3: HEALTHY},  # a reply to a question not asked
    ],
)
def test_malformed_replies_are_unknown(replies: dict[int, int]) -> None:
    assert parse_status(replies) is PrinterStatus.UNKNOWN


def test_query_status_stops_at_the_first_unanswered_question() -> None:
    sent: list[bytes] = []
    answers = iter([0x1A, None])
    assert query_status(sent.append, lambda: next(answers)) is PrinterStatus.OFFLINE
    assert sent == [status_query(1), status_query(2)]

"""The bus between hub processes: messages cut to fit NOTIFY and put back together, the
PostgreSQL bus between two "processes" (two buses) on a real server, including one whose
listening connection is killed, and the in-memory bus."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import psycopg
import pytest

from hub.calls.bus import BusError, MemoryBus
from hub.calls.chunks import Chunker, Reassembler
from hub.calls.desk import bus_for
from hub.calls.pg_bus import CHANNEL, PostgresBus
from tests.hub.conftest import SharedDatabase

Received = list[tuple[str, dict[str, Any]]]


def test_messages_of_any_size_fit_notify_and_come_back_whole() -> None:
    chunker, reassembler = Chunker(), Reassembler()
    for size in (0, 1, 6990, 7000, 7001, 20_000, 65_536):
        message = {"type": "signal", "data": {"sdp": "ŵ✓" * (size // 2)}}
        pieces = chunker.pieces("call-1", message)
        assert all(len(piece.encode()) < 8000 for piece in pieces)
        results = [reassembler.add(piece) for piece in pieces]
        assert results[:-1] == [None] * (len(pieces) - 1)
        assert results[-1] == ("call-1", message)


def test_pieces_of_two_messages_and_bad_pieces() -> None:
    chunker, reassembler = Chunker(), Reassembler()
    one = chunker.pieces("a", {"n": "x" * 15_000})
    two = chunker.pieces("b", {"n": "y" * 15_000})
    assert len({piece.split(" ")[0] for piece in one + two}) == 2  # distinct ids
    mixed = [one[0], two[0], one[1], two[1], one[2], two[2]]
    whole = [found for piece in mixed if (found := reassembler.add(piece)) is not None]
    assert whole == [("a", {"n": "x" * 15_000}), ("b", {"n": "y" * 15_000})]
    for bad in ("", "nonsense", "id x 1 {}", "id 0 1 not json", 'id 0 1 {"c": 1, "m": {}}',
                "id 5 2 half"):
        assert reassembler.add(bad) is None


async def _until(received: Received, count: int, deadline: float = 15.0) -> None:
    until = time.monotonic() + deadline
    while len(received) < count:
        assert time.monotonic() < until, f"only {len(received)} of {count} arrived"
        await asyncio.sleep(0.01)  # polling a list another task fills, with a deadline


def _listeners(url: str) -> int:
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as connection:
        row = connection.execute("SELECT count(*) FROM pg_stat_activity WHERE query LIKE %s",
                                 (f'LISTEN "{CHANNEL}"%',)).fetchone()
    assert row is not None
    return int(row[0])


def test_two_postgres_buses_hear_each_other(postgres_hub: SharedDatabase) -> None:
    url = postgres_hub.url

    async def scenario() -> None:
        first, second = bus_for(url), bus_for(url)
        assert isinstance(first, PostgresBus)
        heard_first: Received = []
        heard_second: Received = []
        await first.start(lambda call, message: heard_first.append((call, message)))
        await second.start(lambda call, message: heard_second.append((call, message)))
        big = {"type": "summary", "rows": [{"label": "Ł" * 10, "value": "v" * 500}] * 60}
        sent = [("c1", {"n": n}) for n in range(20)] + [("c2", big)]
        for call, message in sent:
            await first.publish(call, message)
        await _until(heard_second, len(sent))
        await _until(heard_first, len(sent))
        assert heard_second == sent  # in order, the big one whole
        assert heard_first == sent  # a process hears itself too
        await second.close()
        await first.close()
        await first.close()  # twice is harmless
        leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert leftover == []

    asyncio.run(scenario())
    assert _listeners(url) == 0


def test_a_bus_listens_again_after_its_connection_is_killed(postgres_hub: SharedDatabase
                                                            ) -> None:
    url = postgres_hub.url
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")

    async def scenario() -> None:
        bus = bus_for(url)
        heard: Received = []
        await bus.start(lambda call, message: heard.append((call, message)))
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE query LIKE %s", (f'LISTEN "{CHANNEL}"%',))
        # Messages sent while it reconnects are lost (as on a dropped socket): keep sending
        # until one arrives, within a deadline.
        until = time.monotonic() + 20
        n = 0
        while not heard:
            assert time.monotonic() < until, "the bus never listened again"
            await bus.publish("c", {"n": n})
            n += 1
            await asyncio.sleep(0.05)
        await bus.close()

    asyncio.run(scenario())


def test_the_memory_bus() -> None:
    async def scenario() -> None:
        bus = MemoryBus()
        with pytest.raises(BusError):
            await bus.publish("c", {"n": 0})
        heard: Received = []
        await bus.start(lambda call, message: heard.append((call, message)))
        original = {"n": 1, "nested": {"list": [1, 2]}}
        await bus.publish("c", original)
        await bus.publish("d", {"n": 2})
        assert heard == []  # never re-entering the publisher
        await _until(heard, 2)
        assert heard == [("c", original), ("d", {"n": 2})]
        assert heard[0][1] is not original  # a copy, as it would be after travelling
        await bus.close()
        with pytest.raises(BusError):
            await bus.publish("c", {"n": 3})

    asyncio.run(scenario())
    assert isinstance(bus_for("sqlite:////tmp/x.db"), MemoryBus)

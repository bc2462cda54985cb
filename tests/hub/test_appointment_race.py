"""No double booking under concurrency: 50 clients race over real HTTP for the last place
of a slot, on SQLite (one hub process) and on PostgreSQL (two hub processes sharing the
database); then race to confirm the winner's hold; and, on a hub whose clock the test
moves, race for a place an expired hold has just let go."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

from hub.app import create_app
from hub.appointments.tables import Booking
from hub.db import make_engine
from hub.passwords import Passwords
from hub.settings import HubSettings
from tests.hub.appointment_helpers import (
    APPOINTMENTS,
    LOOKUPS,
    MovingClock,
    confirm_body,
    hold_body,
    holder,
    serving,
)
from tests.hub_server import running_hub

RACERS = 50
SITE, TYPE = "central-library", "housing-advice"  # capacity 2 in the demo file


def _post(base: str, path: str, body: dict[str, Any], key: str) -> requests.Response:
    return requests.post(f"{base}{APPOINTMENTS}{path}", json=body, timeout=60,
                         headers={"X-Api-Key": key})


def _a_later_slot(base: str, key: str) -> str:
    """A free slot on the second day offered: it cannot begin while the test runs."""
    def ask(source: str, **inputs: str) -> list[dict[str, Any]]:
        answer = requests.post(f"{base}{LOOKUPS}/{source}", json={"inputs": inputs},
                               headers={"X-Api-Key": key}, timeout=30)
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items
    day = ask("appointment-days", type=TYPE, site=SITE)[1]["value"]
    return str(ask("appointment-times", type=TYPE, site=SITE, day=day)[0]["value"])


def _race(bases: list[str], job: Callable[[str, int], requests.Response]
          ) -> list[requests.Response]:
    """RACERS calls at once (a barrier releases them together), spread over the hubs."""
    barrier = threading.Barrier(RACERS)

    def one(n: int) -> requests.Response:
        barrier.wait(timeout=60)
        return job(bases[n % len(bases)], n)

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        return list(pool.map(one, range(RACERS)))


def _places(database_url: str, start: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(Booking).where(
                Booking.site_id == SITE, Booking.type_id == TYPE,
                Booking.seat.is_not(None))).scalar_one())
    finally:
        engine.dispose()


def _last_place_then_confirm(bases: list[str], key: str, database_url: str) -> None:
    start = _a_later_slot(bases[0], key)
    first = _post(bases[0], "/holds", hold_body(start, holder(999), TYPE, SITE), key)
    assert first.status_code == 201, first.text  # one place of two left

    holds = _race(bases, lambda base, n: _post(base, "/holds",
                                               hold_body(start, holder(n), TYPE, SITE), key))
    assert Counter(r.status_code for r in holds) == {201: 1, 409: RACERS - 1}
    for refused in (r for r in holds if r.status_code == 409):
        assert refused.json()["error"]["code"] == "slot_taken"
        assert start not in [slot["start"] for slot in refused.json()["nearest"]]
    [won] = [n for n, r in enumerate(holds) if r.status_code == 201]
    hold_id = holds[won].json()["hold"]
    assert _places(database_url, start) == 2

    confirms = _race(bases, lambda base, n: _post(
        base, f"/holds/{hold_id}/confirm", confirm_body(holder(won if n % 5 else 1000 + n)), key))
    by_status = Counter(r.status_code for r in confirms)
    assert by_status == {201: 1, 200: RACERS - RACERS // 5 - 1, 409: RACERS // 5}, by_status
    references = {r.json()["booking"]["reference"] for r in confirms if r.status_code < 300}
    assert len(references) == 1  # one booking, however many times it was confirmed
    assert all(r.json()["error"]["code"] == "hold_expired" for r in confirms
               if r.status_code == 409)  # another journey's token: as good as no hold
    assert _places(database_url, start) == 2


def test_fifty_clients_race_for_the_last_place(tmp_path: Path, database_url: str) -> None:
    processes = 1 if database_url.startswith("sqlite") else 2
    with ExitStack() as stack:
        hubs = [stack.enter_context(running_hub(tmp_path / f"hub{n}", database_url=database_url))
                for n in range(processes)]
        _last_place_then_confirm([hub.base_url for hub in hubs], hubs[0].api_key, database_url)
        for hub in hubs:
            assert "Traceback" not in hub.output(), hub.output()


def test_an_expired_hold_frees_the_place_for_exactly_one(database_url: str) -> None:
    clock = MovingClock()
    key = "race-key"
    settings = HubSettings(database_url=database_url, api_keys=frozenset({key}))
    servers = 1 if database_url.startswith("sqlite") else 2
    with ExitStack() as stack:
        apps = [create_app(settings, passwords=Passwords.cheap_for_tests(), clock=clock)
                for _ in range(servers)]
        for app in apps:
            stack.callback(app.state.hub.engine.dispose)
        bases = [stack.enter_context(serving(app)) for app in apps]
        start = _a_later_slot(bases[0], key)
        for n in (900, 901):  # both places, the second held for a minute only
            body = hold_body(start, holder(n), TYPE, SITE, hold_seconds=60 if n == 901 else 900)
            assert _post(bases[0], "/holds", body, key).status_code == 201
        assert _post(bases[-1], "/holds", hold_body(start, holder(1), TYPE, SITE),
                     key).status_code == 409
        clock.advance(seconds=60)  # the short hold has expired: no sleeping for it
        holds = _race(bases, lambda base, n: _post(base, "/holds",
                                                   hold_body(start, holder(n), TYPE, SITE), key))
        assert Counter(r.status_code for r in holds) == {201: 1, 409: RACERS - 1}
        assert _places(database_url, start) == 2

"""Shared by the appointment tests: a clock the test moves, the hub app on it, the kiosk API
called as the kiosk calls it, and a real uvicorn server in a thread for an app built here
(so a real HTTP server can run on an injected clock)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from tests.hub.helpers import API_KEY

APPOINTMENTS = "/kiosk/v1/appointments"
LOOKUPS = "/kiosk/v1/lookups"
KEY = {"X-Api-Key": API_KEY}
# A Sunday evening: Monday 7 December 2026 is the first day with slots.
START = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)


class MovingClock:
    """The hub's clock in a test: stands still until the test moves it."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def holder(n: int = 0) -> str:
    return f"journey-token-{n:06d}-abcdef"


def lookup(client: Any, source: str, language: str = "en", **inputs: str) -> list[dict[str, Any]]:
    answer = client.post(f"{LOOKUPS}/{source}", json={"inputs": inputs, "language": language},
                         headers=KEY)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def call(client: Any, path: str, body: dict[str, Any], headers: dict[str, str] | None = None
         ) -> Any:
    return client.post(f"{APPOINTMENTS}{path}", json=body,
                       headers=KEY if headers is None else headers)


def first_free(client: Any, type_id: str = "housing-advice", site: str = "central-library",
               index: int = 0) -> str:
    """The start of a free slot (the `index`-th of the first day offered)."""
    day = lookup(client, "appointment-days", type=type_id, site=site)[0]["value"]
    times = lookup(client, "appointment-times", type=type_id, site=site, day=day)
    return str(times[index]["value"])


def hold_body(start: str, who: str, type_id: str = "housing-advice",
              site: str = "central-library", **extra: Any) -> dict[str, Any]:
    return {"type": type_id, "site": site, "start": start, "holder": who, **extra}


def confirm_body(who: str, **extra: Any) -> dict[str, Any]:
    return {"holder": who, "name": "Ada Canary", "email": "ada.canary@example.org",
            "phone": "07700 900123", "postcode": "de99 1ab", "assisted": False, **extra}


def book(client: Any, start: str, who: str, **extra: Any) -> dict[str, Any]:
    """Hold and confirm: the booking document."""
    held = call(client, "/holds", hold_body(start, who, **extra))
    assert held.status_code == 201, held.text
    confirmed = call(client, f"/holds/{held.json()['hold']}/confirm", confirm_body(who))
    assert confirmed.status_code == 201, confirmed.text
    booking: dict[str, Any] = confirmed.json()["booking"]
    return booking


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """`app` behind a real uvicorn on a free 127.0.0.1 port, in a thread; its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(256)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped before it started"
            assert time.monotonic() < deadline, "uvicorn did not start within 20 s"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


def http_client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=60)

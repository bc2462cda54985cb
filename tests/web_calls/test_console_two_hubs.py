"""Two REAL hub processes on one PostgreSQL database (tests/pg_server.py): the kiosk queues
and signals through one, the advisor's console is served by, and signals through, the
other. The call connects with media both ways, captions cross from one process to the
other through LISTEN/NOTIFY, and the advisor's end reaches the kiosk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hub.db import make_engine
from hub.migrate import upgrade
from tests.hub_server import running_hub
from tests.needs import require_or_skip
from tests.pg_server import postgres_bin, running_postgres
from tests.web_calls.harness import wait_until
from tests.web_calls.real_hub import HUB_ARGS, Hub, add_advisor, kiosks, open_console

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    require_or_skip(postgres_bin() is not None, "the PostgreSQL server is not installed "
                    "(script/bootstrap --test installs Debian's postgresql)")
    with running_postgres() as server:
        url = server.create_database("hub_calls")
        engine = make_engine(url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
        add_advisor(url)
        yield url


def test_the_kiosk_on_one_hub_process_and_the_advisor_on_another_connect(
        tmp_path: Path, database_url: str, pages: str, chromium: BrowserContext) -> None:
    with running_hub(tmp_path / "a", database_url=database_url, extra_args=HUB_ARGS) as a, \
            running_hub(tmp_path / "b", database_url=database_url, extra_args=HUB_ARGS) as b, \
            kiosks(Hub(a), pages, "kiosk-on-a") as (kiosk,):
        kiosk.queue("Central Library", language="pl")
        at_kiosk = kiosk.open_call_page(chromium)
        console = open_console(chromium, Hub(b))
        try:
            assert console.page.url.startswith(b.base_url)
            wait_until(lambda: [row[0] for row in console.rows()] == ["Central Library"],
                       "process B's console lists the call queued on process A")
            console.page.get_by_role("button", name="Answer next call").click()
            at_kiosk.wait_for_media(["advisor"])
            console.wait_for_media(["kiosk"])
            console.page.locator("#caption-input").press_sequentially("Dzień dobry")
            console.page.locator("#caption-input").press("Enter")
            finals = [c["text"] for c in at_kiosk.wait_for_event("caption", 12) if c["final"]]
            assert finals == ["Dzień dobry"]
            at_kiosk.page.evaluate("H.call.send('resident_text', {text: 'Hello', final: true})")
            console.wait_text("#resident-log", "Hello")
            console.page.get_by_label("Call back booked").check()
            console.page.get_by_role("button", name="End call").click()
            console.wait_text("#console-status", "Outcome recorded: Call back booked")
            assert at_kiosk.wait_for_event("call_ended")[0] == {"reason": "advisor_ended",
                                                                "by": "advisor"}
            row = Hub(a).recorded(kiosk.call_id)
            assert (row["outcome"], row["end_reason"]) == ("callback_booked", "advisor_ended")
            assert (console.errors, at_kiosk.errors) == ([], [])
        finally:
            console.close()

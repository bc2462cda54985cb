"""The advisor console, the interpreter page and a kiosk's call page at work in a real
chromium, against a REAL hub process (`python -m hub` on SQLite): its kiosk API, advisor
API, signalling WebSocket and database (tests/web_calls/real_hub.py says how each side is
driven).

One hub and one browser (tests/web_calls/conftest.py) serve the module; each test opens
its own pages, closes them, and leaves no call queued.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.hub_server import running_hub
from tests.web_calls.harness import wait_until
from tests.web_calls.real_hub import (
    HUB_ARGS,
    Console,
    Hub,
    add_advisor,
    kiosks,
    media_rate,
    open_console,
)

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    with running_hub(tmp_path_factory.mktemp("hub"), extra_args=HUB_ARGS) as process:
        add_advisor(process.database_url)
        yield Hub(process)


@pytest.fixture
def console(chromium: BrowserContext, hub: Hub) -> Iterator[Console]:
    opened = open_console(chromium, hub)
    try:
        yield opened
    finally:
        opened.close()


def test_an_advisor_answers_talks_invites_an_interpreter_and_records_the_outcome(
        hub: Hub, pages: str, chromium: BrowserContext, console: Console,
        capsys: pytest.CaptureFixture[str]) -> None:
    page = console.page
    with kiosks(hub, pages, "library-kiosk") as (kiosk,):
        kiosk.queue("Central Library", service="MISSED_BIN", language="cy", interpreter="pl")
        at_kiosk = kiosk.open_call_page(chromium)
        wait_until(lambda: len(console.rows()) == 1, "the resident's row in the queue")
        site, service, language, interpreter, waiting, button = console.rows()[0]
        assert (site, service, language, interpreter, button) == (
            "Central Library", "Report a missed bin collection", "Welsh", "Polish", "Answer")
        assert waiting == "Under 1 minute"
        assert console.text("#queue-count") == "1 resident is waiting."
        console.wait_text("#console-status", "A resident is waiting at Central Library")

        # Answer next: both sides see and hear each other.
        answered_at = time.monotonic()
        page.get_by_role("button", name="Answer next call").click()
        wait_until(page.locator("#call-section").is_visible, "the call view")
        assert page.evaluate("document.activeElement.id") == "call-heading"
        assert not page.locator("#queue-section").is_visible()
        assert kiosk.status().state == "answered"
        kiosk_stats = at_kiosk.wait_for_media(["advisor"])
        console_stats = console.wait_for_media(["kiosk"])
        wait_until(lambda: console.video_playing("#resident-video"), "the resident's video plays")
        both_flowing_ms = (time.monotonic() - answered_at) * 1000
        assert page.evaluate("document.querySelector('#own-video').srcObject !== null")
        console.wait_text("#console-status", "connected to the resident")
        rates = media_rate({"kiosk": at_kiosk.stats, "console": console.stats})
        for side, rate in rates.items():
            assert rate >= 10, f"the {side} decodes only {rate} frames/s"
        with capsys.disabled():
            print(f"\n[console, real hub] Answer next → both sides' media flowing "
                  f"{both_flowing_ms:.0f} ms; frames/s over 2 s {rates}; size at kiosk "
                  f"{kiosk_stats[0]['width']}x{kiosk_stats[0]['height']}, at console "
                  f"{console_stats[0]['width']}x{console_stats[0]['height']}")

        # Captions: real-time text on each keystroke, final on Enter.
        page.locator("#caption-input").press_sequentially("Hi")
        page.locator("#caption-input").press("Enter")
        captions = at_kiosk.wait_for_event("caption", 3)
        assert [(c["role"], c["text"], c["final"]) for c in captions] == [
            ("advisor", "H", False), ("advisor", "Hi", False), ("advisor", "Hi", True)]
        assert page.locator("#caption-input").input_value() == ""
        assert page.locator("#captions-sent li").all_inner_texts() == ["Hi"]

        # The resident's typed text and, with consent, the journey summary.
        at_kiosk.page.evaluate("H.call.send('resident_text', {text: 'I cannot spe', final: false})")
        console.wait_text("#resident-typing", "I cannot spe")
        at_kiosk.page.evaluate("H.call.send('resident_text', {text: 'I cannot speak', final: true})")
        console.wait_text("#resident-log", "I cannot speak")
        at_kiosk.page.evaluate("H.call.send('summary', {service: 'Report a missed bin', rows: "
                               "[{label: 'Bin', value: 'Garden waste'}]})")
        console.wait_text("#summary-list", "Garden waste")
        assert console.text("#summary-service") == "Service: Report a missed bin"

        # The interpreter: the link, its page, three-way media; leaving keeps the call.
        page.get_by_role("button", name="Invite an interpreter").click()
        wait_until(lambda: page.locator("#invite-link").input_value(), "the invitation link")
        link = page.locator("#invite-link").input_value()
        assert re.fullmatch(re.escape(hub.base_url) + r"/join/[A-Za-z0-9_-]{40,}", link), link
        interpreter_page = chromium.new_page()
        try:
            interpreter_page.goto(link)
            interpreter_page.get_by_role("button", name="Join the call").click()
            joined_at = time.monotonic()
            wait_until(lambda: interpreter_page.evaluate(
                "Array.from(document.querySelectorAll('#join-videos video'))"
                ".filter(v => v.id !== 'own-video' && v.videoWidth >= 320).length") == 2,
                "the interpreter sees the resident and the advisor")
            at_kiosk.wait_for_media(["advisor", "interpreter"])
            console.wait_for_media(["interpreter", "kiosk"])
            with capsys.disabled():
                print(f"[console, real hub] Join the call → three-way media flowing "
                      f"{(time.monotonic() - joined_at) * 1000:.0f} ms")
            wait_until(lambda: console.video_playing("#interpreter-video"),
                       "the interpreter's tile on the console")
            console.wait_text("#console-status", "The interpreter has joined")
            # The interpreter reads what the others write.
            page.locator("#caption-input").fill("Can you help?")
            page.locator("#caption-input").press("Enter")
            at_kiosk.page.evaluate("H.call.send('resident_text', {text: 'Yes', final: true})")
            wait_until(lambda: interpreter_page.locator("#join-log li").all_inner_texts() == [
                "Advisor: Can you help?", "Resident: Yes"], "the interpreter's log of messages")
            interpreter_page.get_by_role("button", name="Leave the call").click()
            wait_until(lambda: "You have left the call" in
                       interpreter_page.locator("#join-status").inner_text(),
                       "the interpreter page says they have left")
        finally:
            interpreter_page.close()
        console.wait_text("#console-status", "The interpreter has left")
        assert not page.locator("#interpreter-figure").is_visible()
        left = at_kiosk.wait_for_event("peer_left")
        assert [(e["role"], e["reason"]) for e in left] == [("interpreter", "left")]
        assert at_kiosk.events("call_ended") == []
        at_kiosk.wait_for_media(["advisor"])  # the two who stayed still see each other
        assert hub.recorded(kiosk.call_id)["state"] == "answered"

        # End: the outcome is required, then recorded; the call ends for the kiosk too.
        page.locator("#end-note").fill("Form sent by post")
        page.get_by_role("button", name="End call").click()
        console.wait_text("#outcome-error", "Select the outcome of the call")
        assert page.evaluate("document.activeElement.id") == "outcome-resolved"
        page.get_by_label("Resolved").check()
        page.get_by_role("button", name="End call").click()
        console.wait_text("#console-status", "Outcome recorded: Resolved")
        assert at_kiosk.wait_for_event("call_ended")[0] == {"reason": "advisor_ended",
                                                            "by": "advisor"}
        row = hub.recorded(kiosk.call_id)
        assert (row["state"], row["end_reason"], row["ended_by"], row["outcome"], row["note"],
                row["advisor"]) == ("ended", "advisor_ended", "advisor", "resolved",
                                    "Form sent by post", "ada")
        assert (row["site"], row["service_code"], row["language"], row["interpreter"]) == (
            "Central Library", "MISSED_BIN", "cy", "pl")
        assert kiosk.status().end_reason == "advisor_ended"
        assert page.locator("#queue-section").is_visible()
        assert page.locator("#summary-list dd").count() == 0
        assert page.evaluate("document.activeElement.id") == "queue-heading"
        # The invitation expired with the call.
        expired = chromium.new_page()
        try:
            response = expired.goto(link)
            assert response is not None
            assert response.status == 404
            assert "This link has expired" in expired.content()
        finally:
            expired.close()
        assert (console.errors, at_kiosk.errors) == ([], [])


def test_two_kiosks_are_served_in_order_and_a_session_ending_at_the_kiosk_ends_the_call(
        hub: Hub, pages: str, chromium: BrowserContext, console: Console) -> None:
    page = console.page
    with kiosks(hub, pages, "riverside-kiosk", "harbour-kiosk") as (first, second):
        first.queue("Riverside Hub", service="FEEDBACK")
        second.queue("Harbour Library")
        assert (first.joined and first.joined.position, second.joined and second.joined.position
                ) == (1, 2)
        assert second.status().position == 2
        at_first = first.open_call_page(chromium)
        at_second = second.open_call_page(chromium)
        wait_until(lambda: [row[0] for row in console.rows()] == ["Riverside Hub",
                                                                  "Harbour Library"],
                   "both residents in the queue, first come first")
        assert console.text("#queue-count") == "2 residents are waiting."
        assert console.rows()[1][1:5] == ["Not chosen", "English", "Not needed",
                                          "Under 1 minute"]

        # "Answer next" answers the resident who came first; the other moves up.
        page.get_by_role("button", name="Answer next call").click()
        at_first.wait_for_media(["advisor"])
        console.wait_for_media(["kiosk"])
        assert first.status().state == "answered"
        status = second.status()
        assert (status.state, status.position, status.advisors_available) == ("queued", 1, 1)
        assert at_second.events("peer_joined") == []  # the advisor is not in its call

        # The first resident's session ends at the kiosk mid-call: the console says why,
        # drops the summary, and still takes the outcome.
        at_first.page.evaluate("H.call.send('summary', {service: 'Feedback', rows: "
                               "[{label: 'Topic', value: 'Libraries'}]})")
        console.wait_text("#summary-list", "Libraries")
        assert first.end("session_ended")
        console.wait_text("#console-alert", "session at the kiosk ended")
        assert at_first.wait_for_event("call_ended")[0] == {"reason": "session_ended",
                                                            "by": "kiosk"}
        assert page.locator("#summary-list dd").count() == 0
        assert not page.locator("#summary-list").is_visible()
        assert page.locator("#back-to-queue").is_visible()
        assert page.evaluate("document.querySelector('#resident-video').srcObject") is None
        assert page.evaluate("AdvisorConsole.state.summary") is None
        page.get_by_label("Referred").check()
        page.get_by_role("button", name="Save the outcome").click()
        console.wait_text("#console-status", "Outcome recorded: Referred")
        row = hub.recorded(first.call_id)
        assert (row["end_reason"], row["ended_by"], row["outcome"], row["note"]) == (
            "session_ended", "kiosk", "referred", None)

        # Then the second resident, now first in the queue, is answered from its row.
        wait_until(lambda: [row[0] for row in console.rows()] == ["Harbour Library"],
                   "the second resident alone in the queue")
        page.get_by_role("button", name=re.compile("Answer the call from Harbour Library")
                         ).click()
        at_second.wait_for_media(["advisor"])
        console.wait_for_media(["kiosk"])
        assert second.status().state == "answered"
        page.get_by_label("Resolved").check()
        page.get_by_role("button", name="End call").click()
        console.wait_text("#console-status", "Outcome recorded: Resolved")
        assert at_second.wait_for_event("call_ended")[0]["reason"] == "advisor_ended"
        assert (console.errors, at_first.errors, at_second.errors) == ([], [], [])


def test_an_advisor_who_drops_ends_the_call_for_the_kiosk(
        hub: Hub, pages: str, chromium: BrowserContext, console: Console) -> None:
    with kiosks(hub, pages, "station-kiosk") as (kiosk,):
        kiosk.queue("Station Road")
        at_kiosk = kiosk.open_call_page(chromium)
        wait_until(lambda: len(console.rows()) == 1, "the resident in the queue")
        console.page.get_by_role("button", name="Answer next call").click()
        at_kiosk.wait_for_media(["advisor"])
        console.close()  # the tab closes mid-call, without a word to the hub
        assert at_kiosk.wait_for_event("call_ended")[0] == {"reason": "advisor_disconnected",
                                                            "by": "hub"}
        assert kiosk.status().end_reason == "advisor_disconnected"
        row = hub.recorded(kiosk.call_id)
        assert (row["state"], row["ended_by"], row["outcome"]) == ("ended", "hub", None)
        # The advisor can come back and answer again: they are not left "in" that call.
        again = open_console(chromium, hub)
        try:
            assert again.page.locator("#call-section").is_hidden()
            assert again.page.locator("#answer-next").is_disabled()
        finally:
            again.close()


def test_a_call_the_console_answered_but_never_joined_can_still_be_ended(
        hub: Hub, pages: str, chromium: BrowserContext, console: Console) -> None:
    """The answer reached the hub, but the tab went (closed, reloaded, its WebSocket blocked)
    before its socket joined: the hub still has the advisor in the call, which nothing else
    would end while the kiosk waits. The console brings it back and takes the outcome."""
    with kiosks(hub, pages, "market-kiosk") as (kiosk,):
        kiosk.queue("Market Square")
        at_kiosk = kiosk.open_call_page(chromium)
        wait_until(lambda: len(console.rows()) == 1, "the resident in the queue")
        assert console.page.evaluate(
            "() => fetch('/advisor/next', {method: 'POST', headers: {'X-CSRF-Token': "
            "document.getElementById('console').dataset.csrf}}).then(r => r.status)") == 200
        console.close()
        assert kiosk.status().state == "answered"

        again = open_console(chromium, hub)
        try:
            again.wait_text("#console-alert", "You answered the call from Market Square, but "
                            "this page is not connected to it")
            assert again.page.locator("#call-section").is_visible()
            assert not again.page.locator("#back-to-queue").is_visible()
            assert again.page.locator("#caption-input").is_disabled()
            again.page.get_by_label("Call back booked").check()
            again.page.get_by_role("button", name="Save the outcome").click()
            again.wait_text("#console-status", "Outcome recorded: Call back booked")
            assert at_kiosk.wait_for_event("call_ended")[0] == {"reason": "advisor_ended",
                                                                "by": "advisor"}
            row = hub.recorded(kiosk.call_id)
            assert (row["state"], row["outcome"]) == ("ended", "callback_booked")
            assert again.page.locator("#queue-section").is_visible()
            # Polls that follow do not bring the ended call back.
            polls = again.page.evaluate("performance.getEntriesByName("
                                        "location.origin + '/advisor/queue').length")
            wait_until(lambda: again.page.evaluate(
                "performance.getEntriesByName(location.origin + '/advisor/queue').length")
                >= polls + 2, "two more polls of the queue", deadline=10)
            assert again.page.locator("#queue-section").is_visible()
            assert again.errors == []
        finally:
            again.close()

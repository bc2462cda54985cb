"""The advisor console and the interpreter page at work in a real chromium, against a real hub
(uvicorn on 127.0.0.1) whose advisor API and signalling are the test double in
advisor_double.py, with the mesh test page as the kiosk.

One advisor signs in, becomes available, sees the queue, answers the next call, types
captions the kiosk receives, sees the resident's text and summary, invites an interpreter
who joins by the link and leaves again, ends the call with an outcome; then answers a second
call from its row, which the kiosk's session ends: the console says why and drops the
summary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI

from hub.app import create_app
from hub.calls import invites
from hub.passwords import Passwords
from hub.settings import HubSettings
from tests.browser import running_chromium
from tests.hub.appointment_helpers import serving
from tests.hub.helpers import API_KEY, PASSWORD, add_account
from tests.web_calls.advisor_double import AdvisorDouble
from tests.web_calls.harness import join, wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Page


@dataclass(frozen=True)
class Hub:
    base_url: str

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1) + "/calls/v1/ws"


@pytest.fixture
def double(monkeypatch: pytest.MonkeyPatch) -> AdvisorDouble:
    fake = AdvisorDouble()
    monkeypatch.setattr(invites, "call_for_invite", fake.call_for_invite)
    return fake


@pytest.fixture
def hub(tmp_path: Path, double: AdvisorDouble) -> Iterator[Hub]:
    settings = HubSettings(database_url=f"sqlite:///{tmp_path / 'hub.db'}",
                           api_keys=frozenset({API_KEY}), secure_cookies=False)
    app: FastAPI = create_app(settings, passwords=Passwords.cheap_for_tests())
    app.include_router(double.router())
    add_account(app, "ada", "advisor")
    try:
        with serving(app) as base_url:
            yield Hub(base_url)
    finally:
        app.state.hub.engine.dispose()


def text(page: Page, selector: str) -> str:
    return page.locator(selector).inner_text()


def wait_text(page: Page, selector: str, pattern: str, deadline: float = 15) -> None:
    wait_until(lambda: re.search(pattern, page.locator(selector).text_content() or ""),
               f"{selector} to say /{pattern}/ (it says {page.locator(selector).text_content()!r})",
               deadline=deadline)


def video_playing(page: Page, selector: str) -> bool:
    return bool(page.evaluate(f"document.querySelector('{selector}').videoWidth >= 320"))


def test_an_advisor_answers_captions_invites_and_ends_calls(
        tmp_path: Path, hub: Hub, double: AdvisorDouble) -> None:
    with running_chromium(tmp_path) as browser:
        console = browser.new_page()
        errors: list[str] = []
        console.on("pageerror", lambda exc: errors.append(str(exc)))
        console.goto(hub.base_url + "/advisor")
        assert "/sign-in" in console.url
        console.fill("#name", "ada")
        console.fill("#password", PASSWORD)
        console.keyboard.press("Enter")
        console.wait_for_url(hub.base_url + "/advisor")

        # Available, then two residents queue.
        wait_until(lambda: console.locator("#available").is_enabled(), "the toggle enabled")
        console.get_by_label("I am available to answer calls").check()
        wait_until(lambda: double.available, "the hub told the advisor is available")
        wait_text(console, "#console-status", "You are available")
        first = double.enqueue("call-1", "Central Library", service="MISSED_BIN",
                               service_title="Report a missed bin", language="cy",
                               interpreter="pl", waited_seconds=75)
        second = double.enqueue("call-2", "Riverside Hub", waited_seconds=20)
        wait_until(lambda: console.locator("#queue-table tbody tr").count() == 2,
                   "two rows in the queue table")
        assert console.locator("#queue-table tbody tr").first.locator("td").all_inner_texts() \
            == ["Central Library", "Report a missed bin", "Welsh", "Polish", "1 minute", "Answer"]
        assert text(console, "#queue-count") == "2 residents are waiting."
        wait_text(console, "#console-status", "Riverside Hub|2 residents")

        kiosk = join(browser, hub, first.call_id, "kiosk", first.tokens["kiosk"])
        kiosk.wait_for_event("welcome")
        console.get_by_role("button", name="Answer next call").click()
        wait_until(lambda: console.locator("#call-section").is_visible(), "the call view")
        assert console.evaluate("document.activeElement.id") == "call-heading"
        assert not console.locator("#queue-section").is_visible()
        kiosk.wait_for_media(["advisor"])
        wait_until(lambda: video_playing(console, "#resident-video"), "the resident's video")
        assert console.evaluate("document.querySelector('#own-video').srcObject !== null")

        # Captions: real-time text on each keystroke, final on Enter.
        console.locator("#caption-input").press_sequentially("Hi")
        console.locator("#caption-input").press("Enter")
        captions = kiosk.wait_for_event("caption", 3)
        assert [(c["text"], c["final"]) for c in captions] == [
            ("H", False), ("Hi", False), ("Hi", True)]
        assert console.locator("#caption-input").input_value() == ""
        assert console.locator("#captions-sent li").all_inner_texts() == ["Hi"]

        kiosk.page.evaluate("H.call.send('resident_text', {text: 'I cannot spe', final: false})")
        wait_text(console, "#resident-typing", "I cannot spe")
        kiosk.page.evaluate("H.call.send('resident_text', {text: 'I cannot speak', final: true})")
        wait_text(console, "#resident-log", "I cannot speak")
        kiosk.page.evaluate("H.call.send('summary', {service: 'Report a missed bin', rows: "
                            "[{label: 'Bin', value: 'Garden waste'}]})")
        wait_text(console, "#summary-list", "Garden waste")
        assert text(console, "#summary-service") == "Service: Report a missed bin"

        # The interpreter: the link, the page, three-way video, leaving keeps the call.
        console.get_by_role("button", name="Invite an interpreter").click()
        wait_until(lambda: console.locator("#invite-link").input_value(), "the invitation link")
        link = console.locator("#invite-link").input_value()
        assert re.fullmatch(re.escape(hub.base_url) + r"/join/[A-Za-z0-9_-]{40,}", link), link
        interpreter = browser.new_page()
        interpreter.goto(link)
        interpreter.get_by_role("button", name="Join the call").click()
        wait_until(lambda: interpreter.evaluate(
            "Array.from(document.querySelectorAll('#join-videos video'))"
            ".filter(v => v.id !== 'own-video' && v.videoWidth >= 320).length") == 2,
            "the interpreter sees the resident and the advisor")
        wait_until(lambda: video_playing(console, "#interpreter-video"),
                   "the interpreter's tile on the console")
        interpreter.get_by_role("button", name="Leave the call").click()
        wait_text(interpreter, "#join-status", "You have left the call")
        wait_text(console, "#console-status", "The interpreter has left")
        assert not console.locator("#interpreter-figure").is_visible()
        assert kiosk.events("call_ended") == []

        # End: the outcome is required, then recorded; the call ends for the kiosk too.
        console.locator("#end-note").fill("Form sent by post")
        console.get_by_role("button", name="End call").click()
        wait_text(console, "#outcome-error", "Select the outcome of the call")
        assert console.evaluate("document.activeElement.id") == "outcome-resolved"
        console.get_by_label("Resolved").check()
        console.get_by_role("button", name="End call").click()
        wait_text(console, "#console-status", "Outcome recorded: Resolved")
        assert double.outcomes["call-1"] == {"outcome": "resolved", "note": "Form sent by post"}
        assert kiosk.wait_for_event("call_ended")[0]["by"] == "advisor"
        assert console.locator("#queue-section").is_visible()
        assert console.locator("#summary-list dd").count() == 0
        assert console.evaluate("document.activeElement.id") == "queue-heading"

        # The second call, answered from its row; the kiosk's session ends mid-call.
        kiosk2 = join(browser, hub, second.call_id, "kiosk", second.tokens["kiosk"])
        console.get_by_role("button", name=re.compile("Answer the call from Riverside Hub")).click()
        kiosk2.wait_for_media(["advisor"])
        kiosk2.page.evaluate("H.call.send('summary', {service: 'Feedback', rows: "
                             "[{label: 'Topic', value: 'Libraries'}]})")
        wait_text(console, "#summary-list", "Libraries")
        double.end_from_test(second.call_id, "session_ended", "kiosk")
        wait_text(console, "#console-alert", "session at the kiosk ended")
        assert console.locator("#summary-list dd").count() == 0
        assert not console.locator("#summary-list").is_visible()
        assert console.locator("#back-to-queue").is_visible()
        assert console.evaluate("document.querySelector('#resident-video').srcObject") is None
        console.get_by_label("Referred").check()
        console.get_by_role("button", name="Save the outcome").click()
        wait_text(console, "#console-status", "Outcome recorded: Referred")
        assert double.outcomes["call-2"] == {"outcome": "referred", "note": None}
        assert errors == []

"""A real call on loopback, end to end: the real hub process, the kiosk's real window with
its locked-down QtWebEngine call view (Chromium's made-up camera and microphone), and the
advisor console in Debian's headless chromium driven by Playwright.

Asserted: the advisor answers from the console; both sides decode video (≥ 320×240) and
receive audio; the advisor's typed words appear as captions on the kiosk and the resident's
typed words on the console; answers are shared only with consent; ending on either side
returns both to their idle states; a visit ending mid-call ends the call and the advisor is
told why; an advisor whose console drops leaves the kiosk with a clear message and a call
back; and the call's private web profile folder is gone afterwards.

Playwright's sync API runs on this (the GUI) thread: each browser call is short, and every
wait is `qtbot.waitUntil`, so the kiosk's event loop keeps running between them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from tests.browser import running_chromium
from tests.hub.calls_helpers import add_advisor
from tests.hub.helpers import PASSWORD
from tests.hub_server import HubProcess, running_hub
from tests.kiosk_fixtures import demo_profile_copy
from tests.ui.call_support import engine_environment
from ui.driving import page_name, tap, widget

ALL_DAY = {"opening_hours": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                              "opens": "00:00", "closes": "23:59"}],
           "interpreter_languages": ["pl"], "fake_media": True}
WAIT_MS = 30_000


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    with running_hub(tmp_path) as process:
        add_advisor(f"sqlite:///{tmp_path / 'hub.db'}", "ada")
        yield process


@pytest.fixture
def kiosk(make_kiosk, tmp_path: Path, hub: HubProcess):
    engine_environment()
    path = demo_profile_copy(tmp_path, base_url=hub.base_url, printer="fake",
                             card_reader={"type": "fake"}, calls=ALL_DAY,
                             lookups={"type": "hub", "endpoint": hub.base_url + "/kiosk/v1",
                                      "api_key": "demo-kiosk-key", "timeout_seconds": 5})
    return make_kiosk(profile=path)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    with running_chromium(tmp_path) as context:
        yield context


def wait_page(qtbot, window, name: str) -> None:
    qtbot.waitUntil(lambda: page_name(window) == name, timeout=WAIT_MS)


def console_signed_in(qtbot, browser: Any, hub: HubProcess) -> Any:
    console = browser.new_page()
    console.goto(hub.base_url + "/advisor")
    console.fill("#name", "ada")
    console.fill("#password", PASSWORD)
    console.keyboard.press("Enter")
    console.wait_for_url(hub.base_url + "/advisor")
    qtbot.waitUntil(lambda: console.locator("#available").is_enabled(), timeout=WAIT_MS)
    console.get_by_label("I am available to answer calls").check()
    return console


def answer_next(qtbot, console: Any) -> None:
    qtbot.waitUntil(lambda: console.locator("#queue-table tbody tr").count() >= 1,
                    timeout=WAIT_MS)
    console.get_by_role("button", name="Answer next call").click()
    qtbot.waitUntil(lambda: console.locator("#call-section").is_visible(), timeout=WAIT_MS)


def console_stats(console: Any) -> list[dict[str, Any]]:
    found = console.evaluate(
        "AdvisorConsole.state.mesh ? AdvisorConsole.state.mesh.stats() : {peers: []}")
    return list(found["peers"])


def console_words(console: Any) -> str:
    return (console.locator("#console-status").inner_text() + " "
            + console.locator("#console-alert").inner_text())


def flowing(peers: list[Any], role: str) -> bool:
    """Video decoded at ≥ 320×240 and audio arriving from the peer with `role`."""
    for peer in peers:
        got = peer if isinstance(peer, dict) else vars(peer)
        if got["role"] == role and got["frames_decoded"] > 0 and got["width"] >= 320 \
                and got["height"] >= 240 and got["audio_bytes"] > 0:
            return True
    return False


def join_queue(qtbot, kiosk, *, share: bool = False) -> None:
    window = kiosk.window
    tap(window, "talkToAdvisor")
    wait_page(qtbot, window, "call_consent")
    if share:
        tap(window, "option-share-yes")
    tap(window, "joinQueue")
    qtbot.waitUntil(lambda: kiosk.terminal.calls.phase == "queued", timeout=WAIT_MS)


def to_check_answers(qtbot, kiosk) -> None:
    window = kiosk.window
    tap(window, "start")
    tap(window, "service-request-callback")
    wait_page(qtbot, window, "question:topic")
    for page_id, raw in (("topic", "housing"), ("name", "Zebedee Canary"),
                         ("phone", "07700 900461"), ("best_time", "morning"), ("details", "")):
        kiosk.terminal.answer(page_id, raw)
    wait_page(qtbot, window, "check_answers")


def title_of(window) -> str:
    shown = widget(window, "title")
    assert isinstance(shown, QLabel)
    return shown.text()


def live_view(kiosk) -> Any:
    view = kiosk.window.page
    assert view is not None
    assert view.property("pageName") == "call_live"
    return view


def test_a_real_call_answered_from_the_console(qtbot, kiosk, hub, browser) -> None:
    window = kiosk.window
    to_check_answers(qtbot, kiosk)
    join_queue(qtbot, kiosk, share=True)
    console = console_signed_in(qtbot, browser, hub)
    answer_next(qtbot, console)
    wait_page(qtbot, window, "call_live")
    view = live_view(kiosk)
    folder = view.call.folder
    assert folder.is_dir()

    # Both ways: the advisor's picture and voice on the kiosk, the resident's on the console.
    qtbot.waitUntil(lambda: flowing(view.last_stats, "advisor"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: flowing(console_stats(console), "kiosk"), timeout=WAIT_MS)
    assert title_of(window) == "You are talking to an advisor"

    # Shared with consent: the answers so far are on the console (never stored by the hub).
    qtbot.waitUntil(lambda: "Zebedee Canary" in console.locator("#summary-list").inner_text(),
                    timeout=WAIT_MS)
    assert view.shared.isVisible()

    # Captions: real-time text, then the final line.
    console.locator("#caption-input").press_sequentially("Hello, I can see")
    qtbot.waitUntil(lambda: "Hello, I can see" in view.captions.text(), timeout=WAIT_MS)
    console.locator("#caption-input").press("Enter")
    qtbot.waitUntil(lambda: view._draft == "" and "Hello, I can see" in view.captions.text(),
                    timeout=WAIT_MS)

    # The resident who cannot speak types instead.
    view.text_box.setText("I cannot speak")
    view.text_box.textEdited.emit("I cannot speak")
    tap(window, "sendText")
    qtbot.waitUntil(lambda: "I cannot speak" in console.locator("#resident-log").inner_text(),
                    timeout=WAIT_MS)

    # Mute and camera off are the resident's, from native buttons.
    tap(window, "mute")
    assert view.mute_button.text() == "Unmute"

    # The advisor ends the call with an outcome: the kiosk says so, the view is torn down.
    console.get_by_label("Resolved").check()
    console.get_by_role("button", name="End call").click()
    wait_page(qtbot, window, "call_over:ended")
    assert not folder.exists()
    assert kiosk.terminal.held == ()
    qtbot.waitUntil(lambda: console.locator("#queue-section").is_visible(), timeout=WAIT_MS)
    assert console.locator("#summary-list dd").count() == 0
    tap(window, "goBack")
    wait_page(qtbot, window, "check_answers")  # every answer kept


def test_ending_on_the_kiosk_and_a_visit_ending_mid_call(qtbot, kiosk, hub, browser) -> None:
    window = kiosk.window
    tap(window, "start")
    join_queue(qtbot, kiosk)
    console = console_signed_in(qtbot, browser, hub)
    answer_next(qtbot, console)
    wait_page(qtbot, window, "call_live")
    view = live_view(kiosk)
    qtbot.waitUntil(lambda: flowing(view.last_stats, "advisor"), timeout=WAIT_MS)
    tap(window, "endCall")
    wait_page(qtbot, window, "call_over:ended")
    qtbot.waitUntil(lambda: "ended" in console_words(console), timeout=WAIT_MS)

    # A second call, and the visit ends under it (Start again): the advisor is told why.
    tap(window, "goBack")
    console.get_by_label("Resolved").check()
    console.get_by_role("button", name="Save the outcome").click()
    qtbot.waitUntil(lambda: console.locator("#queue-section").is_visible(), timeout=WAIT_MS)
    join_queue(qtbot, kiosk)
    answer_next(qtbot, console)
    wait_page(qtbot, window, "call_live")
    folder = live_view(kiosk).call.folder
    tap(window, "startAgain")
    wait_page(qtbot, window, "attract")
    assert not folder.exists()
    qtbot.waitUntil(lambda: "session" in console_words(console), timeout=WAIT_MS)
    assert console.locator("#summary-list dd").count() == 0


def test_the_advisors_console_dropping_offers_a_call_back(qtbot, kiosk, hub, browser) -> None:
    window = kiosk.window
    tap(window, "start")
    join_queue(qtbot, kiosk)
    console = console_signed_in(qtbot, browser, hub)
    answer_next(qtbot, console)
    wait_page(qtbot, window, "call_live")
    view = live_view(kiosk)
    qtbot.waitUntil(lambda: flowing(view.last_stats, "advisor"), timeout=WAIT_MS)
    console.close()
    qtbot.waitUntil(lambda: page_name(window) in ("call_over:advisor_left",
                                                  "call_over:connection_lost"), timeout=WAIT_MS)
    assert title_of(window) == "The call was cut off"
    tap(window, "callBack")
    wait_page(qtbot, window, "question:topic")

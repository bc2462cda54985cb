"""Booking as a council would try it: the kiosk process on a real X server (Xvfb), the real
hub process, xdotool pressing and releasing real buttons (150 ms holds) with the on-screen
keyboard open for each typed answer; then the hub stopped, and the kiosk says it cannot book
and offers a call back instead."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import requests

from tests.hub_server import HubProcess, running_hub
from tests.kiosk_fixtures import demo_profile_copy
from tests.ui.processes import Watched
from tests.ui.x11_screen import ROOT, Screen, Xvfb, require_x_tools

TYPE, SITE = "housing-advice", "central-library"
SCREEN_HEIGHT = 1024


def first_free(hub: HubProcess, source: str, inputs: dict[str, str]) -> str:
    answer = requests.post(f"{hub.base_url}/kiosk/v1/lookups/{source}", json={"inputs": inputs},
                           headers={"X-Api-Key": hub.api_key}, timeout=5)
    value: str = answer.json()["items"][0]["value"]
    return value


def on_screen(state: dict, name: str) -> bool:
    _, y, _, height = state["widgets"].get(name, [0, SCREEN_HEIGHT, 0, 0])
    return y + height <= SCREEN_HEIGHT


def type_answer(screen: Screen, text: str) -> None:
    screen.open_keyboard("answer")
    screen.xdotool("type", text)
    screen.slow_tap("continue")


def to_booking(screen: Screen) -> None:
    screen.slow_tap("start")
    screen.wait_page("menu")
    # Eight services: on a 1280x1024 screen booking is below the fold.
    screen.slow_tap("scrollDown")
    screen.wait("booking in view", lambda s: on_screen(s, "service-book-appointment"))
    screen.slow_tap("service-book-appointment")


def test_book_by_real_taps_then_the_hub_goes_away(tmp_path: Path) -> None:
    require_x_tools()
    with running_hub(tmp_path / "hub") as hub:
        day = first_free(hub, "appointment-days", {"type": TYPE, "site": SITE})
        time = first_free(hub, "appointment-times", {"type": TYPE, "site": SITE, "day": day})
        xvfb = Xvfb(tmp_path)
        kiosk: Watched | None = None
        try:
            home, run = tmp_path / "home", tmp_path / "run"
            for folder in (home, run):
                folder.mkdir(mode=0o700)
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("XDG_", "QT_", "WAYLAND")) and k != "DISPLAY"}
            env.update(DISPLAY=xvfb.display, HOME=str(home), XDG_RUNTIME_DIR=str(run),
                       QT_QPA_PLATFORM="xcb", KIOSK_X11_WATCH=",".join([
                           "service-book-appointment", "scrollDown", f"option-{TYPE}",
                           f"option-{SITE}", f"option-{day}", f"option-{time}", "option-phone",
                           "callBack"]))
            profile = demo_profile_copy(tmp_path, base_url=hub.base_url, lookups={
                "type": "hub", "endpoint": f"{hub.base_url}/kiosk/v1", "api_key": hub.api_key,
                "timeout_seconds": 3, "connect_timeout_seconds": 1})
            kiosk = Watched([sys.executable, "-m", "tests.ui.x11_driver", str(profile),
                             str(tmp_path / "state")], env, ROOT)
            screen = Screen(kiosk, env)
            screen.wait_page("attract", timeout=30)
            to_booking(screen)
            for page, option in (("type", TYPE), ("site", SITE), ("day", day), ("time", time)):
                screen.wait_page(f"question:{page}")
                screen.slow_tap(f"option-{option}")
                screen.slow_tap("continue")
            screen.wait_page("question:name")
            type_answer(screen, "Ann Example")
            screen.wait_page("question:contact_method")
            screen.slow_tap("option-phone")
            screen.slow_tap("continue")
            screen.wait_page("question:phone")
            type_answer(screen, "07700900123")
            screen.wait_page("question:postcode")
            type_answer(screen, "DE99 1AB")
            screen.wait_page("check_answers")
            screen.slow_tap("submit")
            screen.wait_page("booking_done:confirmed", timeout=20)
            screen.slow_tap("finish")
            screen.wait_page("attract", timeout=20)

            hub.process.terminate()  # the council's hub goes away
            hub.process.wait(10)
            to_booking(screen)
            screen.wait("cannot book", lambda s: str(s.get("page")).startswith(
                "booking_unavailable"), timeout=20)
            screen.slow_tap("callBack")
            screen.wait_page("question:topic")
        finally:
            if kiosk is not None:
                if kiosk.proc.poll() is None:
                    kiosk.terminate(10)
                kiosk.stop()
            xvfb.stop()

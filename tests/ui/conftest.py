"""Fixtures for driving the real kiosk window offscreen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from accessibility.speech import RecordingSpeech
from kiosk.clock import FakeClock
from kiosk.device_identity import key_folder
from kiosk.profile import load_profile
from tests.kiosk_fixtures import demo_profile_copy


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def make_kiosk(qtbot, tmp_path: Path, clock: FakeClock) -> Iterator:
    """Build a kiosk on the demo profile (hub URL of the test's choosing); closed after."""
    from ui.app import build

    built = []

    def factory(base_url: str = "http://127.0.0.1:9", *, demo_controls: bool = False,
                start_relay: bool = False, speech: RecordingSpeech | None = None,
                profile: Path | None = None, **overrides: object):
        """`start_relay`: the relay (and its socket) in this process, as the demo runs it;
        without it the screen finds no relay and every report is "saved, will be sent".
        `speech`: a backend of the test's own (default: one that records); `profile`: a
        profile file the test wrote (default: the demo's, at `base_url`, with `overrides`)."""
        state = tmp_path / "state"
        if overrides.get("mode") != "production":
            # The address question asks the council: the demo's canned DE99 addresses, in
            # process, unless the test says otherwise (a production profile refuses a fake).
            overrides.setdefault("lookups", {"type": "fake"})
        path = profile or demo_profile_copy(tmp_path, base_url=base_url, sealed_for=state,
                                            **overrides)
        kiosk = build(load_profile(path, key_folder=key_folder(state)), state, clock=clock,
                      start_relay=start_relay,
                      speech=speech or RecordingSpeech(tmp_path / "speech"),
                      demo_controls=demo_controls, animate=False)
        qtbot.addWidget(kiosk.window)
        kiosk.window.show()
        # Offscreen, Qt reports focus changes only for the active window (the keyboard
        # opens on focus).
        kiosk.window.activateWindow()
        qtbot.waitUntil(kiosk.window.isActiveWindow)
        built.append(kiosk)
        return kiosk

    yield factory
    for kiosk in built:
        # Everything the kiosk started: staff poller and card bridge, session worker, the
        # speech player (its QMediaPlayer and worker thread), the window, the assembly.
        kiosk.close()

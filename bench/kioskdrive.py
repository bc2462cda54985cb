"""Build the real kiosk offscreen on the demo profile and drive it as a resident would.

Used by the in-process benchmarks (tap latency, wipe, memory). The hub is unreachable
(http://127.0.0.1:9) and the relay is not started, so nothing leaves the process: the
addresses at a postcode come from the in-process fake lookup (`lookups: {type: fake}`, the
demo's DE99 addresses), answered on the kiosk's background thread as the hub's would be.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from benchlib import use_repo_imports

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from kiosk.journey.validation import RawAnswer
    from ui.built import Kiosk
    from ui.window import KioskWindow

UNREACHABLE_HUB = "http://127.0.0.1:9"
SERVICE = "missed-bin"


_QUIET = ("This plugin does not support propagateSizeHints()",)


def quiet_offscreen_warnings() -> None:
    """Drop the offscreen plugin's per-resize "does not support propagateSizeHints()" line.

    Every other Qt message still goes to stderr.
    """
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if message not in _QUIET:
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


@contextlib.contextmanager
def kiosk_offscreen(*, show: bool = True, lookups: dict[str, object] | None = None
                    ) -> Iterator[Kiosk]:
    """The kiosk on the demo profile in a temporary state directory, shown offscreen;
    `lookups` is the profile's section (default: the in-process fake)."""
    use_repo_imports()
    from kiosk.clock import FakeClock
    from kiosk.profile import load_profile
    from tests.kiosk_fixtures import demo_profile_copy
    from ui.app import build

    quiet_offscreen_warnings()
    with tempfile.TemporaryDirectory(prefix="bench-kiosk-") as tmp:
        # python-escpos caches its printer database in a new mkdtemp() per process unless
        # told where; keep that litter in this directory. (Start-up cost is not measured here.)
        pickle_dir = os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR")
        os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", tmp)
        loaded = load_profile(demo_profile_copy(Path(tmp), base_url=UNREACHABLE_HUB,
                                                lookups=lookups or {"type": "fake"}))
        clock = FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
        kiosk = build(loaded, Path(tmp) / "state", clock=clock, start_relay=False, demo_controls=False)
        try:
            if show:
                kiosk.window.show()
                settle(kiosk.app)
            yield kiosk
        finally:
            kiosk.close()
            settle(kiosk.app)
            if pickle_dir is None:
                os.environ.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)


def settle(app: QApplication, rounds: int = 3) -> None:
    """Run the event loop dry: layouts, paints, deferred deletes, zero-delay timers.

    Each round is `ui.driving.deliver_posted_events` (what the tests and the tour use); a few
    rounds because a zero-delay timer (the wipe) can post more work.
    """
    from ui.driving import deliver_posted_events

    for _ in range(rounds):
        deliver_posted_events()


def page_name(window: KioskWindow) -> str:
    from ui.driving import page_name as shown

    return shown(window)


def await_lookup(kiosk: Kiosk, seconds: float = 10.0) -> None:
    """While the page waits for the council (the addresses at a postcode), run the event
    loop until the answer is shown."""
    import time

    deadline = time.monotonic() + seconds
    while page_name(kiosk.window).startswith("waiting"):
        if time.monotonic() > deadline:
            raise RuntimeError("the lookup did not come back")
        kiosk.app.processEvents()


def back_to_attract(kiosk: Kiosk) -> None:
    """End whatever session is under way (as "start again" does) and wait for the wipe."""
    window = kiosk.window
    kiosk.terminal.start_again()
    settle(kiosk.app)
    if page_name(window) != "attract":
        raise RuntimeError(f"expected the attract page after start again, on {page_name(window)}")


@dataclass(frozen=True)
class Step:
    """One answer in the missed-bin journey: the page, the raw value, how to enter it."""

    page_id: str
    raw: RawAnswer
    widget: str  # "option" (a radio), "line", "area" or "date"


def missed_bin_answers(kiosk: Kiosk) -> list[Step]:
    """Answers that route address (postcode, then chosen from the list) → bin type → … →
    email → check answers, with no errors."""
    from kiosk.clock import uk_today
    from kiosk.journey.validation import DateParts

    today = uk_today(kiosk.clock)
    return [
        Step("address", "DE99 1AB", "line"),
        Step("address__list", "990000001014", "option"),
        Step("bin_type", "general", "option"),
        Step("due_date", DateParts(str(today.day), str(today.month), str(today.year)), "date"),
        Step("details", "The bin is by the side gate.", "area"),
        Step("contact_method", "email", "option"),
        Step("contact_email", "resident@example.org", "line"),
    ]


def journey_by_intents(kiosk: Kiosk, pages: int | None = None) -> None:
    """Start, choose the service, answer `pages` pages (all: reach check answers).

    Uses the terminal's intents (what the window's buttons call), with the event loop run
    between them as it would be between a resident's taps (old pages are deleteLater'd;
    paints happen).
    """
    window, app, terminal = kiosk.window, kiosk.app, kiosk.terminal
    terminal.start()
    settle(app, 1)
    terminal.choose_service(SERVICE)
    settle(app, 1)
    steps = missed_bin_answers(kiosk)
    for step in steps[:pages]:
        terminal.answer(step.page_id, step.raw)
        settle(app, 1)
        await_lookup(kiosk)
    expected = "check_answers" if pages is None or pages >= len(steps) else (
        f"question:{steps[pages].page_id}")
    if page_name(window) != expected:
        raise RuntimeError(f"journey went astray: on {page_name(window)}, expected {expected}")

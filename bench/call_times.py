"""Benchmark 18: talking to an advisor — the queue screen, the call connecting, the call
itself, and the kiosk's memory around it.

Everything is real: the hub process on 127.0.0.1 (`tests/hub_server.py`), the kiosk's real
window offscreen on the demo profile (its call queue that hub), its locked-down QtWebEngine
call view with Chromium's made-up camera and microphone, and the advisor console in Debian's
headless chromium driven by Playwright (`tests/browser.py`).

1. **Join → queue screen.** One resident's Join on the consent page: from just before the
   click, through the hub's POST /kiosk/v1/calls on the background thread and the answer
   back on the GUI thread, to the end of a synchronous repaint of "You are number 1 in the
   queue" (QtWebEngine not loaded: checked). Also Talk to an advisor → consent painted.
   Baseline, same run: a bare PySide6 window builds and repaints a page of the same labels
   and two buttons. Goal: ≤ 300 ms.
2. **Answer → both videos flowing.** From just before the advisor's click on "Answer next
   call" to the moment both sides' `getStats` show decoded video (≥ 320×240) and audio
   bytes: the kiosk's queue poll (every `poll_seconds`, 1 s by default) noticing the
   answer, QtWebEngine loading, the call page, signalling, ICE, the first frames. Goal ≤ 2 s.
3. **During a call** (`--call-seconds`, default 30): the frame rate and resolution each side
   decodes, sampled once a second (`getStats`, as mesh.js reports it). Both made-up cameras
   are set to 30 fps (Chromium's default, 20, would make a goal of ≥ 20 measure the camera).
4. **Memory**: the kiosk process's RSS and that of its QtWebEngine helper processes, before
   the first call, during it, after its teardown, and after a second call. A production
   screen restarts between sessions after a call (`ui/app.py` restart_after_a_call), so its
   next visit starts at the "before" figure; in-process figures are reported as measured.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchlib import Row, arguments, median, percentile, report, use_repo_imports
from kioskdrive import kiosk_offscreen, page_name, settle

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

GOAL_QUEUE_MS = 300.0
GOAL_CONNECT_S = 2.0
ADVISOR = "bench-advisor"
FAKE_CAMERA = "--use-fake-device-for-media-stream=fps=30"


def wait_until(app: QApplication, done: Any, seconds: float, what: str) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + seconds
    wake = QTimer()
    wake.start(20)
    try:
        while not done():
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}")
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    finally:
        wake.stop()


def tree_rss(pid: int) -> tuple[int, int]:
    """(RSS of `pid`, RSS of its QtWebEngine helper processes) in bytes, from /proc. Only
    helpers named QtWebEngineProcess count: the hub and the advisor's chromium are this
    benchmark's children too, and are not the kiosk's."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
            names[int(entry.name)] = (entry / "comm").read_text().strip()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[int(entry.name)] = int(line.split()[1]) * 1024
    children, frontier = set(), {pid}
    while frontier:
        found = {p for p, parent in parents.items() if parent in frontier} - children
        children |= found
        frontier = found
    helpers = [p for p in children if names.get(p, "").startswith("QtWebEngine")]
    return rss.get(pid, 0), sum(rss.get(p, 0) for p in helpers)


def queue_samples(kiosk: Any, samples: int, warmup: int) -> tuple[list[float], list[float]]:
    """(Talk → consent painted, Join → queue painted) in ms."""
    from PySide6.QtWidgets import QAbstractButton

    from ui.driving import touch, widget

    app, window, terminal = kiosk.app, kiosk.window, kiosk.terminal
    consent_ms: list[float] = []
    queue_ms: list[float] = []
    for n in range(warmup + samples):
        terminal.start()
        settle(app, 1)
        talk = widget(window, "talkToAdvisor")
        assert isinstance(talk, QAbstractButton)
        started = time.perf_counter()
        touch(window, talk)
        window.repaint()
        consent = time.perf_counter()
        assert page_name(window) == "call_consent", page_name(window)
        join = widget(window, "joinQueue")
        assert isinstance(join, QAbstractButton)
        settle(app, 1)
        started_join = time.perf_counter()
        touch(window, join)
        wait_until(app, lambda: terminal.calls.phase == "queued", 10, "the queue")
        settle(app, 1)
        window.repaint()
        ended = time.perf_counter()
        if n >= warmup:
            consent_ms.append((consent - started) * 1000)
            queue_ms.append((ended - started_join) * 1000)
        terminal.calls.leave_queue()
        terminal.start_again()
        settle(app)
    return consent_ms, queue_ms


def baseline_ms(app: QApplication, samples: int) -> list[float]:
    """A bare window builds a page of a heading, three lines and two buttons, and repaints."""
    from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

    host = QWidget()
    host.resize(1920, 1080)
    outer = QVBoxLayout(host)
    host.show()
    settle(app)
    times, old = [], None
    for _ in range(samples):
        started = time.perf_counter()
        page = QWidget()
        layout = QVBoxLayout(page)
        for text in ("Waiting for an advisor", "You are number 1 in the queue.",
                     "The wait is about 5 minutes.", "The screen will not time out."):
            layout.addWidget(QLabel(text))
        layout.addWidget(QPushButton("Leave the queue"))
        if old is not None:
            outer.removeWidget(old)
            old.deleteLater()
        outer.addWidget(page)
        old = page
        host.repaint()
        times.append((time.perf_counter() - started) * 1000)
    host.close()
    return times


def flowing(peers: list[Any], role: str) -> dict[str, Any] | None:
    for peer in peers:
        got = peer if isinstance(peer, dict) else vars(peer)
        if got["role"] == role and got["frames_decoded"] > 0 and got["width"] >= 320 \
                and got["height"] >= 240 and got["audio_bytes"] > 0:
            return got
    return None


def console_stats(console: Any) -> list[dict[str, Any]]:
    found = console.evaluate(
        "AdvisorConsole.state.mesh ? AdvisorConsole.state.mesh.stats() : {peers: []}")
    return list(found["peers"])


def one_call(kiosk: Any, console: Any, call_seconds: float) -> dict[str, Any]:
    """Queue, answer from the console, measure connect time and the call, end it."""
    from ui.driving import tap

    app, window, terminal = kiosk.app, kiosk.window, kiosk.terminal
    terminal.start()
    settle(app, 1)
    tap(window, "talkToAdvisor")
    tap(window, "joinQueue")
    wait_until(app, lambda: terminal.calls.phase == "queued", 10, "the queue")
    wait_until(app, lambda: console.locator("#queue-table tbody tr").count() >= 1, 20,
               "the console's queue")
    started = time.perf_counter()
    console.get_by_role("button", name="Answer next call").click()
    wait_until(app, lambda: page_name(window) == "call_live", 20, "the live call")
    view = window.page
    wait_until(app, lambda: flowing(view.last_stats, "advisor") is not None
               and flowing(console_stats(console), "kiosk") is not None, 30, "media both ways")
    connect_s = time.perf_counter() - started
    during = tree_rss(os.getpid())
    kiosk_fps, advisor_fps, sizes = [], [], []
    end = time.monotonic() + call_seconds
    while time.monotonic() < end:
        _pump(app, 1.0)
        mine = flowing(view.last_stats, "advisor")
        theirs = flowing(console_stats(console), "kiosk")
        if mine is not None:
            kiosk_fps.append(float(mine["fps"]))
            sizes.append((int(mine["width"]), int(mine["height"])))
        if theirs is not None:
            advisor_fps.append(float(theirs["fps"]))
            sizes.append((int(theirs["width"]), int(theirs["height"])))
    console.get_by_label("Resolved").check()
    console.get_by_role("button", name="End call").click()
    wait_until(app, lambda: page_name(window) == "call_over:ended", 20, "the call's end")
    terminal.start_again()
    settle(app)
    return {"connect_s": connect_s, "during": during, "kiosk_fps": kiosk_fps,
            "advisor_fps": advisor_fps, "sizes": sizes}


def _pump(app: QApplication, seconds: float) -> None:
    from PySide6.QtCore import QEventLoop

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--call-seconds", type=float, default=30.0)
    args = parser.parse_args()
    use_repo_imports()
    from tests.browser import running_chromium
    from tests.hub.calls_helpers import add_advisor
    from tests.hub.helpers import PASSWORD
    from tests.hub_server import running_hub
    from tests.ui.call_support import engine_environment

    # Chromium's made-up camera gives 20 fps unless told otherwise: at 20 a goal of ≥ 20
    # measures the source, not the call. 30 on both sides leaves the pipeline room to show.
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{FAKE_CAMERA}"
    samples, warmup = (3, 1) if args.quick else (40, 5)
    call_seconds = 5.0 if args.quick else args.call_seconds
    engine_environment()
    rows: list[Row] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-calls-") as tmp:
        scratch = Path(tmp)
        with running_hub(scratch) as hub:
            add_advisor(f"sqlite:///{scratch / 'hub.db'}", ADVISOR)
            lookups = {"type": "hub", "endpoint": hub.base_url + "/kiosk/v1",
                       "api_key": "demo-kiosk-key", "timeout_seconds": 5}
            with kiosk_offscreen(lookups=lookups) as kiosk:
                consent_ms, queue_ms = queue_samples(kiosk, samples, warmup)
                loaded = [m for m in sys.modules if m.startswith("PySide6.QtWebEngine")]
                notes.append("QtWebEngine loaded before any call: "
                             + (", ".join(loaded) if loaded else "no"))
                base = baseline_ms(kiosk.app, samples)
                rows += [
                    Row("call", "Talk to an advisor → consent painted, p95", percentile(consent_ms, 95),
                        "ms", percentile(base, 95)),
                    Row("call", "Join → queue screen painted (hub asked), median",
                        median(queue_ms), "ms", median(base)),
                    Row("call", "Join → queue screen painted (hub asked), p95",
                        percentile(queue_ms, 95), "ms", percentile(base, 95),
                        goal=f"≤ {GOAL_QUEUE_MS:g} ms",
                        met=percentile(queue_ms, 95) <= GOAL_QUEUE_MS),
                ]
                before = tree_rss(os.getpid())
                with running_chromium(scratch, (FAKE_CAMERA,)) as browser:
                    console = browser.new_page()
                    console.goto(hub.base_url + "/advisor")
                    console.fill("#name", ADVISOR)
                    console.fill("#password", PASSWORD)
                    console.keyboard.press("Enter")
                    console.wait_for_url(hub.base_url + "/advisor")
                    console.get_by_label("I am available to answer calls").check()
                    first = one_call(kiosk, console, call_seconds)
                    after = tree_rss(os.getpid())
                    second = one_call(kiosk, console, 3.0)
                    after_second = tree_rss(os.getpid())
    mib = 1024 * 1024
    sizes = first["sizes"]
    rows += [
        Row("call", "Answer → both videos flowing (first call in the process)",
            first["connect_s"], "s", goal=f"≤ {GOAL_CONNECT_S:g} s",
            met=first["connect_s"] <= GOAL_CONNECT_S),
        Row("call", "Answer → both videos flowing (second call)", second["connect_s"], "s",
            goal=f"≤ {GOAL_CONNECT_S:g} s", met=second["connect_s"] <= GOAL_CONNECT_S),
        Row("call", f"kiosk decodes the advisor, median fps over {call_seconds:g} s",
            statistics.median(first["kiosk_fps"]), "fps", goal="≥ 20",
            met=statistics.median(first["kiosk_fps"]) >= 20),
        Row("call", f"advisor decodes the kiosk, median fps over {call_seconds:g} s",
            statistics.median(first["advisor_fps"]), "fps", goal="≥ 20",
            met=statistics.median(first["advisor_fps"]) >= 20),
        Row("call", "smallest decoded picture, width", min(w for w, _ in sizes), "px",
            goal="≥ 320", met=min(w for w, _ in sizes) >= 320),
        Row("call", "smallest decoded picture, height", min(h for _, h in sizes), "px",
            goal="≥ 240", met=min(h for _, h in sizes) >= 240),
        Row("call", "kiosk RSS before the first call", before[0] / mib, "MiB"),
        Row("call", "kiosk RSS during the call", first["during"][0] / mib, "MiB"),
        Row("call", "  + QtWebEngine helper processes during the call",
            first["during"][1] / mib, "MiB"),
        Row("call", "kiosk RSS after the call's teardown", after[0] / mib, "MiB",
            before[0] / mib, goal="≤ 1.1× before (in process)",
            met=after[0] <= 1.1 * before[0]),
        Row("call", "  + QtWebEngine helper processes after the teardown", after[1] / mib, "MiB"),
        Row("call", "kiosk RSS after a second call", after_second[0] / mib, "MiB",
            after[0] / mib),
    ]
    notes.append(f"fps samples (kiosk side): {[round(f, 1) for f in first['kiosk_fps']]}")
    notes.append(f"fps samples (advisor side): {[round(f, 1) for f in first['advisor_fps']]}")
    notes.append("a production screen restarts between sessions after a call, so its next "
                 "visit starts at the 'before' figure")
    report(rows, args.json, notes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark 1: cold start to the first painted attract screen, against a bare PySide6 window.

Each run is a new Python process (`sys.executable bench/_cold_child.py ...`), timed from
`time.perf_counter()` in this process just before `subprocess.Popen` to the first frame the
child has finished painting (its own stamp: perf_counter is CLOCK_MONOTONIC, shared by
processes). The kiosk child does what `kiosk run` does: the start-up shell painted first from
the profile's remembered first frame (`kiosk.first_frame`), then the profile validated, the
catalogue, the outbox, the devices and the window built into it, then one tap on the attract
screen until the menu is painted. The baseline child shows a QApplication with one QWidget
holding one QLabel, at the same size. Runs alternate between the two (and which goes
first), after one discarded warm-up of each that also creates the outbox, its key and the
remembered first frame, as a device's state directory holds them at every start but the
first. The first start on a new profile (nothing remembered: validated before the first
frame) is measured separately, and so is headless Chromium screenshotting a static page of
the same size.

"Cold" means a new process; the OS page cache is warm for both, as on a kiosk that restarts.
Children compile to and read bytecode from a cache in the run's temporary directory (as an
installed device has .pyc files), and their TMPDIR is there too, so nothing is left behind.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import Row, arguments, median, offscreen_env, report, use_repo_imports

CHILD = Path(__file__).resolve().parent / "_cold_child.py"
GOAL_RATIO = 1.5


def one_run(args: list[str], env: dict[str, str]) -> tuple[float, dict[str, float]]:
    """Wall seconds from just before Popen to the PAINTED line, and the child's stamps."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, str(CHILD), *args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env, text=True)
    assert child.stdout is not None
    stamps: dict[str, float] | None = None
    for line in child.stdout:
        if line.startswith("PAINTED "):
            painted_at = time.perf_counter()
            stamps = json.loads(line[len("PAINTED "):])
            break
    _, err = child.communicate(timeout=60)
    if stamps is None or child.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed ({child.returncode}): {err.strip()[-2000:]}")
    relative = {k: v - started for k, v in stamps.items()}
    # The first frame, not the line's arrival: the kiosk goes on to build the rest and take
    # a first touch before it reports (perf_counter is CLOCK_MONOTONIC, shared by processes).
    return relative.get("first_frame", relative.get("painted", painted_at - started)), relative


CHROMIUM_PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;font:32px sans-serif;background:#fff;color:#0b0c0c}
header{background:#0b0c0c;color:#fff;padding:16px 32px}
main{padding:64px;text-align:center}button{font:40px sans-serif;padding:24px 64px}
</style></head><body><header>Demo Borough Council</header><main>
<h1>Welcome to Demo Borough Council</h1><p>Central Library</p>
<button>Touch the screen to start</button></main></body></html>"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_run(binary: str, page: Path, width: int, height: int, out: Path,
                 env: dict[str, str]) -> float:
    """Headless Chromium from start to a screenshot of a static kiosk-like page on disk."""
    started = time.perf_counter()
    subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", f"--window-size={width},{height}",
                    f"--user-data-dir={out.parent / 'chromium-profile'}",
                    f"--screenshot={out}", page.as_uri()],
                   env=env, capture_output=True, timeout=120, check=True)
    return time.perf_counter() - started


def phases(all_stamps: list[dict[str, float]], order: list[str]) -> str:
    """Median time at which each stage was reached, in ms from the parent's Popen."""
    parts = []
    for key in order:
        values = [s[key] for s in all_stamps if key in s]
        if values:
            parts.append(f"{key} {median(values) * 1000:.0f}")
    return ", ".join(parts)


def main() -> int:
    parser = arguments(__doc__ or "")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    runs = 2 if options.quick else options.runs
    use_repo_imports()
    from kiosk.profile import load_profile
    from tests.kiosk_fixtures import demo_profile_copy

    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        profile = demo_profile_copy(Path(tmp))
        display = load_profile(profile).profile.display
        state = Path(tmp) / "state"
        bare_args = ["bare", str(display.width_px), str(display.height_px)]
        kiosk_args = ["kiosk", str(profile), str(state)]
        env = offscreen_env(Path(tmp))
        one_run(bare_args, env)  # warm-ups: page cache, bytecode, the outbox and its key
        one_run(kiosk_args, env)
        bare_times: list[float] = []
        kiosk_times: list[float] = []
        bare_stamps: list[dict[str, float]] = []
        kiosk_stamps: list[dict[str, float]] = []
        for i in range(runs):
            pairs = [(bare_args, bare_times, bare_stamps), (kiosk_args, kiosk_times, kiosk_stamps)]
            for args, times, stamps in pairs if i % 2 == 0 else reversed(pairs):
                seconds, stamped = one_run(args, env)
                times.append(seconds)
                stamps.append(stamped)
        # A new profile from IT: nothing remembered, so it is validated before the first frame.
        new_profile_times: list[float] = []
        for _ in range(runs):
            (state / "first-frame.json").unlink(missing_ok=True)
            seconds, _stamped = one_run(kiosk_args, env)
            new_profile_times.append(seconds)
        chromium_times: list[float] = []
        binary = chromium()
        if binary is not None:
            page = Path(tmp) / "attract.html"
            page.write_text(CHROMIUM_PAGE, encoding="utf-8")
            shot = Path(tmp) / "attract.png"
            chromium_run(binary, page, display.width_px, display.height_px, shot, env)  # warm-up
            chromium_times = [chromium_run(binary, page, display.width_px, display.height_px,
                                           shot, env) for _ in range(runs)]

    kiosk_ms, bare_ms = median(kiosk_times) * 1000, median(bare_times) * 1000
    rows = [Row("cold start", f"to first painted attract screen, median of {runs}", kiosk_ms,
                "ms", bare_ms, goal=f"≤ {GOAL_RATIO}× baseline",
                met=kiosk_ms <= GOAL_RATIO * bare_ms,
                note="baseline: QApplication + QWidget + QLabel shown, same size")]
    if chromium_times:
        chromium_ms = median(chromium_times) * 1000
        rows.append(Row("cold start", "to first painted attract screen vs headless Chromium",
                        kiosk_ms, "ms", chromium_ms, goal="≤ 0.5× baseline",
                        met=kiosk_ms <= 0.5 * chromium_ms,
                        note="baseline: chromium --headless --screenshot of a static page, "
                             "same size"))
    new_ms = median(new_profile_times) * 1000
    rows.append(Row("cold start", "first frame on a new profile (validated before it), median",
                    new_ms, "ms", bare_ms, goal="—", met=None,
                    note="first start after IT changes the profile; later starts use the "
                         "remembered first frame"))
    ready = [s["ready"] - s["first_frame"] for s in kiosk_stamps if "ready" in s]
    touch = [s["menu_painted"] - s["touched"] for s in kiosk_stamps if "menu_painted" in s]
    if ready:
        rows.append(Row("cold start", "first frame → kiosk ready (loaded after), median",
                        median(ready) * 1000, "ms", None, goal="—", met=None))
    if touch:
        touch_ms = median(touch) * 1000
        rows.append(Row("cold start", "first touch → menu painted, median", touch_ms, "ms", None,
                        goal="≤ 100 ms", met=touch_ms <= 100))
    notes = [
        "runs (ms): kiosk " + ", ".join(f"{t * 1000:.0f}" for t in kiosk_times)
        + "; bare " + ", ".join(f"{t * 1000:.0f}" for t in bare_times),
        "kiosk stages, median ms from Popen: " + phases(
            kiosk_stamps, ["main", "imported", "profile", "shown", "paint_start", "first_frame",
                           "ready", "touched", "menu_painted"]),
        "bare stages, median ms from Popen: " + phases(
            bare_stamps, ["main", "imported", "built", "shown", "paint_start", "painted"]),
    ]
    report(rows, options.json, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Touch targets are sized for the screen the kiosk is on, not the one the profile names:
a profile written for a 1920×1080 panel still shows the start button on a smaller screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from accessibility.themes import make_theme
from tests.kiosk_fixtures import demo_profile_copy
from tests.ui.x11_screen import ROOT, Xvfb, require_x_tools
from ui.qt_app import choose_panel


def test_the_real_screen_wins_offscreen_the_profile_stands_in() -> None:
    assert choose_panel("xcb", (1280, 720), (1920, 1080)) == (1280, 720)
    assert choose_panel("wayland", (1280, 720), (1920, 1080)) == (1280, 720)
    assert choose_panel("offscreen", (800, 600), (1920, 1080)) == (1920, 1080)
    assert choose_panel("xcb", None, (1920, 1080)) == (1920, 1080)
    assert choose_panel("xcb", (0, 0), (1920, 1080)) == (1920, 1080)


def test_on_a_smaller_real_screen_the_start_button_is_above_the_fold(tmp_path: Path) -> None:
    require_x_tools()
    profile = demo_profile_copy(tmp_path, display={"diagonal_inches": 21.5, "width_px": 3840,
                                                   "height_px": 2160})
    xvfb = Xvfb(tmp_path)
    try:
        env = {**os.environ, "DISPLAY": xvfb.display, "QT_QPA_PLATFORM": "xcb",
               "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-m", "tests.ui.panel_probe", str(profile)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=90,
                              check=False)
    finally:
        xvfb.stop()
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["window"] == seen["screen"]
    assert seen["start_visible"]
    assert seen["start_bottom"] <= seen["window"][1], seen
    # 20 mm targets on the screen's own pixels, at the profile's diagonal: not the 4K
    # profile's pixels, which would make every target far too large for this screen.
    width, height = seen["screen"]
    assert seen["target_px"] == make_theme("standard", "standard", width, height, 21.5).target_px
    assert seen["target_px"] < make_theme("standard", "standard", 3840, 2160, 21.5).target_px

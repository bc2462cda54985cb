"""What only a fresh process shows: no remote debugging whatever the environment asks, and
what a call view costs the first time and after (tests/ui/call_process_probe.py)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(*args: str) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("QTWEBENGINE_CHROMIUM_FLAGS", None)
    done = subprocess.run([sys.executable, "-m", "tests.ui.call_process_probe", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_remote_debugging_never_listens():
    by_variable, by_switch = _free_port(), _free_port()
    # The controls: a plain web page in the same conditions opens each port, so the check
    # below can see a debugging server.
    assert _run("debugging", "control", str(by_variable), "0")["listening"] == [by_variable]
    assert _run("debugging", "control", "0", str(by_switch))["listening"] == [by_switch]
    ours = _run("debugging", "ours", str(by_variable), str(by_switch))
    assert ours["loaded"]
    assert ours["listening"] == []
    assert ours["variable"] is None
    assert ours["flags"] == "--use-fake-device-for-media-stream"
    assert ours["teardown"] == []


def test_what_a_call_view_costs():
    """Figures for docs/benchmarks.md; the bounds only catch a leak or a hang."""
    result = _run("measure")
    print("call view:", json.dumps(result))
    first, *later = result["open_seconds"]
    assert first < 30
    assert max(later) < 30
    assert result["folders_left"] == []
    grown = (result["after_three_more"]["with_helpers_mb"]
             - result["after_first"]["with_helpers_mb"])
    assert grown < 60, f"three more calls kept {grown:.0f} MB"

"""QtWebEngine is loaded only when a call starts (issue 12: "start-up time and memory are
unaffected"). Checked in a fresh interpreter, since this test process may have loaded it
for another test already."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import importlib, json, pkgutil, sys
import ui
# The live call page is the one module outside ui/call allowed to bring it: ui.pages.call
# imports it only when an advisor answers (test_the_live_page_is_imported_only_on_answer).
names = sorted(m.name for m in pkgutil.walk_packages(ui.__path__, "ui.")
               if not m.name.startswith("ui.call.") and m.name != "ui.pages.call_live")
loaded = {}
for name in ["ui.boot", "ui.app", *names]:
    importlib.import_module(name)
    heavy = sorted(m for m in sys.modules if m.startswith(("PySide6.QtWebEngine", "PySide6.QtWebChannel")))
    if heavy:
        loaded[name] = heavy
        break
for name in sys.argv[1:]:
    importlib.import_module(name)
after = sorted(m for m in sys.modules if m.startswith("PySide6.QtWebEngine"))
print(json.dumps({"modules": len(names), "loaded": loaded, "after": after}))
"""


def _probe(*last: str) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", _PROBE, *last], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_no_ui_module_outside_ui_call_loads_qtwebengine():
    result = _probe("ui.call", "ui.call.chromium_env", "ui.call.policy")
    assert result["modules"] > 30  # every ui module was imported, pages and staff included
    assert result["loaded"] == {}, f"imported at start-up: {result['loaded']}"
    assert result["after"] == []  # nor the call package's own light parts


def test_the_call_view_module_is_what_loads_it():
    """The check above can see QtWebEngine arrive: importing the call view brings it."""
    assert "PySide6.QtWebEngineWidgets" in _probe("ui.call.view")["after"]


def test_the_live_page_is_imported_only_on_answer():
    """Every module that names the live call page imports it inside a function."""
    for path in (ROOT / "ui").rglob("*.py"):
        if path.name == "call_live.py" or "call" in path.parent.name:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "ui.pages.call_live" in line and line.startswith(("import", "from")):
                raise AssertionError(f"{path}:{number} imports the live call page at load")

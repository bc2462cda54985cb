"""Runs in a fresh process for tests/ui/test_call_view_process.py: what only a whole process
shows (the web engine starts once per process).

    python -m tests.ui.call_process_probe debugging ours|control PORT_ENV PORT_FLAG
    python -m tests.ui.call_process_probe measure

Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

from tests.ui.call_support import ECHO_TEMPLATE, MESH_STUB, engine_environment


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _wait(app, condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        app.processEvents()
        time.sleep(0.01)
    return condition()


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return found


def _memory() -> dict[str, float]:
    own = _rss_kib(os.getpid())
    helpers = _descendants(os.getpid())
    return {"main_mb": round(own / 1024, 1),
            "with_helpers_mb": round((own + sum(map(_rss_kib, helpers))) / 1024, 1),
            "helpers": len(helpers)}


def _open_call(app, folder: Path, call_id: str):
    from ui.call.page_html import CallConfig
    from ui.call.view import CallView

    view = CallView("http://127.0.0.1:9", fake_media=True, storage_parent=folder)
    view.resize(640, 480)
    view.show()
    welcomed: list[str] = []
    view.events.welcome.connect(welcomed.append)
    view.start(CallConfig(view.hub, call_id, "token"), template=ECHO_TEMPLATE, mesh=MESH_STUB)
    assert _wait(app, lambda: bool(welcomed)), "the call page never reported"
    return view


def debugging(mode: str, port_env: int, port_flag: int) -> dict[str, object]:
    """Ask for remote debugging both ways Qt knows (0: not that way); `ours` opens a call
    view, `control` a plain web page, to show the ports would otherwise listen."""
    if port_env:
        os.environ["QTWEBENGINE_REMOTE_DEBUGGING"] = f"127.0.0.1:{port_env}"
    if port_flag:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"--remote-debugging-port={port_flag}"
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    folder = Path(tempfile.mkdtemp())
    if mode == "ours":
        view = _open_call(app, folder, "call-1")
        loaded = True
    else:
        from PySide6.QtCore import QUrl
        from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile

        profile = QWebEngineProfile()
        page = QWebEnginePage(profile)
        done: list[bool] = []
        page.loadFinished.connect(done.append)
        page.setHtml("<p>control</p>", QUrl("http://127.0.0.1:9/"))
        loaded = _wait(app, lambda: bool(done))
    # A debugging server, if any, listens by the time the first page has loaded.
    result = {"loaded": loaded, "listening": [p for p in (port_env, port_flag) if p and _listening(p)],
              "flags": os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS"),
              "variable": os.environ.get("QTWEBENGINE_REMOTE_DEBUGGING")}
    if mode == "ours":
        result["teardown"] = view.teardown()
    return result


def measure() -> dict[str, object]:
    """Open and tear down four calls in one process: how long each took to show its page,
    and the memory (this process, and with Chromium's helper processes) along the way."""
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    folder = Path(tempfile.mkdtemp())
    result: dict[str, object] = {"before": _memory()}
    timings = []
    for index in range(4):
        started = time.perf_counter()
        view = _open_call(app, folder, f"call-{index}")
        timings.append(round(time.perf_counter() - started, 3))
        during = _memory()
        problems = view.teardown()
        assert problems == [], problems
        view.deleteLater()
        # The page's renderer process goes shortly after its page: wait for it to.
        _wait(app, lambda busy=during["helpers"]: len(_descendants(os.getpid())) < busy, 5.0)
        if index == 0:
            result["first_call"] = during
            result["after_first"] = _memory()
    result["after_three_more"] = _memory()
    result["open_seconds"] = timings
    result["folders_left"] = sorted(p.name for p in folder.iterdir())
    return result


def main() -> None:
    engine_environment()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if sys.argv[1] == "debugging":
        out = debugging(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        out = measure()
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()

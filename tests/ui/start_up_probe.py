"""`kiosk run`'s start-up path (the shell painted first, the kiosk built into it, SIGTERM
handled) in a process of its own, offscreen, for tests that must end or crash the app:
quitting leaves a QApplication that no longer activates windows, so never in pytest's.

    python -m tests.ui.start_up_probe STATE_DIR [ACTION]

Prints `KIOSK-IN` once the kiosk is built, then does ACTION:
  (none)      wait (for SIGTERM, say)
  quit-chord  press the demo's Ctrl+Shift+Q on the window
  crash-twice raise in two slots in a row (the second while recovering from the first)
The exit status is what `kiosk run` would return.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest

    from kiosk.cli import _start_failed
    from kiosk.first_frame import FirstFrame
    from kiosk.profile import load_device_profile
    from tests.kiosk_fixtures import demo_profile_copy
    from ui.app import build_into
    from ui.boot import BootShell, Started, run_painted_first

    state_dir = Path(argv[0])
    action = argv[1] if len(argv) > 1 else ""
    state_dir.mkdir(parents=True, exist_ok=True)
    profile = demo_profile_copy(state_dir.parent, printer="fake")
    device = load_device_profile(profile)

    def boom() -> None:
        raise RuntimeError("a slot failed")

    def act(shell: BootShell) -> None:
        if action == "quit-chord":
            shell.activateWindow()
            QTest.keyClick(shell.windowHandle(), Qt.Key.Key_Q,
                           Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        elif action == "crash-twice":
            QTimer.singleShot(0, boom)
            QTimer.singleShot(0, boom)

    def finish(shell: BootShell) -> Started:
        kiosk = build_into(shell, profile, device, state_dir)
        print("KIOSK-IN", flush=True)
        QTimer.singleShot(50, lambda: act(shell))
        return kiosk

    return run_painted_first(FirstFrame.of(device), finish, _start_failed)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

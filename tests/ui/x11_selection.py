"""Another X client's side of the PRIMARY selection, for tests/ui/test_x11_lockdown.py.

    python -m tests.ui.x11_selection own TEXT   owns PRIMARY with TEXT, says OWNED, waits
    python -m tests.ui.x11_selection read       says PRIMARY <json text> ("" if nobody owns it)
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    from PySide6.QtGui import QClipboard
    from PySide6.QtWidgets import QApplication

    app = QApplication(["x11-selection"])
    clipboard = app.clipboard()
    if argv[0] == "own":
        clipboard.setText(argv[1], QClipboard.Mode.Selection)
        print("OWNED", flush=True)
        return app.exec()  # until the test stops it
    print("PRIMARY " + json.dumps(clipboard.text(QClipboard.Mode.Selection)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

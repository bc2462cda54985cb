"""Benchmark: theme and text-size switch time, from the resident's choice to the page
repainted in the new look (goal ≤ 100 ms).

On the bin-type question page, `terminal.set_preferences()` is called with the next text size
or colour scheme in a cycle, then `window.repaint()` runs synchronously; the time of both is
one sample (the window rebuilds its chrome and the page, keeping the answers). Baseline in
the same run: a bare QWidget with a heading, four radio buttons and a button, restyled with
`QApplication.setStyleSheet()` to the same sheets and repainted.
"""

from __future__ import annotations

import sys
import time

from benchlib import Row, arguments, percentile, report, use_repo_imports
from kioskdrive import kiosk_offscreen, settle

GOAL_MS = 100.0


def main() -> int:
    parser = arguments(__doc__ or "")
    parser.add_argument("--switches", type=int, default=60)
    options = parser.parse_args()
    switches = 6 if options.quick else options.switches
    use_repo_imports()
    from PySide6.QtWidgets import (
        QApplication,
        QLabel,
        QPushButton,
        QRadioButton,
        QVBoxLayout,
        QWidget,
    )

    from accessibility.themes import make_theme, style_sheet
    from kiosk.preferences import COLOURS, TEXT_SIZES

    looks = [(c, s) for c in COLOURS for s in TEXT_SIZES]
    samples: list[float] = []
    baseline: list[float] = []
    with kiosk_offscreen() as kiosk:
        window, app, terminal = kiosk.window, kiosk.app, kiosk.terminal
        terminal.start()
        terminal.choose_service("missed-bin")
        settle(app)
        for i in range(switches + 1):
            colours, size = looks[(i + 1) % len(looks)]
            started = time.perf_counter()
            terminal.set_preferences(terminal.prefs.with_(colours=colours, text_size=size))
            window.repaint()
            elapsed = (time.perf_counter() - started) * 1000
            settle(app)
            if i:
                samples.append(elapsed)
        bare = QWidget()
        layout = QVBoxLayout(bare)
        layout.addWidget(QLabel("Which bin was not collected?"))
        for text in ("General rubbish", "Recycling", "Food waste", "Garden waste"):
            layout.addWidget(QRadioButton(text))
        layout.addWidget(QPushButton("Continue"))
        bare.resize(1920, 1080)
        bare.show()
        settle(app)
        sheets = [style_sheet(make_theme(c, s)) for c, s in looks]
        for i in range(switches + 1):
            started = time.perf_counter()
            QApplication.instance().setStyleSheet(sheets[(i + 1) % len(sheets)])  # type: ignore[union-attr]
            bare.repaint()
            elapsed = (time.perf_counter() - started) * 1000
            settle(app)
            if i:
                baseline.append(elapsed)
        bare.close()
    p50, p95 = percentile(samples, 50), percentile(samples, 95)
    rows = [
        Row("theme/size switch", f"p50 over {len(samples)} switches", p50, "ms",
            baseline=percentile(baseline, 50)),
        Row("theme/size switch", f"p95 over {len(samples)} switches", p95, "ms",
            baseline=percentile(baseline, 95), goal=f"≤ {GOAL_MS:.0f} ms", met=p95 <= GOAL_MS),
    ]
    report(rows, options.json, [f"max {max(samples):.1f} ms"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: receipt build, from the receipt model to the ESC/POS bytes including the QR code,
against a bare python-escpos job of the same text and QR measured in the same run.

The kiosk side: `kiosk.receipt.receipt_document` (the neutral document, in the session's
language) then `peripherals.printer.escpos_render.render_escpos` for an 80 mm TM-T88V roll,
once with a raster QR (`GS v 0`, the picture of the code: most cheap printers) and once with
a native QR (`GS ( k`, the printer draws it). This is what runs on the worker thread between
"Send" and the bytes leaving for the printer.

The baseline: python-escpos's `Dummy` printer on the same profile, fed the same lines with
`text()` and the same payload with `qr(native=...)`, then `cut()`: the library alone, with
nothing of ours around it. Each sample builds one receipt for a new reference; p50 and p95
over 300, after 10 warm-up builds.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from typing import Any

from benchlib import Row, arguments, percentile, report, use_repo_imports

GOAL_P95_MS = 30.0


def main() -> int:
    parser = arguments(__doc__ or "")
    parser.add_argument("--count", type=int, default=300)
    options = parser.parse_args()
    count = 30 if options.quick else options.count
    use_repo_imports()
    from escpos.printer import Dummy

    from accessibility.languages import Translator
    from kiosk.receipt import Receipt, receipt_document
    from kiosk.reference import new_reference
    from peripherals.printer.base import PaperSpec
    from peripherals.printer.escpos_render import render_escpos
    from peripherals.receipt_document import QRBlock, TextBlock

    texts = Translator("en")
    papers = {mode: PaperSpec(80, 48, 576, "TM-T88V", mode) for mode in ("raster", "native")}

    def receipt(reference: str) -> Receipt:
        return Receipt(
            council_name="Demo Borough Council", site_name="Central Library",
            service_title="Report a missed bin collection", reference=reference,
            created=datetime(2026, 11, 23, 10, 30, tzinfo=UTC),
            next_steps="We will collect your bin within 2 working days.",
            status_url=f"http://127.0.0.1:8311/status/{reference}",
            contact_line="Questions? Call 01632 960 000, Monday to Friday, 9am to 5pm.")

    def bare(doc: Any, native: bool) -> bytes:
        printer = Dummy(profile="TM-T88V")
        for block in doc.blocks:
            if isinstance(block, TextBlock):
                printer.text(block.text + "\n")
            elif isinstance(block, QRBlock):
                printer.qr(block.payload, native=native, size=6)
        printer.cut()
        return bytes(printer.output)

    ours: dict[str, list[float]] = {"raster": [], "native": []}
    base: dict[str, list[float]] = {"raster": [], "native": []}
    sizes: dict[str, int] = {}
    for i in range(count + 10):
        reference = new_reference()
        for mode, paper in papers.items():
            started = time.perf_counter()
            doc = receipt_document(receipt(reference), texts)
            job = render_escpos(doc, paper)
            built = time.perf_counter()
            bare(doc, mode == "native")
            done = time.perf_counter()
            sizes[mode] = len(job)
            if i >= 10:
                ours[mode].append((built - started) * 1000)
                base[mode].append((done - built) * 1000)

    rows = []
    for mode in ("raster", "native"):
        p95 = percentile(ours[mode], 95)
        rows.append(Row("receipt build", f"{mode} QR, p50 over {count}", percentile(ours[mode], 50),
                        "ms", percentile(base[mode], 50)))
        rows.append(Row("receipt build", f"{mode} QR, p95 over {count}", p95, "ms",
                        percentile(base[mode], 95), goal=f"≤ {GOAL_P95_MS:.0f} ms",
                        met=p95 <= GOAL_P95_MS))
    notes = [
        "baseline: python-escpos Dummy(profile='TM-T88V'), the same lines via text() and the "
        "same payload via qr(), then cut(), built right after ours",
        f"job sizes: raster {sizes['raster']} bytes, native {sizes['native']} bytes",
    ]
    report(rows, options.json, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())

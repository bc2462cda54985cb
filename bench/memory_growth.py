"""Benchmark 4: memory growth over 10,000 scripted sessions.

One process runs the real kiosk window offscreen on the demo profile, with the hub
unreachable (http://127.0.0.1:9) and the relay not started. Each session, through the
window's intents with the event loop run dry between them (so pages are painted and
deleteLater'd as between real taps): start, choose "Report a missed bin collection", answer
the first three pages (bin, postcode, house number), then "start again", which ends the
session and wipes it on the next turn of the loop. Nothing is submitted: a submission would
print a receipt file and grow the outbox, which is disk, not this process's memory.

The figure is VmRSS (from /proc/self/status, after `gc.collect()`) after 10,000 sessions;
the baseline is VmRSS after the first 10, and the goal is on the difference. RSS at
intermediate points shows whether growth levels off (allocator warm-up) or keeps climbing
(a leak). The notes add what RSS cannot tell apart: glibc's heap in use (`mallinfo2`, Qt's
C++ allocations included, which tracemalloc cannot see), Python objects tracked by gc, live
widgets, and weak references to the terminal (PySide6 keeps one per connection to a bound
method of a non-QObject, never freed: the first leak found this way).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
import time
import weakref

from benchlib import MIB, Row, arguments, report, rss_bytes, use_repo_imports
from kioskdrive import back_to_attract, journey_by_intents, kiosk_offscreen

GOAL_MIB = 2.0
PAGES_ANSWERED = 3


def reading() -> int:
    gc.collect()
    return rss_bytes()


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def heap_in_use() -> int | None:
    """Bytes malloc has handed out and not had back (glibc only; None elsewhere)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallinfo2.restype = _MallInfo2
        return int(libc.mallinfo2().uordblks)
    except (OSError, AttributeError):
        return None


def main() -> int:
    parser = arguments(__doc__ or "")
    parser.add_argument("--sessions", type=int, default=10_000)
    options = parser.parse_args()
    total = 60 if options.quick else options.sessions
    first = 10
    checkpoints = sorted({first, *(round(total * f) for f in (0.02, 0.1, 0.25, 0.5, 0.75)), total})
    use_repo_imports()
    from PySide6.QtWidgets import QApplication

    curve: dict[int, int] = {}
    objects: dict[int, int] = {}
    widgets: dict[int, int] = {}
    heap: dict[int, int | None] = {}
    weakrefs: dict[int, int] = {}
    started = time.perf_counter()
    with kiosk_offscreen() as kiosk:
        for n in range(1, total + 1):
            journey_by_intents(kiosk, PAGES_ANSWERED)
            back_to_attract(kiosk)
            if n in checkpoints:
                curve[n] = reading()
                objects[n] = len(gc.get_objects())
                widgets[n] = len(QApplication.allWidgets())
                heap[n] = heap_in_use()
                weakrefs[n] = weakref.getweakrefcount(kiosk.terminal)
    seconds = time.perf_counter() - started

    growth = (curve[total] - curve[first]) / MIB
    rows = [Row("memory growth", f"RSS after {total} sessions (growth {growth:.2f} MiB)",
                curve[total] / MIB, "MiB", curve[first] / MIB,
                goal=f"≤ baseline + {GOAL_MIB:.0f} MiB", met=growth <= GOAL_MIB,
                note=f"baseline: RSS after the first {first} sessions")]
    later = [n for n in checkpoints if n >= total // 2]
    per_100 = ((curve[later[-1]] - curve[later[0]]) / MIB / (later[-1] - later[0]) * 100
               if len(later) > 1 and later[-1] > later[0] else 0.0)
    notes = [
        "sessions were not submitted (hub unreachable, relay off); "
        f"{PAGES_ANSWERED} pages answered per session",
        "RSS curve (MiB): " + ", ".join(f"{n}: {v / MIB:.1f}" for n, v in curve.items()),
        f"growth over the second half: {per_100:.3f} MiB per 100 sessions",
        f"Python objects tracked by gc: {objects[first]} after {first} sessions, "
        f"{objects[total]} after {total} ({(objects[total] - objects[first]) / (total - first):.1f}"
        " more per session)",
        f"widgets alive: {widgets[first]} after {first} sessions, {widgets[total]} after {total}; "
        f"weak references to the terminal: {weakrefs[first]}, then {weakrefs[total]}; "
        f"{total} sessions took {seconds:.0f} s",
    ]
    if all(v is not None for v in heap.values()):
        notes.insert(2, "malloc heap in use (MiB): " + ", ".join(
            f"{n}: {v / MIB:.2f}" for n, v in heap.items() if v is not None))
    report(rows, options.json, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())

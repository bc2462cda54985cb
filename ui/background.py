"""Background work with results on the GUI thread (Anki's CollectionOp shape).

One serial worker: outbox writes, delivery and printing happen one at a time, in order,
and never block the screen. Callbacks run on the GUI thread via a queued signal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot


class Background(QObject):
    _finished = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-bg")
        self._finished.connect(self._deliver)
        self._busy = 0
        self.idle = threading.Event()
        self.idle.set()

    def run(self, work: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None]) -> None:
        """Run `work` off the GUI thread; exactly one of the callbacks runs on the GUI thread."""
        self._busy += 1
        self.idle.clear()
        future = self._pool.submit(work)
        future.add_done_callback(lambda f: self._finished.emit((f, on_done, on_error)))

    @Slot(object)
    def _deliver(self, packet: tuple[Future[Any], Callable[[Any], None],
                                     Callable[[BaseException], None]]) -> None:
        future, on_done, on_error = packet
        self._busy -= 1
        if self._busy == 0:
            self.idle.set()
        error = future.exception()
        if error is not None:
            on_error(error)
        else:
            on_done(future.result())

    @property
    def busy(self) -> bool:
        return self._busy > 0

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)

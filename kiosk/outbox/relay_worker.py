"""Runs a relay on a daemon thread: a pass every interval, or at once when kicked."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import ExitStack

from kiosk.outbox.relay import Outcome, Relay

logger = logging.getLogger(__name__)


class RelayWorker:
    """Runs a relay on a daemon thread: every interval, or at once when kicked."""

    def __init__(self, relay: Relay, interval_seconds: float = 30.0,
                 on_pass: Callable[[list[Outcome]], None] | None = None) -> None:
        self._relay = relay
        self._interval = interval_seconds
        self._on_pass = on_pass
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._held = ExitStack()

    def start(self) -> None:
        """Take the relay lock (RelayBusy if another relay has it), then start delivering."""
        if self._thread is not None:
            raise RuntimeError("relay worker already started")
        self._held.enter_context(self._relay.exclusive())
        self._stop.clear()
        self._wake.set()  # first pass at once: rows may have waited through a restart
        thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        try:
            thread.start()
        except BaseException:
            self._held.close()
            raise
        self._thread = thread

    def kick(self) -> None:
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        """Stop and join the thread, then release the lock; TimeoutError if it won't end."""
        thread = self._thread
        if thread is None:
            return
        self._stop.set()
        self._wake.set()
        thread.join(timeout)
        if thread.is_alive():
            raise TimeoutError("relay thread is still delivering; call stop() again")
        self._thread = None
        self._held.close()

    def _run(self) -> None:
        while True:
            self._wake.wait(self._interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                outcomes = self._relay.deliver_due()
                if self._on_pass is not None:
                    self._on_pass(outcomes)
            except Exception as exc:  # noqa: BLE001 - the next pass may succeed
                logger.error("relay pass failed: %s", type(exc).__name__)

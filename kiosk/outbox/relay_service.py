"""The relay as a service: its worker thread and its socket, started and stopped together.

`kiosk relay` runs this for its whole life; a demo kiosk runs the same thing in-process, so
the screen asks through the socket either way and its code path never differs.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kiosk.outbox.relay import Relay
from kiosk.outbox.relay_ipc import RelayServer
from kiosk.outbox.relay_worker import RelayWorker

logger = logging.getLogger(__name__)


class RelayService:
    def __init__(self, relay: Relay, socket_path: Path, interval_seconds: float = 30.0) -> None:
        self.relay = relay
        self.worker = RelayWorker(relay, interval_seconds)
        self.server = RelayServer(socket_path, relay, kick=self.worker.kick)

    def start(self) -> None:
        """Take the relay lock (RelayBusy if another relay has it), then open the socket:
        holding the lock first means any socket file already there is a dead relay's."""
        self.worker.start()
        try:
            self.server.start()
        except BaseException:
            self.worker.stop(10.0)
            raise

    def stop(self, timeout: float = 10.0) -> None:
        """Close the socket first (no new requests), then finish the pass in flight."""
        try:
            self.server.stop(timeout)
        finally:
            self.worker.stop(timeout)

"""The relay as a service: its worker thread, its socket and (when the profile asks for
them) its heartbeats, started and stopped together.

`kiosk relay` runs this for its whole life; a demo kiosk runs the same thing in-process, so
the screen asks through the socket either way and its code path never differs.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from kiosk.outbox.relay import Outcome, Relay
from kiosk.outbox.relay_ipc import RelayServer
from kiosk.outbox.relay_worker import RelayWorker
from kiosk.outbox.retention import Retention

logger = logging.getLogger(__name__)


class Heartbeat(Protocol):
    """`kiosk.heartbeat_sender.HeartbeatSender`: a loop of its own, started after the relay."""

    def start(self) -> None: ...

    def stop(self, timeout: float | None = None) -> None: ...


class Reporter(Protocol):
    """`kiosk.outbox.reference_reports.ReferenceReporter`: after each pass, tells the hub
    where requests delivered elsewhere went."""

    def after_pass(self, outcomes: object = None) -> None: ...

    def close(self) -> None: ...


class RelayService:
    def __init__(self, relay: Relay, socket_path: Path, interval_seconds: float = 30.0,
                 heartbeat: Heartbeat | None = None, *,
                 retention_days: int | None = None, reporter: Reporter | None = None,
                 usage: Heartbeat | None = None) -> None:
        """With `retention_days`, undelivered rows older than that are expired after passes
        (`kiosk.outbox.retention`); with `heartbeat`, the terminal beats to the hub; with
        `reporter`, the hub hears where third-party deliveries went."""
        self.relay = relay
        self.retention = (Retention(relay.outbox, retention_days)
                          if retention_days is not None else None)
        self.reporter = reporter
        hooks = [hook for hook in (self.retention.after_pass if self.retention else None,
                                   reporter.after_pass if reporter else None) if hook]

        def after_pass(outcomes: list[Outcome]) -> None:
            for hook in hooks:
                hook(outcomes)

        self.worker = RelayWorker(relay, interval_seconds, after_pass if hooks else None)
        self.server = RelayServer(socket_path, relay, kick=self.worker.kick)
        self.heartbeat = heartbeat
        # kiosk.usage_sender.UsageSender: usage events to the hub, a loop of its own too.
        self.usage = usage

    def start(self) -> None:
        """Take the relay lock (RelayBusy if another relay has it), then open the socket:
        holding the lock first means any socket file already there is a dead relay's.

        Retention runs first: a report older than the limit is expired, never sent late by
        the first pass after a long outage."""
        if self.retention is not None:
            self.retention.run()
        self.worker.start()
        try:
            self.server.start()
        except BaseException:
            self.worker.stop(10.0)
            raise
        if self.heartbeat is not None:
            self.heartbeat.start()
        if self.usage is not None:
            self.usage.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Close the socket first (no new requests), then finish the pass in flight."""
        try:
            if self.heartbeat is not None:
                self.heartbeat.stop(timeout)
            if self.usage is not None:
                self.usage.stop(timeout)
        finally:
            try:
                self.server.stop(timeout)
            finally:
                self.worker.stop(timeout)
                if self.reporter is not None:
                    self.reporter.close()

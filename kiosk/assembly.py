"""Build the long-lived parts of a kiosk from a profile: outbox, relay, printer, texts.

Qt-free, so headless tests, the relay process and the UI's composition root assemble the
kiosk the same way. Everything opened here is closed by `Assembly.close()`.
"""

from __future__ import annotations

import logging
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from accessibility.languages import Translator
from kiosk.clock import Clock, SystemClock
from kiosk.outbox import Outbox, Relay, RelayWorker, load_or_create_key, senders_from_profile
from kiosk.profile import LoadedProfile
from kiosk.profile import Printer as PrinterSettings
from kiosk.resident import KioskParts
from peripherals.printer import make_printer
from peripherals.printer.base import PaperSpec, ReceiptPrinter

log = logging.getLogger(__name__)


def paper_spec(settings: PrinterSettings) -> PaperSpec:
    """Roll geometry at 203 dpi: 48/32 columns of font A, 576/384 dots of raster."""
    wide = settings.paper_width_mm == 80
    return PaperSpec(
        width_mm=settings.paper_width_mm,
        chars_per_line=48 if wide else 32,
        raster_width_dots=576 if wide else 384,
        profile=settings.escpos_profile,
        qr_mode=settings.qr,
    )


@dataclass
class Assembly:
    loaded: LoadedProfile
    parts: KioskParts
    outbox: Outbox
    relay: Relay
    printer: ReceiptPrinter
    worker: RelayWorker | None = None
    _closed: bool = field(default=False, repr=False)

    def start_relay(self, interval_seconds: float = 30.0) -> None:
        """The in-process relay (demo, tests). Production runs `kiosk relay` on its own."""
        self.worker = RelayWorker(self.relay, interval_seconds)
        self.worker.start()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.worker is not None:
            self.worker.stop(10.0)
        self.printer.close()
        self.outbox.close()


def assemble(loaded: LoadedProfile, state_dir: Path, *, clock: Clock | None = None,
             texts: Translator | None = None, deliver_immediately: bool = True) -> Assembly:
    """Open the outbox (creating its key), pick the printer, wire the immediate delivery."""
    clock = clock or SystemClock()
    profile = loaded.profile
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    # python-escpos caches its printer database in a fresh temporary folder per process unless
    # told where (slow starts, and litter in /tmp): keep it with the kiosk's state.
    cache = state_dir / "cache"
    cache.mkdir(exist_ok=True, mode=0o700)
    os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(cache))
    key = load_or_create_key(state_dir / "outbox.key")
    outbox = Outbox(state_dir / "outbox.db", key, time.time)
    # Retry for days, not hours: a back office down over a long weekend must lose nothing.
    relay = Relay(outbox, senders_from_profile(profile.destinations), time.time, random.Random(),
                  max_attempts=1000)
    paper = paper_spec(profile.printer)
    printer = make_printer(profile.printer.type, paper=paper,
                           directory=state_dir / profile.printer.directory)
    printer.open()
    translator = texts or Translator(profile.default_language)

    def deliver_now(submission_id: str) -> bool:
        return relay.deliver(submission_id, wait=3.0).delivered

    parts = KioskParts(
        profile=profile, catalogue=loaded.catalogue, texts=translator, clock=clock,
        outbox=outbox, printer=printer, paper=paper,
        deliver_now=deliver_now if deliver_immediately else None,
    )
    return Assembly(loaded, parts, outbox, relay, printer)

"""Build the long-lived parts of a kiosk from a profile: outbox, printer, texts, relay client.

Qt-free, so headless tests, the relay process and the UI's composition root assemble the
kiosk the same way. Everything opened here is closed by `Assembly.close()`.

The screen never sends to a back office: it writes the outbox and asks the relay (its own
process, `kiosk relay`; in the demo, `Assembly.start_relay`) over the relay socket.
"""

from __future__ import annotations

import logging
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accessibility.languages import Translator
from kiosk.audit import AuditLog
from kiosk.bookings.factory import make_bookings
from kiosk.bookings.fake import FakeBookings
from kiosk.calls.factory import make_calls
from kiosk.clock import Clock, SystemClock
from kiosk.destinations import network_target
from kiosk.device_identity import DeviceKeys, IdentityError, key_folder
from kiosk.health import (
    CardReaderProbe,
    HealthMonitor,
    NetworkProbe,
    OutboxProbe,
    PrinterProbe,
    Probe,
    RelayProbe,
    versions,
)
from kiosk.heartbeat import HeartbeatSource
from kiosk.heartbeat_sender import HeartbeatSender
from kiosk.lookups import make_lookup
from kiosk.lookups.request_status import TrackingLookup
from kiosk.outbox import (
    Outbox,
    Relay,
    RelayClient,
    RelayService,
    ReportContext,
    load_or_create_key,
    senders_from_profile,
    socket_path,
)
from kiosk.outbox.reference_reports import reporter_for
from kiosk.profile import LoadedProfile
from kiosk.profile import Printer as PrinterSettings
from kiosk.resident import KioskParts
from kiosk.saved.factory import make_saved
from kiosk.screen_status import ScreenStatusFile
from kiosk.staff import StaffDirectory
from kiosk.usage_buffer import UsageBuffer
from kiosk.usage_sender import UsageSender
from peripherals.cards import CardReader, make_card_reader
from peripherals.printer import make_printer
from peripherals.printer.base import PaperSpec, ReceiptPrinter

log = logging.getLogger(__name__)


def printer_options(settings: PrinterSettings, state_dir: Path) -> dict[str, Any]:
    """The connection settings of the chosen printer type, as `make_printer` takes them."""
    values = settings.model_dump(exclude={"type", "paper_width_mm", "escpos_profile", "qr",
                                          "status_poll_seconds"})
    if "directory" in values:
        values["directory"] = state_dir / values["directory"]
    if "timeout_seconds" in values:
        values["timeout"] = values.pop("timeout_seconds")
    return values


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
    state_dir: Path
    parts: KioskParts
    outbox: Outbox
    printer: ReceiptPrinter
    audit: AuditLog
    health: HealthMonitor
    staff: StaffDirectory | None = None
    card_reader: CardReader | None = None
    relay_service: RelayService | None = None
    # The screen's side of the relay socket (deliver now, status, IT's retry of a dead letter).
    relay_client: RelayClient | None = None
    # Usage events waiting for the hub (kiosk.usage_buffer); None without a heartbeat section.
    usage: UsageBuffer | None = None
    _closed: bool = field(default=False, repr=False)

    @property
    def relay(self) -> Relay | None:
        """The in-process relay, once `start_relay` has run (never in production)."""
        return self.relay_service.relay if self.relay_service is not None else None

    def start_relay(self, interval_seconds: float = 30.0) -> None:
        """The relay in this process (demo, tests), serving the same socket as `kiosk relay`:
        the screen still asks it through the socket, so its code path is the production one."""
        if self.relay_service is not None:
            raise RuntimeError("the relay is already running in this process")
        loaded = self.loaded
        service = RelayService(make_relay(loaded, self.outbox), socket_path(self.state_dir),
                               interval_seconds, make_heartbeat(loaded, self.state_dir, self.outbox),
                               retention_days=loaded.profile.outbox.retention_days,
                               reporter=reporter_for(loaded.profile, loaded.catalogue,
                                                     self.state_dir, self.outbox),
                               usage=make_usage_sender(loaded, self.state_dir))
        service.start()
        self.relay_service = service

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.relay_service is not None:
            self.relay_service.stop(10.0)
        if self.card_reader is not None:
            self.card_reader.stop()
        if self.usage is not None:
            self.usage.close()
        self.printer.close()
        for backend in (self.parts.lookup, self.parts.bookings, self.parts.calls,
                        self.parts.saved):
            close_backend = getattr(backend, "close", None)
            if callable(close_backend):
                close_backend()
        self.audit.close()
        self.outbox.close()


def open_outbox(state_dir: Path) -> Outbox:
    """The outbox (creating its key): the screen writes it, the relay delivers from it."""
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = load_or_create_key(state_dir / "outbox.key")
    return Outbox(state_dir / "outbox.db", key, time.time)


def make_relay(loaded: LoadedProfile, outbox: Outbox) -> Relay:
    """The relay with a sender per destination: only the relay process (or the demo) builds it."""
    # Retry for days, not hours: a back office down over a long weekend must lose nothing.
    profile = loaded.profile
    context = ReportContext(loaded.catalogue, profile.site.id, profile.site.name.get("en"),
                            profile.site.address)
    return Relay(outbox, senders_from_profile(profile.destinations, context=context), time.time,
                 random.Random(), max_attempts=1000, poison_after=profile.outbox.poison_after)


def make_heartbeat(loaded: LoadedProfile, state_dir: Path, outbox: Outbox) -> HeartbeatSender | None:
    """The relay's heartbeat to the hub, if the profile has a `heartbeat` section and this
    terminal is enrolled (it signs with the device's key); otherwise None, said once."""
    settings = loaded.profile.heartbeat
    if settings is None:
        return None
    try:
        keys = DeviceKeys.load(key_folder(state_dir))
    except IdentityError as exc:
        log.warning("no heartbeats: %s", exc)
        return None
    poll = loaded.profile.printer.status_poll_seconds
    source = HeartbeatSource(keys, state_dir, outbox, loaded.source.read_bytes(),
                             interval_seconds=settings.interval_seconds,
                             screen_stale_after=3 * poll + 60, wall=time.time)
    return HeartbeatSender(source.next_envelope, settings.url, settings.interval_seconds,
                           settings.timeout_seconds)


def make_usage_sender(loaded: LoadedProfile, state_dir: Path) -> UsageSender | None:
    """The relay's usage-event sender, beside the heartbeat and to the same hub (its
    `{endpoint}/events`): None when the heartbeat is (no section, or not enrolled)."""
    settings = loaded.profile.heartbeat
    if settings is None:
        return None
    try:
        keys = DeviceKeys.load(key_folder(state_dir))
    except IdentityError:
        return None  # make_heartbeat says so once
    return UsageSender(UsageBuffer.in_state_dir(state_dir), keys, settings.events_url,
                       interval_seconds=settings.interval_seconds,
                       timeout_seconds=settings.timeout_seconds, wall=time.time)


def assemble(loaded: LoadedProfile, state_dir: Path, *, clock: Clock | None = None,
             texts: Translator | None = None, deliver_immediately: bool = True) -> Assembly:
    """Open the outbox (creating its key), pick the printer, wire the immediate delivery to
    the relay socket (`deliver_immediately=False`: the screen never asks)."""
    clock = clock or SystemClock()
    profile = loaded.profile
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    # python-escpos caches its printer database in a fresh temporary folder per process unless
    # told where (slow starts, and litter in /tmp): keep it with the kiosk's state.
    cache = state_dir / "cache"
    cache.mkdir(exist_ok=True, mode=0o700)
    os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(cache))
    outbox = open_outbox(state_dir)
    paper = paper_spec(profile.printer)
    printer = make_printer(profile.printer.type, paper=paper,
                           **printer_options(profile.printer, state_dir))
    printer.open()
    # Started by the UI (its events go to the GUI thread); stopped here on close.
    reader = make_card_reader(profile.card_reader.type, reader_filter=profile.card_reader.reader_name)
    staff = StaffDirectory.from_settings(profile.staff) if profile.staff is not None else None
    audit = AuditLog(state_dir / "audit.db", clock)
    translator = texts or Translator(profile.default_language)
    relay = RelayClient(socket_path(state_dir), wait=profile.outbox.send_wait_seconds)
    # Booking asks the same hub as the lookups; the demo's fake diary answers the appointment
    # lookup sources too, so the days and times offered are the ones it can hold.
    bookings = make_bookings(profile.lookups, clock)
    lookup = make_lookup(profile.lookups)
    if isinstance(bookings, FakeBookings):
        lookup = bookings.answering(lookup)
    parts = KioskParts(
        profile=profile, catalogue=loaded.catalogue, texts=translator, clock=clock,
        outbox=outbox, printer=printer, paper=paper,
        deliver_now=relay.deliver_now if deliver_immediately else None,
        # "Track my request": this kiosk's outbox answers for reports it still holds.
        lookup=TrackingLookup(lookup, outbox, {s.id: s.title for s in loaded.catalogue}.get,
                              {(s.id, d.id): d.label for s in loaded.catalogue
                               for d in s.deliveries}.get),
        bookings=bookings,
        calls=make_calls(profile),
        saved=make_saved(profile.saved, clock),
    )
    health = HealthMonitor(probes(printer, reader, outbox, loaded, relay), clock,
                           versions(loaded.source.read_bytes(),
                                    [(s.id, s.version) for s in loaded.catalogue]),
                           on_status=ScreenStatusFile(state_dir).write)
    usage = UsageBuffer.in_state_dir(state_dir) if profile.heartbeat is not None else None
    return Assembly(loaded, state_dir, parts, outbox, printer, audit, health, staff, reader,
                    relay_client=relay, usage=usage)


def probes(printer: ReceiptPrinter, reader: CardReader | None, outbox: Outbox,
           loaded: LoadedProfile, relay: RelayClient) -> list[Probe]:
    """What device status looks at. Back offices are seen through the relay (the only
    sender); the network probe asks the kernel for a route to the council's hub (lookups)
    and sends nothing."""
    profile = loaded.profile
    found: list[Probe] = [PrinterProbe(printer), CardReaderProbe(reader), OutboxProbe(outbox)]
    lookups = getattr(profile.lookups, "endpoint", None)
    route_to = str(lookups) if lookups else network_target(next(iter(profile.destinations.values())))
    if route_to is not None:
        found.append(NetworkProbe(route_to))
    found.append(RelayProbe(relay, list(profile.destinations)))
    return found

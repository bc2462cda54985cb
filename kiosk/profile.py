"""The device profile: everything council IT sets for one terminal, typed and validated.

A profile is the only configuration the kiosk reads. It is validated completely before use,
so a bad one fails fast with file, line, field, expectation and finding, never half-applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from kiosk.bookings.settings import BookingSettings
from kiosk.calls.settings import CallSettings
from kiosk.config_errors import ConfigError, FieldProblems, Problem, dotted, load_model, read_yaml
from kiosk.destinations import EmailDestination, WebhookDestination
from kiosk.heartbeat_settings import HeartbeatSettings
from kiosk.localtext import LocalText
from kiosk.lookups.settings import LookupSettings
from kiosk.remote_commands import RemoteCommandSettings
from kiosk.saved.settings import SavedSettings
from kiosk.secrets import Secret, SecretsError, literal_secrets, secrets_beside
from kiosk.staff import StaffSettings

if TYPE_CHECKING:
    from kiosk.catalogue import Catalogue

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SUPPORTED_LANGUAGES = ("en", "cy", "pl", "ur", "ro")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Council(_Strict):
    name: LocalText
    contact_line: LocalText = Field(description="Printed on receipts: how to reach the council.")


class OpeningHours(_Strict):
    days: tuple[Day, ...] = Field(min_length=1)
    opens: time
    closes: time

    @model_validator(mode="after")
    def _order(self) -> OpeningHours:
        if self.closes <= self.opens:
            raise FieldProblems([(("closes",), f"a time later than opens ({self.opens:%H:%M})",
                                  f"{self.closes:%H:%M}")])
        return self


class Site(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: LocalText
    address: str
    opening_hours: tuple[OpeningHours, ...] = ()


class Open311Destination(_Strict):
    type: Literal["open311"]
    endpoint: HttpUrl = Field(description="GeoReport v2 base URL, e.g. https://host/open311/v2")
    api_key: Secret = Field(min_length=1)
    jurisdiction_id: str | None = None
    status_url: str = Field(
        description="Where a resident checks progress; {reference} is filled in."
    )
    reference_attribute: str | None = Field(
        default="kiosk_reference",
        description="Attribute carrying the kiosk reference; null for a back office that "
                    "refuses attributes it does not define (the Kiosk-Reference header stays).")
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    location: Literal["latlong", "address", "address_id", "any"] = Field(
        default="any",
        description="The location this back office needs: lat/long, address_string, "
                    "address_id (UPRN) or any one of them. Reports without it are dead "
                    "letters with a reason, never sent.")
    format: Literal["json", "xml"] = Field(
        default="json", description="requests.json or requests.xml (JSON is optional in "
                                    "Open311; every answer is read in either).")
    groups: dict[str, str] = Field(
        default_factory=dict,
        description="mySociety: service_code -> group, sent as attribute[group].")
    hidden_attributes: dict[str, str] = Field(
        default_factory=dict,
        description="mySociety hidden_field attributes sent with every request "
                    "(attribute[code]=value), unless the report has that attribute.")
    uprn_attribute: str | None = Field(
        default=None, description="Also send address_id as attribute[<this>] (e.g. uprn), "
                                  "as FixMyStreet does.")
    parallel_requests: int = Field(
        default=4, ge=1, le=16,
        description="Requests in flight at once while a backlog drains, once the back office "
                    "has accepted one (until then, one at a time).")

    @model_validator(mode="after")
    def _status_has_reference(self) -> Open311Destination:
        if "{reference}" not in self.status_url:
            raise FieldProblems([(("status_url",), "a URL containing {reference}",
                                  repr(self.status_url))])
        return self


Destination = Annotated[Open311Destination | WebhookDestination | EmailDestination,
                        Field(discriminator="type")]


class _PrinterBase(_Strict):
    """What every printer shares: the roll, the model's python-escpos profile, how QR is drawn."""

    paper_width_mm: Literal[58, 80] = 80
    escpos_profile: str = "TM-T88V"
    qr: Literal["native", "raster"] = "raster"
    status_poll_seconds: int = Field(
        default=30, ge=5, le=3600, description="How often the health poller asks the printer."
    )


class FilePrinterSettings(_PrinterBase):
    type: Literal["file"]
    directory: str = Field(
        default="receipts", description="Folder for .bin + .png per receipt (under state_dir)."
    )


class FakePrinterSettings(_PrinterBase):
    """The demo's printer: keeps receipts in memory; staff can make it run out of paper."""

    type: Literal["fake"]


class NetworkPrinterSettings(_PrinterBase):
    type: Literal["network"]
    host: str = Field(min_length=1, description="Printer address, e.g. 10.20.30.40.")
    port: int = Field(default=9100, ge=1, le=65535)
    timeout_seconds: float = Field(default=5.0, gt=0, le=60)


class SerialPrinterSettings(_PrinterBase):
    type: Literal["serial"]
    device: str = Field(pattern=r"^/dev/\S+$", description="e.g. /dev/ttyUSB0 or /dev/serial/by-id/...")
    baudrate: Literal[9600, 19200, 38400, 57600, 115200] = 9600
    rtscts: bool = False


class UsbPrinterSettings(_PrinterBase):
    type: Literal["usb"]
    vendor_id: int = Field(ge=1, le=0xFFFF, description="USB vendor id, e.g. 0x04b8 (Epson).")
    product_id: int = Field(ge=0, le=0xFFFF)
    interface: int = Field(default=0, ge=0, le=15)


class CupsPrinterSettings(_PrinterBase):
    type: Literal["cups"]
    queue: str = Field(pattern=r"^[A-Za-z0-9_.@+][A-Za-z0-9_.@+-]{0,126}$",
                       description="A raw CUPS queue.")


Printer = Annotated[
    FilePrinterSettings | FakePrinterSettings | NetworkPrinterSettings | SerialPrinterSettings
    | UsbPrinterSettings | CupsPrinterSettings,
    Field(discriminator="type"),
]


class CardReaderSettings(_Strict):
    """The staff card reader. `none` when the terminal has no reader (PIN only)."""

    type: Literal["pcsc", "fake", "none"] = "none"
    reader_name: str | None = Field(
        default=None, description="Use only readers whose PC/SC name contains this text."
    )


class SessionTimings(_Strict):
    idle_seconds: int = Field(default=60, ge=20, le=600)
    warning_seconds: int = Field(default=30, ge=20, le=120)
    max_extensions: int = Field(default=20, ge=10, le=100)
    assisted_multiplier: int = Field(default=1, ge=1, le=10)
    confirmation_seconds: int = Field(default=90, ge=20, le=600)


class OutboxSettings(_Strict):
    send_wait_seconds: float = Field(
        default=3.0, gt=0, le=10,
        description="After Send, how long the screen waits for the relay to say the council "
                    "has the report before it says \"saved, will be sent\".",
    )
    retention_days: int = Field(
        default=30, ge=1, le=365,
        description="Undelivered reports older than this are dead-lettered and their contents "
                    "destroyed, and device status raises an alert.",
    )
    poison_after: int = Field(
        default=5, ge=2, le=100,
        description="Server errors (5xx) one report may get while other reports to the same "
                    "destination are delivered, before it is a dead letter.",
    )


class CatalogueSettings(_Strict):
    path: str = Field(description="Folder of service files, relative to the profile file.")
    services: tuple[str, ...] | None = Field(
        default=None, description="Service ids in menu order; all services when absent."
    )


class Display(_Strict):
    diagonal_inches: float = Field(default=21.5, ge=7, le=100)
    width_px: int = Field(default=1920, ge=640)
    height_px: int = Field(default=1080, ge=480)


class AccessibilityDefaults(_Strict):
    """What every session starts with (residents change these per session)."""

    read_aloud: bool = False
    slow_speech: bool = False
    text_size: Literal["standard", "large", "extra_large"] = "standard"
    colours: Literal["standard", "dark", "yellow"] = "standard"


class Profile(_Strict):
    schema_version: Literal[1]
    mode: Literal["production", "demo"] = "production"
    council: Council
    site: Site
    catalogue: CatalogueSettings
    destinations: dict[str, Destination] = Field(min_length=1)
    printer: Printer
    card_reader: CardReaderSettings = CardReaderSettings()
    staff: StaffSettings | None = Field(
        default=None, description="Staff cards and PINs; no staff panel when absent."
    )
    lookups: LookupSettings | None = Field(
        default=None, description="Who answers journeys' questions (addresses, bin days); "
        "journeys that ask cannot be used when absent."
    )
    bookings: BookingSettings = Field(
        default=BookingSettings(), description="Booking appointments: how long a chosen time "
        "is held (the diary is the hub named in `lookups`).")
    calls: CallSettings | None = Field(
        default=None, description="Talk to an advisor by video: opening hours, how long a "
        "resident waits before a call back is offered, interpreters (docs/calls.md). No "
        "section: no advisor calls.")
    saved: SavedSettings | None = Field(
        default=None, description="Save and come back: who keeps residents' saved "
        "applications (the hub, usually the `lookups` endpoint and key). No section: no "
        "service offers it.")
    commands: RemoteCommandSettings | None = Field(
        default=None, description="What IT asks of the terminal: restart, reboot in a window, "
        "out of service, a message for staff (kiosk/remote_commands.py)."
    )
    session: SessionTimings = SessionTimings()
    outbox: OutboxSettings = OutboxSettings()
    display: Display = Display()
    heartbeat: HeartbeatSettings | None = Field(
        default=None, description="Where the relay sends the signed heartbeat the hub's fleet "
        "page shows; no heartbeats when absent."
    )
    accessibility: AccessibilityDefaults = AccessibilityDefaults()
    default_language: Literal["en", "cy", "pl", "ur", "ro"] = "en"
    demo_quit_shortcut: bool = Field(
        default=False, description="Ctrl+Shift+Q quits. Demo profiles only, never production."
    )

    @model_validator(mode="after")
    def _demo_only(self) -> Profile:
        if self.demo_quit_shortcut and self.mode != "demo":
            raise FieldProblems([(("demo_quit_shortcut",),
                                  f"false when mode is {self.mode} (the quit shortcut is for demo "
                                  "profiles only)", "true")])
        if self.mode != "demo":
            # Fakes stand in for hardware in the demo; a production terminal must never
            # quietly "print" into memory or accept simulated staff cards.
            problems: list[tuple[tuple[str | int, ...], str, str]] = []
            if self.printer.type == "fake":
                problems.append((("printer", "type"), "a real printer (usb, serial, network, "
                                 "cups or file) when mode is production", "fake"))
            if self.card_reader.type == "fake":
                problems.append((("card_reader", "type"), "pcsc or none when mode is production",
                                 "fake"))
            if self.calls is not None and self.calls.fake_media:
                problems.append((("calls", "fake_media"), "false when mode is production (a "
                                 "real camera and microphone)", "true"))
            if self.lookups is not None and self.lookups.type == "fake":
                problems.append((("lookups", "type"), "hub when mode is production", "fake"))
            if self.saved is not None and self.saved.type == "fake":
                problems.append((("saved", "type"), "hub when mode is production", "fake"))
            # The profile is published to the fleet: a secret written into it is a secret
            # published. Production profiles name secrets; the device's sealed document holds them.
            for loc in literal_secrets(self):
                problems.append((loc, "a reference {secret: NAME} to the device's sealed secrets "
                                 "when mode is production", "a value written into the profile"))
            if problems:
                raise FieldProblems(problems)
        return self


class LoadedProfile:
    """A validated profile with its catalogue, checked against each other."""

    def __init__(self, profile: Profile, catalogue: Catalogue, source: Path) -> None:
        self.profile = profile
        self.catalogue = catalogue
        self.source = source


def load_profile(path: Path, *, key_folder: Path | None = None,
                 secrets: Mapping[str, str] | None = None) -> LoadedProfile:
    """Load a profile and its catalogue; ConfigError lists every problem in either."""
    return load_services(load_device_profile(path, key_folder=key_folder, secrets=secrets), path)


def load_device_profile(path: Path, *, key_folder: Path | None = None,
                        secrets: Mapping[str, str] | None = None) -> Profile:
    """The profile alone, validated completely: all the screen needs for its first frame
    (council, site, theme, languages), so a bad profile still fails before anything shows.

    Secret references are filled from `secrets.sealed` beside the profile, opened with the
    device's keys in `key_folder` (`<state_dir>/device` on a terminal). IT's tools, which
    hold the secrets but not the device's key, pass `secrets` instead.
    """
    if secrets is not None:
        return load_model(Profile, path, context={"secrets": secrets})
    try:
        secrets = secrets_beside(path, key_folder)
    except (SecretsError, ValueError) as exc:
        raise ConfigError([Problem(str(path.parent / "secrets.sealed"), "(whole file)",
                                   "a secrets document sealed to this device", str(exc))]) from None
    return load_model(Profile, path, context={"secrets": secrets})


def load_services(profile: Profile, path: Path) -> LoadedProfile:
    """The profile's service catalogue, checked against the profile (after the first frame:
    the catalogue is most of a profile's loading time)."""
    from kiosk.catalogue import load_catalogue

    folder = (path.parent / profile.catalogue.path).resolve()
    _, lines = read_yaml(path)
    if not folder.is_dir():
        raise ConfigError([Problem(
            str(path), "catalogue.path", "a folder of service files, relative to the profile",
            f"{profile.catalogue.path!r} (no folder {folder})", lines.line_of(("catalogue", "path")),
        )])
    catalogue = load_catalogue(folder)
    problems = []
    known = {s.id for s in catalogue}
    chosen = profile.catalogue.services
    for index, sid in enumerate(chosen or ()):
        if sid not in known:
            problems.append(Problem(str(path), f"catalogue.services[{index}]",
                                    f"a service in {folder} ({', '.join(sorted(known))})",
                                    repr(sid), lines.line_of(("catalogue", "services", index))))
    for service in catalogue:
        # A service's own destination, or each of its deliveries' (`deliveries[2].destination`).
        unknown = [(("destination",) if not part else
                    ("deliveries", [d.id for d in service.deliveries].index(part), "destination"),
                    part, mapping.to)
                   for part, mapping in service.mappings() if mapping.to not in profile.destinations]
        if unknown:
            service_file = folder / f"{service.id}.yaml"
            _, service_lines = read_yaml(service_file)
        for at, part, to in unknown:
            named = f" for service {service.id!r}, delivery {part!r}" if part else ""
            problems.append(Problem(
                str(service_file), dotted((*at, "to")),
                f"a destination named in the profile {path} "
                f"({', '.join(sorted(profile.destinations))}){named}",
                repr(to), service_lines.line_of((*at, "to")),
            ))
    if problems:
        raise ConfigError(problems)
    return LoadedProfile(profile, catalogue.only(list(chosen) if chosen else None), path)

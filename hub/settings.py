"""Everything the hub needs to start, gathered in one place from flags and the environment.

`load_settings` is the only code that reads the environment, so a systemd unit, a container
and a test all configure the hub the same way and nothing changes behind the app's back.
"""

from __future__ import annotations

import argparse
import ipaddress
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import kiosk
from hub.calls.ice import IceSettings
from hub.settings_file import (
    HubSettingsFile,
    SettingsFileError,
    TrackedDestination,
    load_hub_settings_file,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8311
DEFAULT_API_KEYS = frozenset({"demo-kiosk-key"})
DEFAULT_COUNCIL_NAME = "Demo Borough Council"
DEFAULT_TIMEZONE = "Europe/London"
STATE_SUBDIR = "civic-kiosk-hub"


def demo_catalogue_dir() -> Path:
    """The demo catalogue shipped inside the `kiosk` package, wherever it is installed."""
    return Path(kiosk.__path__[0]).resolve() / "demo" / "catalogue"


@dataclass(frozen=True)
class HubSettings:
    """How one hub process is configured. Only `database_url` has no safe default."""

    database_url: str
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    catalogue_dir: Path = field(default_factory=demo_catalogue_dir)
    api_keys: frozenset[str] = DEFAULT_API_KEYS
    council_name: str = DEFAULT_COUNCIL_NAME
    public_base_url: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    log_level: str = "info"
    # Staff sign-in cookies are Secure (sent over HTTPS only). Only a hub listening on a
    # loopback address may turn that off, for tests and the demo on http://127.0.0.1.
    secure_cookies: bool = True
    # Back offices kiosks deliver to directly, by destination name: the hub asks them about
    # those requests for status pages and "Track my request" (the settings file).
    destinations: Mapping[str, TrackedDestination] = field(default_factory=dict)
    # Appointments: how far ahead kiosks offer days; how long after an appointment its
    # resident's name and contact details are kept (hub/appointments/purge.py).
    appointment_horizon_weeks: int = 8
    appointment_retention_days: int = 30
    # Advisor calls: the ICE servers each peer is given (the settings file's `calls`).
    calls: IceSettings = field(default_factory=IceSettings)
    # Save and come back (hub/saved/): the 0600 key file sealing saved applications (made on
    # first use; None: the hub keeps none) and how many days one is kept.
    saved_key_file: Path | None = None
    saved_days: int = 7
    # Usage events (docs/measures.md): months raw events are kept (aggregates are kept), and
    # each site's running cost a month in pounds, for cost per transaction (the settings file).
    usage_retention_months: int = 13
    site_costs: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.secure_cookies and not self.on_loopback:
            raise ValueError(f"insecure cookies are allowed only on a loopback address, and "
                             f"this hub listens on {self.host}: serve it over HTTPS")

    @property
    def uses_demo_key(self) -> bool:
        return bool(self.api_keys & DEFAULT_API_KEYS)

    @property
    def on_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def default_state_dir(environ: Mapping[str, str]) -> Path:
    """systemd's StateDirectory= first (the production unit), then the XDG state folder."""
    systemd = environ.get("STATE_DIRECTORY", "")
    if systemd:
        return Path(systemd.split(":")[0])
    xdg = environ.get("XDG_STATE_HOME", "")
    if xdg:
        return Path(xdg) / STATE_SUBDIR
    home = environ.get("HOME", "") or str(Path.home())
    return Path(home) / ".local" / "state" / STATE_SUBDIR


def database_url(flag: str | None, state_dir_flag: str | None, environ: Mapping[str, str]) -> str:
    """--database, else KIOSK_HUB_DATABASE_URL, else SQLite in the state folder."""
    database = flag or environ.get("KIOSK_HUB_DATABASE_URL") or None
    if database is not None:
        return database
    state_text = state_dir_flag or environ.get("KIOSK_HUB_STATE_DIR") or None
    state = Path(state_text) if state_text else default_state_dir(environ)
    return f"sqlite:///{state.expanduser().resolve() / 'hub.db'}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-hub",
        description="Run the Civic Kiosk hub: an Open311 GeoReport v2 back office and "
        "the status pages that kiosk receipts link to.",
        epilog="Each flag falls back to an environment variable (KIOSK_HUB_HOST, "
        "KIOSK_HUB_PORT, KIOSK_HUB_DATABASE_URL, KIOSK_HUB_STATE_DIR, KIOSK_HUB_CATALOGUE, "
        "KIOSK_HUB_API_KEYS as a comma list, KIOSK_HUB_COUNCIL_NAME, KIOSK_HUB_PUBLIC_URL, "
        "KIOSK_HUB_TIMEZONE, KIOSK_HUB_LOG_LEVEL, KIOSK_HUB_INSECURE_COOKIES=1, "
        "KIOSK_HUB_SETTINGS, KIOSK_HUB_APPOINTMENT_HORIZON_WEEKS, "
        "KIOSK_HUB_APPOINTMENT_RETENTION_DAYS, KIOSK_HUB_SAVED_KEY_FILE, "
        "KIOSK_HUB_SAVED_DAYS, KIOSK_HUB_USAGE_RETENTION_MONTHS), then to the demo defaults. "
        "`kiosk-hub account --help`, "
        "`kiosk-hub device --help` and `kiosk-hub db --help` manage staff accounts, "
        "terminals and the database.",
    )
    parser.add_argument("--host", help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", help=f"TCP port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--database", "--database-url", dest="database",
                        help="SQLAlchemy database URL (default sqlite:///<state dir>/hub.db)")
    parser.add_argument("--state-dir", help="folder for the default SQLite database")
    parser.add_argument("--catalogue", help="folder of service files (default: the demo "
                        "catalogue)")
    parser.add_argument("--api-key", action="append", dest="api_keys", metavar="KEY",
                        help="a key kiosks may POST with; repeat for several "
                        "(default demo-kiosk-key)")
    parser.add_argument("--council-name", help=f"shown on status pages (default "
                        f"{DEFAULT_COUNCIL_NAME})")
    parser.add_argument("--public-url", help="base URL residents and kiosks reach the hub on, "
                        "e.g. https://hub.example.gov.uk (default: taken from each request)")
    parser.add_argument("--timezone", help=f"for dates on status pages (default "
                        f"{DEFAULT_TIMEZONE})")
    parser.add_argument("--log-level", choices=("critical", "error", "warning", "info", "debug"),
                        help="server log level (default info)")
    parser.add_argument("--settings", metavar="FILE",
                        help="a YAML settings file: how to ask the back offices kiosks deliver "
                        "to directly about their requests, and advisor calls' ICE servers (docs/hub.md)")
    parser.add_argument("--appointment-horizon-weeks", metavar="WEEKS",
                        help="how many weeks ahead kiosks offer appointment days (default 8)")
    parser.add_argument("--appointment-retention-days", metavar="DAYS",
                        help="days after an appointment its resident's details are blanked "
                        "(default 30)")
    parser.add_argument("--saved-key-file", metavar="FILE",
                        help="the key sealing residents' saved applications, made on first "
                        "use (default <state dir>/saved-applications.key)")
    parser.add_argument("--saved-days", metavar="DAYS",
                        help="days a saved application is kept before it is deleted (default 7)")
    parser.add_argument("--usage-retention-months", metavar="MONTHS",
                        help="months raw usage events are kept; the report's aggregates are "
                        "kept (default 13)")
    parser.add_argument("--insecure-cookies", action="store_true", default=None,
                        help="send staff sign-in cookies over plain http: only for a hub on "
                        "a loopback address (tests, the demo); never behind a real address")
    return parser


def _whole(parser: argparse.ArgumentParser, name: str, text: str, most: int) -> int:
    if not text.isdigit() or not 1 <= int(text) <= most:
        parser.error(f"{name}: expected a number from 1 to {most}, found {text!r}")
    return int(text)


def load_settings(argv: Sequence[str] | None, environ: Mapping[str, str]) -> HubSettings:
    """Flags win over environment variables, which win over defaults; bad values exit 2."""
    parser = _parser()
    args = parser.parse_args(argv)

    def pick(flag: str | None, env: str) -> str | None:
        # An empty value behaves like an absent one, so `KIOSK_HUB_PORT=` in a unit is harmless.
        if flag:
            return flag
        return environ.get(env) or None

    host = pick(args.host, "KIOSK_HUB_HOST") or DEFAULT_HOST
    port_text = pick(args.port, "KIOSK_HUB_PORT") or str(DEFAULT_PORT)
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        parser.error(f"port: expected a number from 1 to 65535, found {port_text!r}")
    database = database_url(args.database, args.state_dir, environ)
    catalogue_text = pick(args.catalogue, "KIOSK_HUB_CATALOGUE")
    catalogue = Path(catalogue_text).expanduser() if catalogue_text else demo_catalogue_dir()
    if args.api_keys:
        keys = frozenset(k.strip() for k in args.api_keys if k.strip())
    else:
        keys_text = environ.get("KIOSK_HUB_API_KEYS", "")
        keys = frozenset(k.strip() for k in keys_text.split(",") if k.strip())
    public_url = pick(args.public_url, "KIOSK_HUB_PUBLIC_URL")
    if public_url is not None:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            parser.error(f"public URL: expected an http(s) URL, found {public_url!r}")
        public_url = public_url.rstrip("/")
    timezone = pick(args.timezone, "KIOSK_HUB_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        parser.error(f"timezone: expected an IANA name like Europe/London, found {timezone!r}")
    log_level = pick(args.log_level, "KIOSK_HUB_LOG_LEVEL") or "info"
    if log_level not in ("critical", "error", "warning", "info", "debug"):
        parser.error(f"log level: expected one of critical, error, warning, info, debug, "
                     f"found {log_level!r}")
    horizon = _whole(parser, "appointment horizon weeks", pick(
        args.appointment_horizon_weeks, "KIOSK_HUB_APPOINTMENT_HORIZON_WEEKS") or "8", 52)
    retention = _whole(parser, "appointment retention days", pick(
        args.appointment_retention_days, "KIOSK_HUB_APPOINTMENT_RETENTION_DAYS") or "30", 3650)
    saved_days = _whole(parser, "saved days", pick(args.saved_days, "KIOSK_HUB_SAVED_DAYS")
                        or "7", 90)
    key_text = pick(args.saved_key_file, "KIOSK_HUB_SAVED_KEY_FILE")
    state_text = args.state_dir or environ.get("KIOSK_HUB_STATE_DIR") or None
    saved_key = (Path(key_text).expanduser() if key_text else
                 (Path(state_text) if state_text else default_state_dir(environ)).expanduser()
                 / "saved-applications.key")
    usage_months = _whole(parser, "usage retention months", pick(
        args.usage_retention_months, "KIOSK_HUB_USAGE_RETENTION_MONTHS") or "13", 120)
    insecure = bool(args.insecure_cookies) or environ.get("KIOSK_HUB_INSECURE_COOKIES") == "1"
    settings_file = pick(args.settings, "KIOSK_HUB_SETTINGS")
    try:
        from_file = (load_hub_settings_file(Path(settings_file).expanduser())
                     if settings_file else HubSettingsFile())
    except SettingsFileError as exc:
        parser.error(f"settings: {exc}")
    try:
        return HubSettings(
            database_url=database,
            host=host,
            port=int(port_text),
            catalogue_dir=catalogue,
            api_keys=keys or DEFAULT_API_KEYS,
            council_name=pick(args.council_name, "KIOSK_HUB_COUNCIL_NAME") or DEFAULT_COUNCIL_NAME,
            public_base_url=public_url,
            timezone=timezone,
            log_level=log_level,
            secure_cookies=not insecure,
            destinations=from_file.destinations,
            calls=from_file.calls,
            appointment_horizon_weeks=horizon,
            appointment_retention_days=retention,
            saved_key_file=saved_key,
            saved_days=saved_days,
            usage_retention_months=usage_months,
            site_costs=from_file.site_costs,
        )
    except ValueError as exc:
        parser.error(str(exc))

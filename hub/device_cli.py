"""`kiosk-hub device ...`: IT's register of terminals, whose heartbeats the hub accepts.

    kiosk-hub device register IDENTITY.json [--council NAME]   the file a device printed at enrolment
    kiosk-hub device revoke DEVICE_ID                          at once; for good
    kiosk-hub device list

The identity file holds only public keys (`kiosk.device_identity.PublicIdentity`). The
database is the hub's own (--database, KIOSK_HUB_DATABASE_URL, else the state folder's
SQLite file), so run these as the user the hub runs as.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.cli_database import database_options, run_on_database
from hub.db import utcnow
from hub.devices import DeviceError, devices, register, revoke
from hub.migrate import SchemaNotReady, ready_database
from hub.settings import DEFAULT_COUNCIL_NAME
from kiosk.device_identity import IdentityError, PublicIdentity

MAX_IDENTITY_BYTES = 64 * 1024


def _parser() -> argparse.ArgumentParser:
    common = database_options()
    parser = argparse.ArgumentParser(
        prog="kiosk-hub device",
        description="The terminals whose signed heartbeats this hub accepts (the fleet page).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add = commands.add_parser("register", parents=[common],
                              help="register a terminal from the identity it printed at enrolment")
    add.add_argument("identity", metavar="IDENTITY_JSON_FILE")
    add.add_argument("--council", help="the council the terminal belongs to "
                     "(default: KIOSK_HUB_COUNCIL_NAME, else the hub's default)")
    gone = commands.add_parser("revoke", parents=[common],
                               help="refuse a terminal's heartbeats from now on (for good)")
    gone.add_argument("device_id", metavar="DEVICE_ID")
    commands.add_parser("list", parents=[common], help="list registered terminals")
    return parser


def read_identity(path: Path) -> PublicIdentity:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_IDENTITY_BYTES + 1)
    except OSError as exc:
        raise DeviceError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
    if len(raw) > MAX_IDENTITY_BYTES:
        raise DeviceError(f"{path} is not a device identity (over {MAX_IDENTITY_BYTES} bytes)")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise DeviceError(f"{path} is not JSON ({exc}); expected the identity the device "
                          "printed at enrolment") from None
    try:
        return PublicIdentity.from_json(data)
    except IdentityError as exc:
        raise DeviceError(f"{path}: {exc}") from None


def _when(moment: datetime | None) -> str:
    return "never" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def _run(options: argparse.Namespace, sessions: sessionmaker[Session],
         environ: Mapping[str, str]) -> None:
    if options.command == "register":
        identity = read_identity(Path(options.identity))
        council = options.council or environ.get("KIOSK_HUB_COUNCIL_NAME") or DEFAULT_COUNCIL_NAME
        register(sessions, identity, council, utcnow())
        print(f"kiosk-hub: registered {identity.device_id} at {identity.site} ({council})")
    elif options.command == "revoke":
        at = revoke(sessions, options.device_id, utcnow())
        print(f"kiosk-hub: {options.device_id} revoked ({_when(at)}); its heartbeats are refused")
    else:
        found = devices(sessions)
        if not found:
            print("No terminals yet: register one with `kiosk-hub device register IDENTITY.json`.")
        for info in found:
            state = f"revoked {_when(info.revoked_at)}" if info.revoked_at else "active"
            print(f"{info.id:<24} {info.site:<24} {state:<24} last heard {_when(info.last_seen)}")


def main(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> int:
    """0 done, 1 refused (one line on stderr), 2 bad arguments (argparse's exit)."""
    environ = os.environ if environ is None else environ
    options = _parser().parse_args(argv)

    def work(engine: Engine, url: str) -> int:
        _run(options, ready_database(engine), environ)
        return 0

    return run_on_database("kiosk-hub device", options.database, options.state_dir, environ,
                           work, (DeviceError, SchemaNotReady))

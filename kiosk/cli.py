"""The `kiosk` command: run the kiosk or the demo, validate a profile, run the relay, enrol staff,
look after the outbox (`kiosk.outbox_cli`).

Qt-free except `run`/`demo`, which import `ui.boot` and then `ui.app` lazily (the documented
exception in docs/architecture.md) so `validate` and `relay` work on a machine without
PySide6, and so the first frame is painted before the heavy part of the UI is imported.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.launch import launch_refusal, tours
from kiosk.outbox_cli import add_parser as add_outbox_parser
from kiosk.outbox_cli import run as run_outbox

if TYPE_CHECKING:
    from kiosk.profile import LoadedProfile, Profile
    from ui.boot import BootShell, Started

DEMO_PROFILE = Path(__file__).resolve().parent / "demo" / "profile.yaml"
# EX_TEMPFAIL: "start me again" (the units restart on any exit; ui.staff.maintenance uses it too).
RESTART_EXIT_CODE = 75


def _load(path: Path, state_dir: Path | None = None) -> LoadedProfile | None:
    from kiosk.config_errors import ConfigError
    from kiosk.device_identity import key_folder
    from kiosk.profile import load_profile

    try:
        return load_profile(path, key_folder=key_folder(state_dir) if state_dir else None)
    except ConfigError as exc:
        print(f"The profile cannot be used. {exc.describe()}", file=sys.stderr)
        return None


def _cmd_validate(args: argparse.Namespace) -> int:
    loaded = _load(Path(args.profile), Path(args.state_dir) if args.state_dir else None)
    if loaded is None:
        return 2
    print(f"{args.profile}: OK ({len(loaded.catalogue)} services)")
    return 0


def _cmd_run(args: argparse.Namespace, path: Path) -> int:
    """Check the profile, then paint the attract screen before loading the rest.

    A profile never validated in this form is validated completely before anything shows (a
    bad one never reaches the screen). One validated before, byte for byte, by this code,
    paints from its remembered first frame (`kiosk.first_frame`) and is validated again
    after it. The catalogue and everything else load after the first frame (`ui.boot`), and
    a problem there is reported the same way, with exit code 2.
    """
    from kiosk.first_frame import FirstFrame, remembered
    from kiosk.profile_trial import before_paint, managed_store

    state_dir = Path(args.state_dir)
    screenshots = Path(args.screenshots) if getattr(args, "screenshots", None) else None
    store = managed_store(path, state_dir)
    if store is not None:
        before_paint(store)  # a version on trial that keeps failing: back to the last good one
    frame = remembered(path, state_dir)
    profile: Profile | None = None
    if frame is None:
        from kiosk.config_errors import ConfigError
        from kiosk.device_identity import key_folder
        from kiosk.profile import load_device_profile

        try:
            profile = load_device_profile(path, key_folder=key_folder(state_dir))
        except ConfigError as exc:
            print(f"The profile cannot be used. {exc.describe()}", file=sys.stderr)
            return 2
        frame = FirstFrame.of(profile)
    refusal = launch_refusal(frame.mode, os.environ, screenshots=screenshots is not None)
    if refusal is not None:
        print(f"kiosk: not started. {refusal}", file=sys.stderr)
        return 2
    if tours(frame.mode, os.environ, screenshots=screenshots is not None):
        loaded = _load(path, state_dir)
        if loaded is None:
            return 2
        from ui.app import run

        return run(loaded, state_dir, screenshots=screenshots)
    from ui.boot import run_painted_first

    def finish(shell: BootShell) -> Started:
        from ui.app import build_into  # the heavy part, once the first frame is up

        started = build_into(shell, path, profile, state_dir)
        if store is not None:
            store.bless()  # up and painted on this version: it is the last good one now
        return started

    def failed(exc: Exception) -> int:
        code = _start_failed(exc)
        if store is not None:
            from kiosk.profile_trial import failed_to_build

            if failed_to_build(store, type(exc).__name__):
                return RESTART_EXIT_CODE  # systemd starts us again, on the last good version
        return code

    if frame.demo_quit_shortcut:
        print("Demo mode: press Ctrl+Shift+Q to quit.", flush=True)
    return run_painted_first(frame, finish, failed)


def _start_failed(exc: Exception) -> int:
    from kiosk.config_errors import ConfigError

    if isinstance(exc, ConfigError):
        print(f"The profile cannot be used. {exc.describe()}", file=sys.stderr)
        return 2
    logging.getLogger(__name__).critical("the kiosk could not start: %s", type(exc).__name__,
                                         exc_info=exc)
    return 1


def _cmd_relay(args: argparse.Namespace) -> int:
    """Deliver the outbox and answer the screen on the relay socket until SIGTERM."""
    state_dir = Path(args.state_dir)
    loaded = _load(Path(args.profile), state_dir)
    if loaded is None:
        return 2
    from kiosk.assembly import make_heartbeat, make_relay, make_usage_sender, open_outbox
    from kiosk.outbox import RelayBusy, RelayService, RelaySocketError, socket_path
    from kiosk.outbox.reference_reports import reporter_for
    from kiosk.sd_notify import Notifier, serve_until

    outbox = open_outbox(state_dir)
    service = RelayService(make_relay(loaded, outbox), socket_path(state_dir), args.interval,
                           make_heartbeat(loaded, state_dir, outbox),
                           retention_days=loaded.profile.outbox.retention_days,
                           reporter=reporter_for(loaded.profile, loaded.catalogue, state_dir,
                                                 outbox),
                           usage=make_usage_sender(loaded, state_dir))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        try:
            service.start()
        except (RelayBusy, RelaySocketError) as exc:
            print(f"relay: not started. {exc}", file=sys.stderr)
            return 1
        # Type=notify with WatchdogSec (systemd/civic-kiosk-relay.service): ready once the
        # socket answers; pings only while it still answers a status request.
        notifier = Notifier.from_environment()
        changed = _watch_profile(Path(args.profile), stop)
        try:
            print(f"relay: delivering from {outbox.path}, answering on {service.server.path}",
                  flush=True)
            notifier.ready("delivering")
            serve_until(stop, notifier, lambda: _relay_answers(service.server.path))
        except KeyboardInterrupt:
            pass
        finally:
            notifier.stopping()
            service.stop(10.0)
    finally:
        outbox.close()
    return RESTART_EXIT_CODE if changed.is_set() else 0


def _watch_profile(profile: Path, stop: threading.Event, interval: float = 2.0) -> threading.Event:
    """The screen switched `current` to a new version between sessions: stop, so systemd
    starts the relay again on the new profile (its destinations, its secrets)."""
    changed = threading.Event()
    started_on = profile.resolve()

    def watch() -> None:
        while not stop.wait(interval):
            if profile.resolve() != started_on:
                logging.getLogger(__name__).info("the profile changed; restarting on it")
                changed.set()
                stop.set()

    threading.Thread(target=watch, name="profile-watch", daemon=True).start()
    return changed


def _relay_answers(path: Path) -> bool:
    from kiosk.outbox import RelayClient, RelayUnavailable

    try:
        RelayClient(path).status(timeout=5.0)
    except RelayUnavailable:
        return False
    return True


def _cmd_staff_salt(args: argparse.Namespace) -> int:
    import base64
    import secrets

    print(base64.b64encode(secrets.token_bytes(32)).decode("ascii"))
    return 0


def _read_card_uid(seconds: float) -> bytes | None:
    """The UID of the next card put on the PC/SC reader (for enrolment at IT's desk)."""
    import queue

    from peripherals.cards import CardEvent, PcscCardReader

    events: queue.Queue[CardEvent] = queue.Queue()
    reader = PcscCardReader()
    reader.start(events.put)
    try:
        while True:
            event = events.get(timeout=seconds)
            if event.kind == "inserted":
                return event.uid
    except queue.Empty:
        return None
    finally:
        reader.stop()


def _cmd_staff_card(args: argparse.Namespace) -> int:
    """Print a card's fingerprint for the profile's staff.cards; never the UID itself."""
    import base64
    import binascii

    from kiosk.staff import card_fingerprint

    try:
        salt = base64.b64decode(args.salt, validate=True)
    except binascii.Error:
        print("--salt must be base64 (the profile's staff.salt)", file=sys.stderr)
        return 2
    if args.uid:
        try:
            uid: bytes | None = bytes.fromhex(args.uid.replace(":", ""))
        except ValueError:
            print("--uid must be hex, e.g. 04A2246B1180", file=sys.stderr)
            return 2
    else:
        print("Put the staff card on the reader...", file=sys.stderr, flush=True)
        uid = _read_card_uid(args.wait)
    if uid is None:
        print("No card arrived on the reader, or it did not give its number.", file=sys.stderr)
        return 1
    try:
        print(card_fingerprint(uid, salt))
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


def _cmd_staff_pin(args: argparse.Namespace) -> int:
    """Ask for a PIN twice without echo and print its scrypt hash for staff.pins."""
    import getpass

    from kiosk.staff import PIN_PATTERN, hash_pin

    first = getpass.getpass("New staff PIN (4 to 12 digits): ")
    if not PIN_PATTERN.match(first):
        print("A PIN is 4 to 12 digits.", file=sys.stderr)
        return 2
    if getpass.getpass("The same PIN again: ") != first:
        print("The two PINs were different; nothing was made.", file=sys.stderr)
        return 2
    print(hash_pin(first))
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kiosk", description="Civic Kiosk")
    sub = top.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the kiosk full screen on a profile")
    run.add_argument("--profile", required=True)
    run.add_argument("--state-dir", default="/var/lib/civic-kiosk")
    run.add_argument("--screenshots", metavar="DIR",
                     help="demo profiles only: render a scripted tour into DIR and exit")
    catalogue = sub.add_parser("catalogue", help="work on service catalogues")
    catalogue_sub = catalogue.add_subparsers(dest="catalogue_command", required=True)
    imports = catalogue_sub.add_parser(
        "import-open311", help="write a council's Open311 services as service files "
        "(docs/catalogue.md, \"Importing from an Open311 server\")")
    imports.add_argument("url", help="the Open311 endpoint, e.g. https://council.example/open311/v2")
    imports.add_argument("--jurisdiction-id", help="when the endpoint serves several councils")
    imports.add_argument("--api-key", help="only if the server wants one to list its services")
    imports.add_argument("--out", default="open311-catalogue", help="folder for the service files")
    imports.add_argument("--destination", default="council", help="the profile's destination")
    imports.add_argument("--language", default="en", choices=("en", "cy", "pl", "ur", "ro"),
                         help="the language the server's texts are in")
    imports.add_argument("--force", action="store_true", help="replace files already there")
    imports.add_argument("--timeout", type=float, default=20.0, help="seconds to wait per answer")
    demo = sub.add_parser("demo", help="run the kiosk on the embedded demo council")
    demo.add_argument("--state-dir", default="demo-output")
    demo.add_argument("--screenshots", metavar="DIR",
                      help="render every page of a scripted tour into DIR and exit")
    validate = sub.add_parser("validate", help="check a profile and its catalogue")
    validate.add_argument("profile")
    validate.add_argument("--state-dir", help="open the profile's sealed secrets with this "
                          "terminal's device key (in STATE_DIR/device)")
    relay = sub.add_parser("relay", help="deliver the outbox (its own process in production)")
    relay.add_argument("--profile", required=True)
    relay.add_argument("--state-dir", default="/var/lib/civic-kiosk")
    relay.add_argument("--interval", type=float, default=30.0)
    sub.add_parser("staff-salt", help="make a new salt for the profile's staff.salt")
    card = sub.add_parser("staff-card", help="print a staff card's fingerprint for staff.cards")
    card.add_argument("--salt", required=True, help="the profile's staff.salt")
    card.add_argument("--uid", help="the card's UID in hex; without it, read the next card")
    card.add_argument("--wait", type=float, default=60.0, help="seconds to wait for a card")
    sub.add_parser("staff-pin", help="print a staff PIN's hash for staff.pins (asks twice)")
    add_outbox_parser(sub)
    provision = sub.add_parser("provision", add_help=False,
                               help="enrol this terminal, refresh its signed profile, show its status")
    provision.add_argument("rest", nargs=argparse.REMAINDER)
    return top


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = parser().parse_args(argv)
    if args.command == "catalogue":
        from kiosk.catalogue.open311_command import run_import

        return run_import(args)
    if args.command == "validate":
        return _cmd_validate(args)
    if args.command == "relay":
        return _cmd_relay(args)
    if args.command == "outbox":
        return run_outbox(args)
    if args.command == "provision":
        from provisioning.device_cli import main as provision  # the documented lazy import

        return provision(args.rest)
    staff_commands = {"staff-salt": _cmd_staff_salt, "staff-card": _cmd_staff_card,
                      "staff-pin": _cmd_staff_pin}
    if args.command in staff_commands:
        return staff_commands[args.command](args)
    if args.command == "demo":
        return _cmd_run(args, DEMO_PROFILE)
    return _cmd_run(args, Path(args.profile))


if __name__ == "__main__":
    sys.exit(main())

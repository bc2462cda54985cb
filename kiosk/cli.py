"""The `kiosk` command: run the kiosk, run the demo, validate a profile, run the relay.

Qt-free except `run`/`demo`, which import `ui.app` lazily (the one documented exception in
ARCHITECTURE.md) so `validate` and `relay` work on a machine without PySide6.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from kiosk.config_errors import ConfigError
from kiosk.profile import LoadedProfile, load_profile

DEMO_PROFILE = Path(__file__).resolve().parent / "demo" / "profile.yaml"


def _load(path: Path) -> LoadedProfile | None:
    try:
        return load_profile(path)
    except ConfigError as exc:
        print(f"The profile cannot be used. {exc.describe()}", file=sys.stderr)
        return None


def _cmd_validate(args: argparse.Namespace) -> int:
    loaded = _load(Path(args.profile))
    if loaded is None:
        return 2
    print(f"{args.profile}: OK ({len(loaded.catalogue)} services)")
    return 0


def _cmd_run(args: argparse.Namespace, profile: Path) -> int:
    loaded = _load(profile)
    if loaded is None:
        return 2
    from ui.app import run

    screenshots = Path(args.screenshots) if getattr(args, "screenshots", None) else None
    return run(loaded, Path(args.state_dir), screenshots=screenshots)


def _cmd_relay(args: argparse.Namespace) -> int:
    loaded = _load(Path(args.profile))
    if loaded is None:
        return 2
    from kiosk.assembly import open_outbox
    from kiosk.outbox import RelayWorker

    outbox, relay = open_outbox(loaded, Path(args.state_dir))
    worker = RelayWorker(relay, args.interval)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        worker.start()
        print(f"relay: delivering from {outbox.path}", flush=True)
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        worker.stop(10.0)
        outbox.close()
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kiosk", description="Civic Kiosk")
    sub = top.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the kiosk full screen on a profile")
    run.add_argument("--profile", required=True)
    run.add_argument("--state-dir", default="/var/lib/civic-kiosk")
    demo = sub.add_parser("demo", help="run the kiosk on the embedded demo council")
    demo.add_argument("--state-dir", default="demo-output")
    demo.add_argument("--screenshots", metavar="DIR",
                      help="render every page of a scripted tour into DIR and exit")
    validate = sub.add_parser("validate", help="check a profile and its catalogue")
    validate.add_argument("profile")
    relay = sub.add_parser("relay", help="deliver the outbox (its own process in production)")
    relay.add_argument("--profile", required=True)
    relay.add_argument("--state-dir", default="/var/lib/civic-kiosk")
    relay.add_argument("--interval", type=float, default=30.0)
    return top


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = parser().parse_args(argv)
    if args.command == "validate":
        return _cmd_validate(args)
    if args.command == "relay":
        return _cmd_relay(args)
    if args.command == "demo":
        return _cmd_run(args, DEMO_PROFILE)
    return _cmd_run(args, Path(args.profile))


if __name__ == "__main__":
    sys.exit(main())

"""`kiosk provision ...`: enrol this terminal, refresh its profile, show where it stands.

Reached from the `kiosk` command through one lazy import (the documented exception in
pyproject's import contracts), so the core never imports provisioning at start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from kiosk.device_identity import DeviceKeys, IdentityError, key_folder
from kiosk.profile_store import write_durably
from provisioning.agent import Agent, profile_store, provision_folder, status
from provisioning.bundle import BOOTSTRAP_ROOT, Bundle, BundleError

DEFAULT_STATE = "/var/lib/civic-kiosk"


def enrol(bundle_path: Path, state_dir: Path) -> dict[str, str]:
    """Make this device's keys, keep the bundle's root (read-only) and settings; returns the
    public identity IT registers. Running it again with the same bundle repeats the answer."""
    bundle = Bundle.read(bundle_path)
    folder = key_folder(state_dir)
    try:
        keys = DeviceKeys.load(folder)
    except IdentityError:
        keys = DeviceKeys.create(folder, bundle.config.device_id, bundle.config.site)
    if keys.identity.device_id != bundle.config.device_id or keys.identity.site != bundle.config.site:
        raise BundleError(f"this terminal is already enrolled as {keys.identity.device_id} at "
                          f"{keys.identity.site}; to re-enrol, IT revokes it and removes {folder}")
    target = provision_folder(state_dir)
    target.mkdir(parents=True, exist_ok=True)
    root = target / BOOTSTRAP_ROOT
    if root.exists():
        os.chmod(root, 0o644)
    write_durably(root, bundle.root, mode=0o444)
    os.chmod(root, 0o444)
    bundle.config.save(target)
    return keys.identity.to_json()


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kiosk provision",
                                  description="Signed profiles for this terminal (docs/provisioning.md)")
    sub = top.add_subparsers(dest="command", required=True)
    enrol_cmd = sub.add_parser("enrol", help="enrol with a bootstrap bundle from IT; prints the "
                               "public identity for IT to register")
    enrol_cmd.add_argument("bundle", help="the bundle file from `kiosk-admin device enrol`")
    for name, text in (("refresh", "fetch, verify, validate and stage the latest profile "
                        "(the timer runs it)"),
                       ("status", "show the current, pending and last good versions and the last result"),
                       ("apply", "apply a pending version now (only while the screen is stopped)")):
        command = sub.add_parser(name, help=text)
        command.add_argument("--state-dir", default=DEFAULT_STATE)
    enrol_cmd.add_argument("--state-dir", default=DEFAULT_STATE)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    state_dir = Path(args.state_dir)
    if args.command == "enrol":
        try:
            identity = enrol(Path(args.bundle), state_dir)
        except (BundleError, IdentityError) as exc:
            print(f"kiosk provision: not enrolled. {exc}", file=sys.stderr)
            return 2
        print(json.dumps(identity, indent=2))
        print("Give this public identity to IT: kiosk-admin device register "
              f"{identity['device_id']} IDENTITY.json", file=sys.stderr)
        return 0
    if args.command == "refresh":
        outcome = Agent(state_dir).refresh()
        print(f"{outcome.status}: {outcome.reason}")
        return 0 if outcome.status == "ok" else 1
    if args.command == "apply":
        applied = profile_store(state_dir).apply_pending()
        print(f"applied {applied}" if applied else "nothing pending")
        return 0
    print(json.dumps(status(state_dir), indent=2, sort_keys=True))
    return 0

"""`kiosk-admin`: council IT's tool for the signed repository (docs/provisioning.md).

    kiosk-admin repo init DIR --keys KEYS --url URL      (--repo and --keys anywhere)
    kiosk-admin --repo DIR --keys KEYS council add COUNCIL
    kiosk-admin --repo DIR device enrol SITE --council C --device-id ID     (prints the bundle)
    kiosk-admin --repo DIR device register ID IDENTITY.json
    kiosk-admin --repo DIR --keys KEYS device revoke ID
    kiosk-admin --repo DIR --keys KEYS profile publish SITE profile.yaml --secrets secrets.yaml
    kiosk-admin --repo DIR --keys KEYS secrets publish DEVICE secrets.yaml
    kiosk-admin --repo DIR --keys KEYS keys rotate ROLE
    kiosk-admin --repo DIR --keys KEYS timestamp refresh                     (cron)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from kiosk.config_errors import ConfigError
from kiosk.device_identity import IdentityError
from kiosk.secrets import SecretsError
from provisioning import admin
from provisioning.bundle import BundleError
from provisioning.keys import KeyFolders
from provisioning.layout import LayoutError
from provisioning.registry import RegistryError
from provisioning.repository import RepoError, Repository

_ERRORS = (RepoError, RegistryError, LayoutError, IdentityError, SecretsError, BundleError)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kiosk-admin", description="The council's signed kiosk repository")
    top.add_argument("--repo", default=os.environ.get("KIOSK_ADMIN_REPO", "."),
                     help="the repository folder (its public/ subfolder is what is served)")
    top.add_argument("--keys", action="append", default=None,
                     help="a folder of private keys (repeat for keys kept on separate media); "
                          "default $KIOSK_ADMIN_KEYS")
    sub = top.add_subparsers(dest="area", required=True)

    repo = sub.add_parser("repo").add_subparsers(dest="action", required=True)
    init = repo.add_parser("init", help="a new repository with fresh keys for root (offline), "
                           "targets (offline), snapshot and timestamp (online)")
    init.add_argument("dir")
    init.add_argument("--url", required=True, help="where public/ will be served (https://...)")
    init.add_argument("--root-keys", type=int, default=3)
    init.add_argument("--root-threshold", type=int, default=2)

    council = sub.add_parser("council").add_subparsers(dest="action", required=True)
    add = council.add_parser("add", help="delegate a council's sites and devices to its own key")
    add.add_argument("council")
    add.add_argument("--council-keys", help="the folder for the council's key (default: the first --keys)")

    device = sub.add_parser("device").add_subparsers(dest="action", required=True)
    enrol = device.add_parser("enrol", help="print a bootstrap bundle for a new terminal")
    enrol.add_argument("site")
    enrol.add_argument("--council", required=True)
    enrol.add_argument("--device-id", required=True)
    enrol.add_argument("--url", help="the repository URL (default: the one given at repo init)")
    register = device.add_parser("register", help="record a terminal's public identity")
    register.add_argument("device_id")
    register.add_argument("identity", help="the JSON file `kiosk provision enrol` printed ('-' for stdin)")
    revoke = device.add_parser("revoke", help="revoke a terminal and withdraw its secrets")
    revoke.add_argument("device_id")
    device.add_parser("list", help="every enrolled terminal")

    profile = sub.add_parser("profile").add_subparsers(dest="action", required=True)
    publish = profile.add_parser("publish", help="validate as a terminal would, then sign for the site")
    publish.add_argument("site")
    publish.add_argument("profile")
    publish.add_argument("--secrets", help="a secrets file with the names the profile refers to "
                         "(values are used for validation only, never published)")
    publish.add_argument("--council", help="the site's council (default: the one it was enrolled under)")

    secrets = sub.add_parser("secrets").add_subparsers(dest="action", required=True)
    seal = secrets.add_parser("publish", help="seal a secrets file to one terminal and sign it")
    seal.add_argument("device_id")
    seal.add_argument("secrets")

    keys = sub.add_parser("keys").add_subparsers(dest="action", required=True)
    rotate = keys.add_parser("rotate", help="replace a role's keys (root, targets, snapshot, "
                             "timestamp, or a council)")
    rotate.add_argument("role")
    rotate.add_argument("--new-keys", help="the folder for the new keys (default: the first --keys)")

    timestamp = sub.add_parser("timestamp").add_subparsers(dest="action", required=True)
    timestamp.add_parser("refresh", help="re-sign timestamp (and snapshot when due): run from cron")
    return top


def _key_folders(args: argparse.Namespace) -> KeyFolders:
    given = args.keys or ([os.environ["KIOSK_ADMIN_KEYS"]] if os.environ.get("KIOSK_ADMIN_KEYS") else [])
    if not given:
        raise RepoError("which key folder? give --keys DIR (or set KIOSK_ADMIN_KEYS)")
    return KeyFolders(Path(folder) for folder in given)


def _read_json(argument: str) -> Any:
    text = sys.stdin.read() if argument == "-" else Path(argument).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except ValueError:
        raise RegistryError(f"{argument} is not JSON") from None


def run(args: argparse.Namespace) -> int:
    if args.area == "repo":
        repo = Repository.init(Path(args.dir), _key_folders(args), root_keys=args.root_keys,
                               root_threshold=args.root_threshold)
        admin.registry(repo).set_setting("repository_url", args.url.rstrip("/"))
        print(f"repository made in {args.dir}; serve {repo.public} at {args.url}. Keep the root and "
              "targets keys offline (docs/provisioning.md, Key custody).")
        return 0
    needs_keys = not (args.area == "device" and args.action in ("enrol", "register", "list"))
    keys = _key_folders(args) if needs_keys else KeyFolders([Path(os.devnull)])
    repo = Repository(Path(args.repo), keys)
    if args.area == "council":
        repo.add_council(args.council, Path(args.council_keys) if args.council_keys else None)
        print(f"council {args.council} delegated; its key signs sites/{args.council}/*/* and "
              f"devices/{args.council}/*/*")
    elif args.area == "device" and args.action == "enrol":
        print(json.dumps(admin.enrol_device(repo, args.site, args.council, args.device_id, args.url),
                         indent=2))
    elif args.area == "device" and args.action == "register":
        entry = admin.register_device(repo, args.device_id, _read_json(args.identity))
        print(f"device {args.device_id} registered for site {entry['site']}")
    elif args.area == "device" and args.action == "revoke":
        withdrawn = admin.revoke_device(repo, args.device_id)
        print(f"device {args.device_id} revoked" + ("; its secrets target withdrawn" if withdrawn else "")
              + ". Rotate the credentials it held at the back office.")
    elif args.area == "device":
        print(json.dumps(admin.registry(repo).devices(), indent=2, sort_keys=True))
    elif args.area == "profile":
        secrets = admin.read_secrets(Path(args.secrets)) if args.secrets else None
        target = admin.publish_profile(repo, args.site, Path(args.profile), secrets, args.council)
        print(f"published {target.path} version {target.custom['version']} ({target.length} bytes)")
    elif args.area == "secrets":
        target = admin.publish_secrets(repo, args.device_id, admin.read_secrets(Path(args.secrets)))
        print(f"published {target.path} version {target.custom['version']}")
    elif args.area == "keys":
        new = repo.rotate(args.role, Path(args.new_keys) if args.new_keys else None)
        print(f"{args.role} now signs with {', '.join(k[:12] for k in new)}; the old key files are in "
              "retired/ (destroy them once every terminal has refreshed)")
    else:
        for warning in repo.refresh_timestamp():
            print(f"warning: {warning}", file=sys.stderr)
        print(f"timestamp version {repo.load('timestamp').signed.version}")
    return 0


def _globals_first(argv: list[str]) -> list[str]:
    """--repo and --keys may be typed anywhere; argparse wants them before the command."""
    front: list[str] = []
    rest: list[str] = []
    words = iter(argv)
    for word in words:
        if word in ("--repo", "--keys"):
            front += [word, next(words, "")]
        elif word.startswith(("--repo=", "--keys=")):
            front.append(word)
        else:
            rest.append(word)
    return front + rest


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(_globals_first(sys.argv[1:] if argv is None else argv))
    try:
        return run(args)
    except ConfigError as exc:
        print(f"kiosk-admin: the profile cannot be published. {exc.describe()}", file=sys.stderr)
        return 2
    except _ERRORS as exc:
        print(f"kiosk-admin: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"kiosk-admin: {exc.filename or ''}: {exc.strerror or type(exc).__name__}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

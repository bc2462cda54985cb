"""`kiosk outbox list|show|retry|discard`: IT's view of the reports waiting on a terminal.

What is printed identifies reports and says why they failed (reference, service, destination,
state, attempts, age, reason, history); never what a resident typed. `show --decrypt` is the
one exception, for IT reconciling a dead letter by hand: only root, only to a terminal, so
the payload cannot end up in a log file, a pipe or a ticket by accident.

The commands are safe while the relay runs: every change is one conditional update in its
own transaction (`kiosk.outbox.dead_letters`). `retry` asks a running relay first, so the
report is sent at once; without one it changes the file and the relay sends it when it
starts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.outbox import Outbox, OutboxRow

DAY = 86400


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    outbox = sub.add_parser("outbox", help="list, inspect, retry or discard reports waiting "
                            "on this terminal (dead letters)")
    actions = outbox.add_subparsers(dest="action", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--state-dir", default="/var/lib/civic-kiosk")
    common.add_argument("--profile", help="the terminal's profile (for its retention limit)")
    listing = actions.add_parser("list", parents=[common],
                                 help="reports waiting or undeliverable, oldest first")
    listing.add_argument("--all", action="store_true", help="delivered and dismissed ones too")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    show = actions.add_parser("show", parents=[common], help="one report and its history")
    show.add_argument("reference")
    show.add_argument("--decrypt", action="store_true",
                      help="also print what the resident sent (root, on a terminal, only)")
    retry = actions.add_parser("retry", parents=[common],
                               help="put a dead letter back in the queue, attempts reset")
    retry.add_argument("reference")
    discard = actions.add_parser("discard", parents=[common],
                                 help="destroy a dead letter's contents and dismiss it")
    discard.add_argument("reference")
    discard.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def run(args: argparse.Namespace) -> int:
    if args.action == "show" and args.decrypt:
        refusal = _decrypt_refusal()
        if refusal is not None:
            print(f"kiosk outbox: not decrypted. {refusal}", file=sys.stderr)
            return 2
    retention = _retention_days(args.profile)
    if retention is None:
        return 2
    state_dir = Path(args.state_dir)
    db = state_dir / "outbox.db"
    if not db.is_file():
        print(f"kiosk outbox: there is no outbox at {db}; is --state-dir the terminal's state "
              "folder (/var/lib/civic-kiosk)?", file=sys.stderr)
        return 2
    from kiosk.outbox import KeyFileError, Outbox, OutboxError, load_or_create_key
    from kiosk.outbox.crypto import KEY_BYTES

    key_file = state_dir / "outbox.key"
    try:
        # Only `show --decrypt` reads payloads; the others work even without the key.
        key = load_or_create_key(key_file) if key_file.exists() else bytes(KEY_BYTES)
        outbox = Outbox(db, key)
    except (KeyFileError, OutboxError, OSError) as exc:
        print(f"kiosk outbox: cannot open {db}: {exc}", file=sys.stderr)
        return 2
    with outbox:
        if args.action == "list":
            return _list(outbox, everything=args.all, as_json=args.json)
        reference = normalise(args.reference)
        if args.action == "show":
            return _show(outbox, reference, retention, decrypt=args.decrypt,
                         has_key=key_file.exists())
        if args.action == "retry":
            return _retry(outbox, reference, state_dir)
        return _discard(outbox, reference, assume_yes=args.yes)


def normalise(reference: str) -> str:
    """As a resident reads it off a receipt: "abcd 2345" or "ABCD-2345" is ABCD2345."""
    return "".join(c for c in reference.upper() if c.isalnum())


def _decrypt_refusal() -> str | None:
    if os.geteuid() != 0:
        return "Only root may read what a resident sent (run it with sudo on the terminal)."
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return ("It prints only to a terminal, never to a pipe or a file: run it "
                "interactively, without redirecting its output.")
    return None


def _retention_days(profile: str | None) -> int | None:
    """The profile's retention limit (30 without a profile); None if the profile is bad."""
    if profile is None:
        return 30
    from kiosk.config_errors import ConfigError
    from kiosk.profile import load_device_profile

    try:
        return load_device_profile(Path(profile)).outbox.retention_days
    except ConfigError as exc:
        print(f"The profile cannot be used. {exc.describe()}", file=sys.stderr)
        return None


def state_of(row: OutboxRow) -> str:
    if row.discarded_at is not None:
        return "discarded"
    if row.erased_at is not None:
        return "expired"
    return row.state


def age(seconds: float) -> str:
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, DAY)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m" if minutes else f"{seconds}s"


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    return f"{datetime.fromtimestamp(epoch, UTC):%Y-%m-%d %H:%M:%S} UTC"


def _summary(row: OutboxRow, now: float) -> dict[str, object]:
    return {"reference": row.reference, "service": row.service_id or "unknown",
            "destination": row.destination, "state": state_of(row), "attempts": row.attempts,
            "age": age(now - row.accepted_at), "reason": row.last_reason or row.last_error or ""}


def _list(outbox: Outbox, *, everything: bool, as_json: bool) -> int:
    now = time.time()
    rows = [_summary(row, now) for row in outbox.rows(everything=everything)]
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    if not rows:
        print("Nothing waiting and no dead letters." if not everything else "The outbox is empty.")
        return 0
    columns = ("reference", "service", "destination", "state", "attempts", "age", "reason")
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns[:-1]}
    print("  ".join(c.upper().ljust(widths.get(c, 0)) for c in columns).rstrip())
    for row in rows:
        print("  ".join(str(row[c]).ljust(widths.get(c, 0)) for c in columns).rstrip())
    return 0


def _find(outbox: Outbox, reference: str) -> OutboxRow | None:
    row = outbox.find(reference)
    if row is None:
        print(f"kiosk outbox: no report with reference {reference} in {outbox.path}",
              file=sys.stderr)
    return row


def _show(outbox: Outbox, reference: str, retention_days: int, *, decrypt: bool,
          has_key: bool) -> int:
    row = _find(outbox, reference)
    if row is None:
        return 1
    now = time.time()
    for name, value in _summary(row, now).items():
        print(f"{name + ':':<14}{value}")
    print(f"{'accepted:':<14}{_when(row.accepted_at)}")
    if row.state == "pending":
        print(f"{'next attempt:':<14}{_when(row.next_attempt_at)}")
    if row.dead_at is not None:
        print(f"{'dead since:':<14}{_when(row.dead_at)}")
    if row.delivered_at is not None:
        print(f"{'delivered:':<14}{_when(row.delivered_at)} (council's id {row.remote_id or '-'})")
    if row.has_payload:
        expires = row.accepted_at + retention_days * DAY
        print(f"{'expires:':<14}{_when(expires)} (retention {retention_days} days)")
    elif row.erased_at is not None:
        print(f"{'contents:':<14}destroyed {_when(row.erased_at)}")
    print("history:")
    for entry in outbox.history(row.submission_id):
        detail = f"  {entry.detail}" if entry.detail else ""
        print(f"  {_when(entry.at)}  {entry.event}{detail}")
    if not decrypt:
        return 0
    if not row.has_payload:
        print("kiosk outbox: nothing to decrypt: its contents were delivered or destroyed",
              file=sys.stderr)
        return 1
    if not has_key:
        print("kiosk outbox: the outbox key file is missing; nothing can be decrypted",
              file=sys.stderr)
        return 2
    from kiosk.outbox import PayloadUnreadable

    try:
        submission = outbox.open_payload(row.submission_id)
    except PayloadUnreadable:
        print("kiosk outbox: the contents cannot be decrypted with this terminal's key",
              file=sys.stderr)
        return 1
    print("contents (do not copy them anywhere else):")
    print(json.dumps(asdict(submission), indent=2, ensure_ascii=False))
    return 0


def _retry(outbox: Outbox, reference: str, state_dir: Path) -> int:
    from kiosk.outbox import RelayClient, RelayUnavailable, socket_path

    via_relay = True
    try:
        result = RelayClient(socket_path(state_dir)).retry(reference)
    except RelayUnavailable:
        via_relay = False
        result = outbox.requeue(reference)
    if result == "requeued":
        when = ("the relay is sending it now" if via_relay
                else "no relay is running: it will be sent when the relay starts")
        print(f"{reference} is back in the queue with its attempts reset; {when}.")
        return 0
    row = outbox.find(reference)
    if result == "unknown" or row is None:
        print(f"kiosk outbox: no report with reference {reference} in {outbox.path}",
              file=sys.stderr)
    elif result == "erased":
        print(f"kiosk outbox: {reference} cannot be sent: its contents were destroyed "
              f"({state_of(row)}). The resident must report it again.", file=sys.stderr)
    else:
        print(f"kiosk outbox: {reference} is {state_of(row)}, not a dead letter; nothing to "
              "retry.", file=sys.stderr)
    return 1


def _discard(outbox: Outbox, reference: str, *, assume_yes: bool) -> int:
    row = _find(outbox, reference)
    if row is None:
        return 1
    if row.state != "dead" or row.discarded_at is not None:
        print(f"kiosk outbox: {reference} is {state_of(row)}; only a dead letter can be "
              "discarded.", file=sys.stderr)
        return 1
    if not assume_yes:
        if not sys.stdin.isatty():
            print("kiosk outbox: not discarded. Confirm on a terminal, or pass --yes.",
                  file=sys.stderr)
            return 2
        answer = input(f"Discard {reference} ({row.service_id or 'unknown'} to "
                       f"{row.destination})? Its contents will be destroyed for good. "
                       "Type yes to discard: ")
        if answer.strip().lower() != "yes":
            print("Nothing was changed.")
            return 1
    result = outbox.discard(reference)
    if result != "discarded":  # changed by someone else since we looked
        print(f"kiosk outbox: not discarded ({result.replace('_', ' ')}).", file=sys.stderr)
        return 1
    print(f"{reference} discarded: its contents are destroyed and it is no longer listed.")
    return 0

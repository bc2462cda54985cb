"""`kiosk-hub account ...`: make and change staff accounts from the hub's own machine.

    kiosk-hub account add NAME --role it          asks for the password twice
    printf '%s\\n' "$PW" | kiosk-hub account add NAME --role staff --password-stdin
    kiosk-hub account list
    kiosk-hub account disable NAME | enable NAME
    kiosk-hub account reset-password NAME [--password-stdin]
    kiosk-hub account audit [--limit 50] [--account NAME]

A password is never an argument (it would show in `ps` and the shell's history). The
database is the hub's own (--database, KIOSK_HUB_DATABASE_URL, else the state folder's
SQLite file), so run these as the user the hub runs as.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TextIO

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.accounts import (
    ROLE_DESCRIPTIONS,
    ROLES,
    AccountError,
    add_account,
    as_role,
    check_name,
    check_password,
    list_accounts,
    recent_events,
    reset_password,
    set_disabled,
)
from hub.cli_database import database_options, run_on_database
from hub.migrate import SchemaNotReady, ready_database
from hub.passwords import Passwords

Ask = Callable[[str], str]


def _parser() -> argparse.ArgumentParser:
    common = database_options()
    parser = argparse.ArgumentParser(
        prog="kiosk-hub account", description="Staff accounts for the hub's pages.",
        epilog="Roles: " + "; ".join(f"{r}: {d}" for r, d in ROLE_DESCRIPTIONS.items()))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add = commands.add_parser("add", parents=[common], help="make an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    commands.add_parser("list", parents=[common], help="list accounts")
    for name, text in (("disable", "stop an account signing in, and sign it out everywhere"),
                       ("enable", "let a disabled account sign in again")):
        command = commands.add_parser(name, parents=[common], help=text)
        command.add_argument("name")
    reset = commands.add_parser("reset-password", parents=[common],
                                help="set a new password and sign the account out everywhere")
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true",
                       help="read the password from the first line of standard input")
    audit = commands.add_parser("audit", parents=[common],
                                help="recent sign-ins, failures and account changes")
    audit.add_argument("--limit", type=int, default=50)
    audit.add_argument("--account", help="only this account's events")
    return parser


def read_password(from_stdin: bool, stdin: TextIO, ask: Ask) -> str:
    """From stdin's first line, or asked twice at the terminal (never echoed)."""
    if from_stdin:
        line = stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
        check_password(password)
        return password
    if not stdin.isatty():
        raise AccountError("no terminal to ask for the password on: use --password-stdin")
    password = ask("New password: ")
    check_password(password)
    if ask("The same password again: ") != password:
        raise AccountError("the two passwords are not the same; nothing was changed")
    return password


def _who(environ: Mapping[str, str]) -> str:
    user = environ.get("SUDO_USER") or environ.get("USER") or ""
    if not user:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
    return f"command line ({user})"


def _when(moment: datetime | None) -> str:
    return "never" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def _run(options: argparse.Namespace, sessions: sessionmaker[Session], passwords: Passwords,
         stdin: TextIO, ask: Ask, who: str) -> None:
    command = options.command
    if command == "add":
        check_name(options.name)  # before the password is typed, not after
        password = read_password(options.password_stdin, stdin, ask)
        add_account(sessions, passwords, options.name, as_role(options.role), password, by=who)
        print(f"kiosk-hub: added {options.name.strip().lower()} ({options.role})")
    elif command == "list":
        accounts = list_accounts(sessions)
        if not accounts:
            print("No accounts yet: add one with `kiosk-hub account add NAME --role it`.")
        for info in accounts:
            state = "disabled" if info.disabled else "active"
            print(f"{info.name:<24} {info.role:<8} {state:<9} "
                  f"last signed in {_when(info.last_signed_in)}")
    elif command in ("disable", "enable"):
        set_disabled(sessions, options.name, command == "disable", by=who)
        print(f"kiosk-hub: {options.name.strip().lower()} {command}d")
    elif command == "reset-password":
        password = read_password(options.password_stdin, stdin, ask)
        reset_password(sessions, passwords, options.name, password, by=who)
        print(f"kiosk-hub: new password set for {options.name.strip().lower()}; "
              "its sessions have ended")
    elif command == "audit":
        for event in recent_events(sessions, max(1, options.limit), options.account):
            print(f"{_when(event.at)}  {event.event:<16} {event.account_name or '-':<24} "
                  f"{event.client or '-':<15} {event.detail}".rstrip())


def main(argv: Sequence[str], environ: Mapping[str, str] | None = None,
         stdin: TextIO | None = None, ask: Ask = getpass.getpass,
         passwords: Passwords | None = None) -> int:
    """0 done, 1 refused (one line on stderr), 2 bad arguments (argparse's exit)."""
    environ = os.environ if environ is None else environ
    options = _parser().parse_args(argv)

    def work(engine: Engine, url: str) -> int:
        _run(options, ready_database(engine), passwords or Passwords(), stdin or sys.stdin, ask,
             _who(environ))
        return 0

    return run_on_database("kiosk-hub account", options.database, options.state_dir, environ,
                           work, (AccountError, SchemaNotReady))

"""The moment after a visit is wiped, when the terminal may change itself.

A resident is never interrupted by IT: a new profile from provisioning, a restart or a reboot
asked for in the profile all wait for the terminal's `between_sessions` event (a visit just
wiped and verified, the attract screen back). Each is recorded before it is acted on, so a
power cut in the middle can neither repeat it forever nor lose it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time
from typing import Protocol

from kiosk.remote_commands import CommandLedger, RemoteCommandSettings, due, started

log = logging.getLogger(__name__)


class PendingProfiles(Protocol):
    """What this needs of `kiosk.profile_store.ProfileStore`."""

    def pending(self) -> str | None: ...

    def apply_pending(self) -> str | None: ...


class BetweenSessions:
    """Subscribe `run` to the terminal's `between_sessions` event; call `started` once the
    screen is up on its profile."""

    def __init__(self, commands: RemoteCommandSettings | None, ledger: CommandLedger, *,
                 local_time: Callable[[], time], restart: Callable[[], None],
                 reboot: Callable[[], None], profiles: PendingProfiles | None = None) -> None:
        self.commands = commands
        self.ledger = ledger
        self.local_time = local_time
        self.restart = restart
        self.reboot = reboot
        self.profiles = profiles

    def started(self) -> None:
        started(self.commands, self.ledger)

    def run(self) -> str | None:
        """Do at most one thing; returns what was done ("profile", "restart", "reboot")."""
        if self.profiles is not None and self.profiles.pending() is not None:
            version = self.profiles.apply_pending()
            if version is not None:
                log.info("profile %s applied between sessions; restarting on it", version)
                self.restart()
                return "profile"
        asked = due(self.commands, self.ledger, self.local_time())
        if asked is None:
            return None
        self.ledger.record(asked)
        log.info("IT asked for a %s (token %s); doing it between sessions", asked.action,
                 asked.token)
        (self.reboot if asked.action == "reboot" else self.restart)()
        return asked.action


def local_now() -> time:
    return datetime.now().astimezone().time()

"""What council IT asks a terminal to do through its signed profile, and when it may.

IT cannot log in to a kiosk, so the profile (a signed, published target) carries the few
things IT may ask: restart the app, reboot in a maintenance window, take the terminal out of
service, leave a message for staff. A restart or a reboot is asked for with a token: a token
the terminal has not acted on before is done once, between sessions, and remembered in the
state folder, so re-applying the same profile (after a restart, say) never loops. Applying a
new profile restarts the app anyway, so a new restart token is satisfied by that start. Nothing
here ever interrupts a resident: the screen asks `due` only when a visit has just been wiped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kiosk.config_errors import FieldProblems
from kiosk.localtext import LocalText
from kiosk.profile_store import write_durably

Action = Literal["restart", "reboot"]
LEDGER = "remote-commands.json"
_TOKEN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Window(_Strict):
    """A span of local time, e.g. 02:00 to 05:00; it may run past midnight (23:00 to 01:00)."""

    opens: time
    closes: time

    @model_validator(mode="after")
    def _not_empty(self) -> Window:
        if self.opens == self.closes:
            raise FieldProblems([(("closes",), "a time other than opens", f"{self.closes:%H:%M}")])
        return self

    def contains(self, moment: time) -> bool:
        if self.opens < self.closes:
            return self.opens <= moment < self.closes
        return moment >= self.opens or moment < self.closes


class Reboot(_Strict):
    token: str = Field(pattern=_TOKEN, description="A new token asks for one reboot.")
    window: Window = Field(description="Only between sessions inside this local-time window.")


class RemoteCommandSettings(_Strict):
    """The profile's `commands:` section."""

    restart: str | None = Field(default=None, pattern=_TOKEN,
                                description="A new token restarts the app once, between sessions.")
    reboot: Reboot | None = None
    maintenance: bool = Field(default=False, description="Out of service: residents cannot start.")
    staff_message: LocalText | None = Field(default=None,
                                            description="Shown on the staff panel until removed.")


@dataclass(frozen=True)
class Due:
    action: Action
    token: str


class CommandLedger:
    """The tokens this terminal has acted on, kept with fsync so a power cut after a reboot
    was asked for cannot make the terminal reboot twice, nor forget it did."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LEDGER

    def done(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            # A ledger we cannot read: act as if every token were done, rather than loop.
            return {"restart": "*", "reboot": "*"}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}

    def record(self, due: Due) -> None:
        data = {**self.done(), due.action: due.token}
        write_durably(self.path, json.dumps(data, sort_keys=True).encode(), 0o600)


def started(settings: RemoteCommandSettings | None, ledger: CommandLedger) -> None:
    """The app has just started on this profile: a restart it asks for has happened. On a
    terminal's first profile a reboot token is history too (an enrolment must not reboot a
    terminal because the site's profile once asked its terminals to)."""
    if settings is None:
        return
    first = not ledger.path.exists()
    done = ledger.done()
    if settings.restart and done.get("restart") != settings.restart:
        ledger.record(Due("restart", settings.restart))
    if first and settings.reboot:
        ledger.record(Due("reboot", settings.reboot.token))


def due(settings: RemoteCommandSettings | None, ledger: CommandLedger, local_now: time) -> Due | None:
    """The one thing to do now that a visit has ended, if any: a reboot (in its window)
    before a restart, since a reboot restarts the app too."""
    if settings is None:
        return None
    done = ledger.done()
    if (settings.reboot and done.get("reboot") not in (settings.reboot.token, "*")
            and settings.reboot.window.contains(local_now)):
        return Due("reboot", settings.reboot.token)
    if settings.restart and done.get("restart") not in (settings.restart, "*"):
        return Due("restart", settings.restart)
    return None

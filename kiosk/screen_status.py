"""The screen's device status, left in a small file for the relay's heartbeat to read.

The screen owns the peripherals (printer, card reader) and probes them (`kiosk.health`); the
relay is a separate process that sends the heartbeat. Rather than give the relay a second
connection to each device, the screen writes what it last found here each time its health
monitor refreshes, and the relay reads it. The file holds check ids, state ids and levels:
stable short codes from the probes, never text and nothing a resident typed.

Written to a temporary file and renamed into place, so a reader never sees half a file. Not
fsync'd: it is rewritten every poll, and after a power cut a missing or older file only
means the heartbeat says the screen has not reported yet.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kiosk.health import DeviceStatus

log = logging.getLogger(__name__)

SCREEN_STATUS_FILE = "screen-status.json"
_MAX_BYTES = 16 * 1024
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,63}$", re.ASCII)
_LEVELS = frozenset({"ok", "warning", "fault", "unknown"})


@dataclass(frozen=True)
class ScreenReport:
    """What the screen last wrote: check id -> (state, level), and how old it is."""

    checks: Mapping[str, tuple[str, str]]
    age_seconds: float


class ScreenStatusFile:
    """`write` is the health monitor's hook on the screen; `read` is the relay's side."""

    def __init__(self, state_dir: Path, wall: Callable[[], float] = time.time) -> None:
        self.path = state_dir / SCREEN_STATUS_FILE
        self.wall = wall

    def write(self, status: DeviceStatus) -> None:
        checks = {c.id: {"state": c.state, "level": str(c.level)} for c in status.checks
                  if _CODE.match(c.id) and _CODE.match(c.state)}
        data = json.dumps({"written_at": self.wall(), "checks": checks}, sort_keys=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data.encode("ascii"))
        finally:
            os.close(fd)
        os.replace(temporary, self.path)

    def read(self) -> ScreenReport | None:
        """The last report, or None if there is none or it cannot be read (the screen has
        not probed yet, or never ran on this state directory)."""
        try:
            with self.path.open("rb") as handle:
                raw = handle.read(_MAX_BYTES + 1)
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.debug("screen status unreadable: %s", type(exc).__name__)
            return None
        if len(raw) > _MAX_BYTES:
            return None
        try:
            data = json.loads(raw)
            written = float(data["written_at"])
            found = data["checks"]
        except (ValueError, TypeError, KeyError):
            return None
        if not isinstance(found, dict):
            return None
        checks: dict[str, tuple[str, str]] = {}
        for check_id, entry in found.items():
            if not isinstance(entry, dict):
                continue
            state, level = entry.get("state"), entry.get("level")
            if (isinstance(check_id, str) and _CODE.match(check_id) and isinstance(state, str)
                    and _CODE.match(state) and level in _LEVELS):
                checks[check_id] = (state, str(level))
        return ScreenReport(checks, max(0.0, self.wall() - written))

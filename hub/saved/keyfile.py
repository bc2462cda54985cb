"""The hub's key for saved applications: 32 random bytes in a file only the hub can read.

Made on first use (written to a temporary file, then hard-linked into place, so two hub
processes starting together agree on one key). A key file others can read is refused: the
key is what keeps every saved application unreadable in a copy of the database. Hubs that
share a PostgreSQL database must share this file too (docs/hub.md, "Saved applications").
"""

from __future__ import annotations

import stat
from pathlib import Path

from kiosk.outbox.crypto import KEY_BYTES, create_key_file


class SavedKeyError(Exception):
    """The key file cannot be used; the message names the file and what to do."""


def load_or_create_saved_key(path: Path) -> bytes:
    existing = _read(path)
    if existing is not None:
        return existing
    create_key_file(path)  # the outbox key's way: whole or absent, one winner of a race
    key = _read(path)
    if key is None:
        raise SavedKeyError(f"saved applications key file {path} vanished while being created")
    return key


def _read(path: Path) -> bytes | None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SavedKeyError(f"saved applications key file {path} can be read by others "
                            f"(mode {stat.S_IMODE(mode):o}): expected 600; run "
                            f"`chmod 600 {path}`")
    data = path.read_bytes()
    if len(data) != KEY_BYTES:
        raise SavedKeyError(f"saved applications key file {path} holds {len(data)} bytes, "
                            f"expected {KEY_BYTES}: it is damaged or not ours. Saved "
                            "applications cannot be opened without the original key: restore "
                            "it, or move it aside (the saved applications are then lost)")
    return data

"""The hub's key for saved applications: 32 random bytes in a file only the hub can read.

Made on first use (written to a temporary file, then hard-linked into place, so two hub
processes starting together agree on one key). A key file others can read is refused: the
key is what keeps every saved application unreadable in a copy of the database. Hubs that
share a PostgreSQL database must share this file too (docs/hub.md, "Saved applications").
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

KEY_BYTES = 32


class SavedKeyError(Exception):
    """The key file cannot be used; the message names the file and what to do."""


def load_or_create_saved_key(path: Path) -> bytes:
    existing = _read(path)
    if existing is not None:
        return existing
    parent = path.parent
    if not parent.exists():
        parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        parent.chmod(0o700)  # mkdir's mode is filtered by the umask
    tmp = parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, secrets.token_bytes(KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(FileExistsError):  # another hub process won the race
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
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

"""The single-relay lock: at most one deliverer per outbox file, across processes.

Two relays reading the same due row would both POST it, and a back office without
idempotency would then open two cases for one report. `flock` rather than a lease column:
the kernel drops it when its holder dies, so a crashed relay never leaves a stale lease.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from pathlib import Path


class RelayBusy(Exception):
    """Another relay already delivers from this outbox."""


class RelayLock:
    """An exclusive, non-blocking `flock`, re-entrant within its owner."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._guard = threading.Lock()
        self._fd: int | None = None
        self._depth = 0

    @property
    def path(self) -> Path:
        return self._path

    @property
    def held(self) -> bool:
        return self._depth > 0

    def acquire(self) -> None:
        with self._guard:
            if self._depth == 0:
                self._fd = self._take()
            self._depth += 1

    def release(self) -> None:
        with self._guard:
            if self._depth == 0:
                raise RuntimeError("relay lock released more often than acquired")
            self._depth -= 1
            if self._depth == 0 and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
                self._fd = None

    def _take(self) -> int:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise RelayBusy(
                f"another relay{holder} is already delivering from this outbox "
                f"(lock {self._path} is held); run only one relay per outbox"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        # The holder's pid is for the error message above; the lock itself is the flock.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return fd


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (pid {text})" if text.isdigit() else ""

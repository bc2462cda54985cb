"""Run a real kiosk process for a test, read what it prints with a deadline, and stop it."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.kiosk_fixtures import demo_profile_copy


def kiosk_command() -> list[str]:
    """The installed `kiosk` command of this environment (what `script/bootstrap` makes)."""
    script = Path(sys.executable).with_name("kiosk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kiosk.cli"]


class Watched:
    """A process whose stdout and stderr are read together, line by line, with deadlines."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path) -> None:
        self.lines: list[str] = []
        self._partial = b""
        self.proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env=env, cwd=cwd,
        )
        assert self.proc.stdout is not None
        os.set_blocking(self.proc.stdout.fileno(), False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.proc.stdout, selectors.EVENT_READ)

    def read(self, timeout: float) -> None:
        """Collect whatever the process printed within `timeout` seconds (at most)."""
        assert self.proc.stdout is not None
        if not self._selector.select(timeout):
            return
        try:
            chunk = self.proc.stdout.read()
        except BlockingIOError:
            return
        if not chunk:
            return
        data = self._partial + chunk
        *done, self._partial = data.split(b"\n")
        self.lines.extend(line.decode("utf-8", "replace") for line in done)

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0 or (self.proc.poll() is not None and not self._pending()):
                raise AssertionError(f"{what}: not within {timeout} s (exit "
                                     f"{self.proc.poll()}); output:\n" + self.output())
            self.read(min(left, 0.1))

    def wait_for_line(self, text: str, timeout: float) -> str:
        found: list[str] = []

        def seen() -> bool:
            found.extend(line for line in self.lines if text in line)
            return bool(found)

        self.wait_for(seen, timeout, f"a line with {text!r}")
        return found[0]

    def _pending(self) -> bool:
        return bool(self._selector.select(0))

    def output(self) -> str:
        return "\n".join(self.lines[-60:])

    def terminate(self, timeout: float) -> int:
        """SIGTERM, then the exit status (drains output meanwhile so the pipe never fills)."""
        self.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.read(0.1)
        code = self.proc.poll()
        assert code is not None, f"no exit {timeout} s after SIGTERM; output:\n{self.output()}"
        self.read(0)
        return code

    def stop(self) -> None:
        """Whatever happened in the test: the process is gone afterwards."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._selector.close()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


class KioskProcess(Watched):
    """`kiosk run` on a copy of the demo profile (mode demo, hub on a closed port, so no hub
    is needed and none is reached)."""

    def __init__(self, work: Path, env: dict[str, str]) -> None:
        work.mkdir(parents=True, exist_ok=True)
        profile = demo_profile_copy(work)
        super().__init__([*kiosk_command(), "run", "--profile", str(profile), "--state-dir",
                          str(work / "state")], env, work)

"""Start a real `kiosk relay` process for tests and benchmarks, and always stop it.

    with running_relay(profile, state_dir, tmp_path) as relay:
        RelayClient(relay.socket).status()

Ready means its socket answers a status request. Stopped with SIGTERM (as systemd does),
killed after 10 s; its output goes to a file, never to a pipe nobody reads.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kiosk.outbox import RelayClient, RelayUnavailable, socket_path
from tests.hub_server import REPO_ROOT

STARTUP_DEADLINE = 20.0
STOP_TIMEOUT = 10.0


class RelayStartError(RuntimeError):
    """The relay exited or never answered on its socket; the message carries its output."""


@dataclass
class RelayProcess:
    process: subprocess.Popen[bytes]
    socket: Path
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        """SIGTERM, as systemd stops it; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@contextmanager
def running_relay(profile: Path, state_dir: Path, log_dir: Path, *,
                  interval: float = 30.0,
                  extra_env: dict[str, str] | None = None) -> Iterator[RelayProcess]:
    env = dict(os.environ) | (extra_env or {})
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", ""))
                                        if p)
    env["PYTHONUNBUFFERED"] = "1"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "relay.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "relay", "--profile", str(profile),
             "--state-dir", str(state_dir), "--interval", str(interval)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=REPO_ROOT,
            env=env,
        )
    relay = RelayProcess(process, socket_path(state_dir), log_path)
    try:
        _wait_until_ready(relay)
        yield relay
    finally:
        relay.stop()


def _wait_until_ready(relay: RelayProcess) -> None:
    client = RelayClient(relay.socket)
    deadline = time.monotonic() + STARTUP_DEADLINE
    while time.monotonic() < deadline:
        if relay.process.poll() is not None:
            raise RelayStartError(f"the relay exited with status {relay.process.returncode}:\n"
                                  f"{relay.output()}")
        try:
            client.status(timeout=1.0)
            return
        except RelayUnavailable:
            time.sleep(0.05)
    raise RelayStartError(f"the relay did not answer within {STARTUP_DEADLINE:g} s:\n"
                          f"{relay.output()}")

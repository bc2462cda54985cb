"""Start the real hub (`python -m hub`) in a subprocess for end-to-end tests.

    from tests.hub_server import running_hub

    def test_something(tmp_path):
        with running_hub(tmp_path) as hub:
            requests.get(hub.open311_url + "/services.json")

The process is always stopped on exit (terminate, then kill after 5 s), so no server
outlives its test. Output goes to files in `tmp_path`, never to a pipe nobody reads.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
STARTUP_DEADLINE = 20.0
POLL_INTERVAL = 0.05
STOP_TIMEOUT = 5.0
_PORT_ATTEMPTS = 3


class HubStartError(RuntimeError):
    """The hub process died or never answered; the message carries its output."""


@dataclass(frozen=True)
class HubProcess:
    base_url: str
    open311_url: str
    port: int
    api_key: str
    database_url: str
    stdout_path: Path
    stderr_path: Path
    process: subprocess.Popen[bytes]

    def status_url(self, reference: str) -> str:
        return f"{self.base_url}/status/{reference}"

    def output(self) -> str:
        """Everything the server has written so far, for assertion messages."""
        return _read(self.stdout_path) + _read(self.stderr_path)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_HUB_")}
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1.0) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _start(tmp_path: Path, port: int, args: Sequence[str]) -> tuple[subprocess.Popen[bytes],
                                                                     Path, Path]:
    stdout_path = tmp_path / f"hub-{port}.stdout.log"
    stderr_path = tmp_path / f"hub-{port}.stderr.log"
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "hub", "--host", "127.0.0.1", "--port", str(port), *args],
            stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=REPO_ROOT, env=_environment(),
        )
    return process, stdout_path, stderr_path


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, stderr_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise HubStartError(f"the hub exited with status {process.returncode}:\n"
                                f"{_read(stderr_path)}")
        if _answers(url):
            return
        time.sleep(POLL_INTERVAL)
    raise HubStartError(f"the hub did not answer {url} within {STARTUP_DEADLINE:g} s:\n"
                        f"{_read(stderr_path)}")


@contextmanager
def running_hub(
    tmp_path: Path,
    *,
    api_keys: Sequence[str] = ("demo-kiosk-key",),
    catalogue: Path | None = None,
    council_name: str | None = None,
    extra_args: Sequence[str] = (),
    port: int | None = None,
    database_url: str | None = None,
) -> Iterator[HubProcess]:
    """A real hub on a free 127.0.0.1 port (or `port`, to bring a stopped hub back where its
    clients expect it) with its database at `tmp_path/hub.db`, or at `database_url` (which
    must then be migrated already, as PostgreSQL must)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    database_url = database_url or f"sqlite:///{tmp_path / 'hub.db'}"
    args = ["--database", database_url, "--log-level", "warning"]
    for key in api_keys:
        args += ["--api-key", key]
    if catalogue is not None:
        args += ["--catalogue", str(catalogue)]
    if council_name is not None:
        args += ["--council-name", council_name]
    args += list(extra_args)
    chosen = port
    for attempt in range(_PORT_ATTEMPTS):
        port = chosen or free_port()
        process, stdout_path, stderr_path = _start(tmp_path, port, args)
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_ready(process, f"{base_url}/open311/v2/discovery.json", stderr_path)
        except HubStartError:
            _stop(process)
            # Another process may have taken the free port between our probe and the bind.
            if ("already in use" in _read(stderr_path) and attempt + 1 < _PORT_ATTEMPTS
                    and chosen is None):
                continue
            raise
        except BaseException:
            _stop(process)
            raise
        break
    try:
        yield HubProcess(
            base_url=base_url,
            open311_url=f"{base_url}/open311/v2",
            port=port,
            api_key=api_keys[0] if api_keys else "",
            database_url=database_url,
            stdout_path=stdout_path,
            stderr_path=stderr_path,
            process=process,
        )
    finally:
        _stop(process)

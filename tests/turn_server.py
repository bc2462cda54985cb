"""Start a real coturn (`/usr/bin/turnserver`) on 127.0.0.1 for tests, and always stop it.

    with running_turn(tmp_path) as turn:
        username, credential = turn_credentials(turn.secret, "peer-1")  # signal_relay.py
        ice_servers = [{"urls": [turn.url], "username": username, "credential": credential}]

coturn runs with no configuration file (`-n`): everything it does is on the command line
below, its log, pid file and user database go to `tmp_path`, and it listens on loopback
only. Credentials are coturn's REST-API scheme (`--use-auth-secret`), as the hub gives them
(docs/calls.md §2.4). It is ready when it answers a STUN Binding request on its UDP port;
it is stopped with SIGTERM, killed after 5 s.

Why these flags on loopback (checked here with coturn 4.6.1):
  --allow-loopback-peers   needed: the peers' addresses are 127.0.0.1, and without it every
                           CREATE_PERMISSION fails ("error 403: Forbidden IP" in the log), ICE
                           fails and no media flows. Never in production (coturn warns too).
  --listening-ip=127.0.0.1 keeps it off every other interface (the tests' rule);
  --relay-ip=127.0.0.1     not strictly needed (coturn relays from the listening address
                           anyway) but says where the relayed media comes from;
  --min-port/--max-port    a narrow relay port range, so parallel runs rarely collide.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import struct
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.needs import require_or_skip

TURNSERVER = Path("/usr/bin/turnserver")
STARTUP_DEADLINE = 15.0
STOP_TIMEOUT = 5.0
_STUN_MAGIC = 0x2112A442
_BINDING_REQUEST = 0x0001
_BINDING_SUCCESS = 0x0101


class TurnStartError(RuntimeError):
    """coturn exited or never answered; the message carries its log."""


@dataclass(frozen=True)
class TurnServer:
    port: int
    secret: str
    realm: str
    log_path: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"turn:127.0.0.1:{self.port}?transport=udp"

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""


def _free_udp_port() -> int:
    """A port free for both UDP and TCP (coturn listens on both)."""
    for _ in range(20):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port: int = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            if port < 60000:
                return port
    raise TurnStartError("no free port for coturn on 127.0.0.1")


def stun_answers(port: int, timeout: float = 0.3) -> bool:
    """Whether a STUN Binding request to 127.0.0.1:port gets a success response."""
    transaction = secrets.token_bytes(12)
    request = struct.pack("!HHI", _BINDING_REQUEST, 0, _STUN_MAGIC) + transaction
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(request, ("127.0.0.1", port))
            data, _ = sock.recvfrom(2048)
        except OSError:  # timeout, or ICMP port unreachable reported as a refusal
            return False
    if len(data) < 20:
        return False
    kind, _length, magic = struct.unpack("!HHI", data[:8])
    return kind == _BINDING_SUCCESS and magic == _STUN_MAGIC and data[8:20] == transaction


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT)


def turn_command(port: int, secret: str, realm: str, folder: Path) -> list[str]:
    relay_low = 40000 + (port % 20000)
    return [
        str(TURNSERVER), "-n",
        "--listening-ip=127.0.0.1", f"--listening-port={port}",
        "--relay-ip=127.0.0.1", f"--min-port={relay_low}", f"--max-port={relay_low + 200}",
        "--use-auth-secret", f"--static-auth-secret={secret}", f"--realm={realm}",
        "--allow-loopback-peers", "--no-cli", "--no-tls", "--no-dtls", "--no-rfc5780",
        "--no-multicast-peers", "--fingerprint",
        f"--log-file={folder / 'turnserver.log'}", "--simple-log", "--no-stdout-log",
        f"--pidfile={folder / 'turnserver.pid'}", f"--db={folder / 'turndb'}",
        "--verbose",
    ]


@contextmanager
def running_turn(tmp_path: Path) -> Iterator[TurnServer]:
    """coturn on a free 127.0.0.1 port with a fresh secret; stopped on the way out."""
    require_or_skip(TURNSERVER.is_file() and os.access(TURNSERVER, os.X_OK),
                    f"{TURNSERVER} is not installed (script/bootstrap --test installs coturn)")
    folder = tmp_path / "coturn"
    folder.mkdir(parents=True, exist_ok=False)
    port = _free_udp_port()
    secret = secrets.token_urlsafe(24)
    realm = "kiosk.test"
    output = folder / "turnserver.out"
    with output.open("wb") as sink:
        process = subprocess.Popen(turn_command(port, secret, realm, folder), cwd=folder,
                                   stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT)
    server = TurnServer(port, secret, realm, folder / "turnserver.log", process)
    try:
        deadline = time.monotonic() + STARTUP_DEADLINE
        while not stun_answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                state = (f"exited with {process.returncode}" if process.poll() is not None
                         else f"did not answer STUN within {STARTUP_DEADLINE:.0f} s")
                raise TurnStartError(f"coturn on 127.0.0.1:{port} {state}:\n{server.log()}"
                                     f"{output.read_text(errors='replace')}")
        yield server
    finally:
        _stop(process)

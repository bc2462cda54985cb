"""A real PostgreSQL server owned by the test session (or a benchmark), on 127.0.0.1.

    with running_postgres() as server:
        url = server.create_database("hub_one")   # postgresql+psycopg://test@127.0.0.1:PORT/...

Debian's `postgresql` package (installed by `script/bootstrap --test`) gives the binaries in
/usr/lib/postgresql/<version>/bin; the packaged cluster is not used. `initdb` and `postgres`
refuse to run as root, so as root (CI) they run as the `postgres` user through `runuser`,
in a folder made for them under /tmp (pytest's own temporary folders are closed to other
users). A free port, the socket in that folder, trust authentication for user `test` on
127.0.0.1 only; stopped (fast, then by signal) and deleted on exit, so nothing is left
running. A server whose owner was killed before it could stop it (its folder's `owner.pid`
names a process that is gone) is stopped and deleted by the next one to start.
`durable=False` (the tests) turns fsync off: speed, not crash safety, matters there.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.hub_server import free_port

USER = "test"
START_TIMEOUT = 60.0
_PORT_ATTEMPTS = 3


class PostgresStartError(RuntimeError):
    """initdb or the server failed; the message carries its log."""


def postgres_bin() -> Path | None:
    """The newest installed server's binaries, or None if there is no server package."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                   else 0)
    return found[-1].parent if found else None


@dataclass(frozen=True)
class PostgresServer:
    port: int
    folder: Path

    def url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{USER}@127.0.0.1:{self.port}/{database}"

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname="postgres",
                               autocommit=True)

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new, empty database (or a copy of `template`); its SQLAlchemy URL."""
        clause = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"{clause}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _as_postgres(command: Sequence[str]) -> list[str]:
    """Run as the `postgres` user when we are root (initdb and postgres refuse root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


def _run(command: Sequence[str], log: Path) -> None:
    result = subprocess.run(_as_postgres(command), capture_output=True, text=True,
                            timeout=START_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        server_log = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        raise PostgresStartError(f"{command[0]} failed ({result.returncode}):\n{result.stdout}"
                                 f"{result.stderr}{server_log}")


def _stop(bin_dir: Path, data: Path, log: Path) -> None:
    try:
        _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop"],
             log)
    except (PostgresStartError, subprocess.TimeoutExpired):
        pid_file = data / "postmaster.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text(encoding="ascii").split()[0])
            try:
                os.kill(pid, signal.SIGQUIT)  # immediate shutdown
            except ProcessLookupError:
                return
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.05)
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_orphans(bin_dir: Path, parent: Path) -> None:
    """Stop and delete servers left by test runs that were killed before they could."""
    for folder in parent.glob("kiosk-pg-*"):
        try:
            owner = int((folder / "owner.pid").read_text(encoding="ascii"))
        except (OSError, ValueError):
            continue  # still being set up, or not one of ours
        if _alive(owner):
            continue
        _stop(bin_dir, folder / "data", folder / "server.log")
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def running_postgres(*, durable: bool = False, max_connections: int = 200
                     ) -> Iterator[PostgresServer]:
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise PostgresStartError("PostgreSQL is not installed (script/bootstrap --test)")
    # As root, in /tmp itself: TMPDIR may be a folder of root's the postgres user cannot enter.
    parent = Path("/tmp") if os.geteuid() == 0 else Path(tempfile.gettempdir())
    _stop_orphans(bin_dir, parent)
    folder = Path(tempfile.mkdtemp(prefix="kiosk-pg-", dir=parent))
    try:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        data, log = folder / "data", folder / "server.log"
        (folder / "owner.pid").write_text(str(os.getpid()), encoding="ascii")
        _run([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", USER, "-E", "UTF8",
              "--locale=C", "--no-sync"], log)
        options = [f"-k {folder}", "-c listen_addresses=127.0.0.1",
                   f"-c max_connections={max_connections}"]
        if not durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        for attempt in range(_PORT_ATTEMPTS):
            port = free_port()
            try:
                _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w",
                      "-t", str(int(START_TIMEOUT)), "-o", " ".join([*options, f"-p {port}"]),
                      "start"], log)
            except PostgresStartError:
                _stop(bin_dir, data, log)
                if attempt + 1 == _PORT_ATTEMPTS:  # else another process took the port
                    raise
                continue
            break
        try:
            yield PostgresServer(port=port, folder=folder)
        finally:
            _stop(bin_dir, data, log)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

"""A Debian-shaped root in a temporary folder, with systemd/install.sh run into it.

What a blank Debian 12 root holds before install.sh runs is seeded from this machine's own
Debian packages, never made up: /etc/passwd and /etc/group from base-passwd's master copies
(what debootstrap starts a root with), and systemd's unit folder (graphical.target and the
rest, as the systemd package lays it). For `systemd-analyze verify`, which checks that each
ExecStart program exists and is executable, the programs the packages step would install
(cage, env, python3 ...) are copied from this machine, following their symlinks exactly:
the units are verified against the real Debian binaries, not stand-ins.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tests.needs import require_or_skip, require_program

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "systemd" / "install.sh"
UNIT_DIR = Path("/lib/systemd/system")
BASE_PASSWD = Path("/usr/share/base-passwd")


def need_tools() -> str:
    """systemd-analyze's path; skips (or fails under CI) when this machine lacks the tools."""
    require_program("useradd", "useradd (Debian package passwd)")
    require_program("systemctl", "systemctl (Debian package systemd)")
    require_or_skip((BASE_PASSWD / "passwd.master").exists() and (UNIT_DIR / "graphical.target").exists(),
                    "base-passwd and systemd's unit files (script/bootstrap --test)")
    return require_program("systemd-analyze", "systemd-analyze (Debian package systemd)")


def blank_root(root: Path) -> Path:
    """A root as debootstrap leaves it, as far as install.sh looks: users, groups, units."""
    (root / "etc").mkdir(parents=True)
    shutil.copyfile(BASE_PASSWD / "passwd.master", root / "etc" / "passwd")
    shutil.copyfile(BASE_PASSWD / "group.master", root / "etc" / "group")
    for secret in ("shadow", "gshadow"):
        (root / "etc" / secret).touch(mode=0o640)
    (root / "lib" / "systemd").mkdir(parents=True)
    shutil.copytree(UNIT_DIR, root / "lib" / "systemd" / "system", symlinks=True)
    return root


@dataclass
class Run:
    returncode: int
    output: str


def run_install(root: Path, *args: str, source: Path = REPO) -> Run:
    done = subprocess.run(["bash", str(INSTALL), "--root", str(root), "--skip-packages",
                           "--source", str(source), *args],
                          capture_output=True, text=True, timeout=300, check=False,
                          stdin=subprocess.DEVNULL)
    return Run(done.returncode, done.stdout + done.stderr)


def provide_from_host(root: Path, path: str) -> None:
    """Put this machine's `path` into `root` as the package would, symlinks and all."""
    target = root / path.lstrip("/")
    host = Path(path)
    if target.exists() or target.is_symlink():
        if target.is_symlink():
            provide_from_host(root, _followed(path, os.readlink(target)))
        return
    assert host.exists() or host.is_symlink(), f"{path} is not on this machine"
    target.parent.mkdir(parents=True, exist_ok=True)
    if host.is_symlink():
        link = os.readlink(host)
        target.symlink_to(link)
        provide_from_host(root, _followed(path, link))
    else:
        shutil.copy2(host, target)


def _followed(path: str, link: str) -> str:
    return link if link.startswith("/") else str(PurePosixPath(path).parent / link)


def exec_start_programs(unit_text: str) -> list[str]:
    """The program of every ExecStart*= line (prefix characters such as - and @ removed)."""
    programs = []
    for line in unit_text.splitlines():
        key, _, value = line.partition("=")
        if key.strip().startswith("ExecStart") and value.strip():
            programs.append(value.strip().lstrip("-@:+!").split()[0])
    return programs


def entries(unit_text: str) -> list[tuple[str, str, str]]:
    """(section, key, value) for every setting: unit files repeat keys, so no dict."""
    found, section = [], ""
    for raw in unit_text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, _, value = line.partition("=")
        found.append((section, key.strip(), value.strip()))
    return found


def values(unit_text: str, key: str) -> list[str]:
    return [v for _, k, v in entries(unit_text) if k == key]


def snapshot(root: Path) -> dict[str, tuple[str, ...]]:
    """Every path under `root` with its type, mode, owner and content (or link target):
    what a second run must leave exactly as it was (times may differ)."""
    seen: dict[str, tuple[str, ...]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            info = path.lstat()
            rel = "/" + path.relative_to(root).as_posix()
            kind = ("link" if stat.S_ISLNK(info.st_mode) else "dir" if stat.S_ISDIR(info.st_mode)
                    else "file")
            detail = (os.readlink(path) if kind == "link"
                      else hashlib.sha256(path.read_bytes()).hexdigest() if kind == "file"
                      else "")
            seen[rel] = (kind, oct(stat.S_IMODE(info.st_mode)), f"{info.st_uid}:{info.st_gid}",
                         detail)
    return seen

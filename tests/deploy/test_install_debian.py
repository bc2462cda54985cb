"""Nightly: systemd/install.sh on a fresh Debian 12, as IT runs it on a blank PC.

mmdebstrap makes a minimal bookworm root; the checkout is copied in; install.sh runs inside
it (chroot, with /proc, /dev and /sys mounted in a private mount namespace that vanishes
with it) and really installs the Debian packages and the pinned Python packages. Then: the
layout is the one docs/deploy.md gives, `systemd-analyze verify` passes on the real
binaries with no stand-ins, the kiosk user can import the whole app from the venv and
validate the demo profile, and a second run keeps the state and installs nothing again.

Slow (a Debian root plus some 150 packages and PySide6) and needs root, so marked
`nightly`: script/nightly runs it, script/test never does. Where this machine's pip reads a
local mirror (/etc/pip.conf), the root reads it too, read-only, so PySide6 is not fetched
again.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.roots import REPO
from tests.deploy.test_install import documented, ids
from tests.needs import require_program

pytestmark = pytest.mark.nightly

SUITE = "bookworm"
PIP_MIRRORS = ("/opt/pypi", "/opt/pypi-more", "/opt/wheels", "/etc/xdg/pip")
UNITS = ("civic-kiosk-ui.service", "civic-kiosk-relay.service", "civic-kiosk-provision.service",
         "civic-kiosk-provision.timer", "civic-kiosk-ui.path", "civic-kiosk-relay.path")


def in_root(root: Path, script: str, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    """Run `script` (sh) chrooted into `root`, with the API file systems mounted only in a
    private mount namespace (gone when it ends, whatever happens)."""
    binds = [m for m in PIP_MIRRORS if Path(m).exists()]
    setup = [f"mount -t proc proc {root}/proc", f"mount --rbind /dev {root}/dev",
             f"mount --rbind /sys {root}/sys"]
    for mirror in binds:
        setup += [f"mkdir -p {root}{mirror}", f"mount --bind -o ro {mirror} {root}{mirror}"]
    whole = " && ".join([*setup, f"chroot {root} /bin/sh -c {shlex.quote(script)}"])
    return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", whole],
                          capture_output=True, text=True, timeout=timeout, check=False,
                          stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def debian_root() -> Iterator[Path]:
    mmdebstrap = require_program("mmdebstrap", "mmdebstrap (script/bootstrap --test installs it)")
    require_program("unshare", "unshare (util-linux)")
    base = Path(tempfile.mkdtemp(prefix="civic-kiosk-debian-"))
    root = base / "root"
    try:
        made = subprocess.run([mmdebstrap, "--variant=minbase", "--include=ca-certificates",
                               SUITE, str(root)], capture_output=True, text=True, timeout=1800,
                              check=False, stdin=subprocess.DEVNULL)
        assert made.returncode == 0, made.stderr[-4000:]
        shutil.copytree(REPO, root / "root" / "civic-kiosk", symlinks=True,
                        ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info",
                                                      "demo-output", ".mypy_cache", ".ruff_cache"))
        # This machine's way out: its resolver, its pip configuration, and the certificate
        # authorities it adds (an egress proxy's), as a PC on a council network would have.
        shutil.copyfile("/etc/resolv.conf", root / "etc" / "resolv.conf")
        if Path("/etc/pip.conf").exists():
            shutil.copyfile("/etc/pip.conf", root / "etc" / "pip.conf")
        local_cas = Path("/usr/local/share/ca-certificates")
        if local_cas.is_dir() and any(local_cas.iterdir()):
            shutil.copytree(local_cas, root / local_cas.relative_to("/"), dirs_exist_ok=True)
            trusted = in_root(root, "update-ca-certificates")
            assert trusted.returncode == 0, trusted.stdout + trusted.stderr
        yield root
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_install_sh_on_a_fresh_debian_12(debian_root: Path) -> None:
    root = debian_root
    first = in_root(root, "/root/civic-kiosk/systemd/install.sh")
    assert first.returncode == 0, (first.stdout + first.stderr)[-6000:]
    assert "install: done" in first.stdout

    users, groups = ids(root, "passwd"), ids(root, "group")
    for path, kind, target, mode, owner, group in documented():
        where = root / path.lstrip("/")
        info = where.lstat()
        if kind == "link":
            assert str(where.readlink()) == target, path
        else:
            assert f"{info.st_mode & 0o7777:04o}" == mode, path
        assert (info.st_uid, info.st_gid) == (users[owner], groups[group]), path

    verify = in_root(root, "systemd-analyze verify " + " ".join(UNITS))
    assert (verify.returncode, verify.stdout + verify.stderr) == (0, "")

    venv = "/opt/civic-kiosk/.venv/bin/python"
    demo = "$(" + venv + " -I -c 'import kiosk, pathlib; print(pathlib.Path(kiosk.__file__).parent)')"
    as_kiosk = in_root(root, f"cd / && runuser -u kiosk -- {venv} -I -c "
                             "'import kiosk.cli, ui.app, PySide6.QtWidgets, smartcard' && "
                             f"runuser -u kiosk -- {venv} -I -m kiosk.cli validate {demo}/demo/profile.yaml")
    assert as_kiosk.returncode == 0, as_kiosk.stdout + as_kiosk.stderr
    assert "OK (" in as_kiosk.stdout

    kept = root / "var/lib/civic-kiosk/outbox.db"
    kept.write_bytes(b"rows the council has not got yet")
    second = in_root(root, "/root/civic-kiosk/systemd/install.sh")
    assert second.returncode == 0, (second.stdout + second.stderr)[-6000:]
    assert "Debian packages: all present" in second.stdout
    assert kept.read_bytes() == b"rows the council has not got yet"

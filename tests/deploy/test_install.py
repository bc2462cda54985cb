"""systemd/install.sh into a temporary Debian-shaped root, packages skipped: it lays down
exactly what the table in docs/deploy.md says (kind, mode, owner, link target, for every
row), the kiosk user, the drop-ins' settings; a second run keeps the state and changes
nothing at all; an upgrade changes only what changed in the checkout."""

from __future__ import annotations

import configparser
import re
import shutil
import stat
from pathlib import Path

import pytest

from tests.deploy.roots import REPO, blank_root, need_tools, run_install, snapshot

DOC = REPO / "docs" / "deploy.md"
ROW = re.compile(r"^\| `(/[^`]+)` \| (dir|file|link → `([^`]+)`) \| (\d{4})? ?\| (\w+):(\w+) \|")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    need_tools()
    return blank_root(tmp_path / "root")


def documented() -> list[tuple[str, str, str | None, str | None, str, str]]:
    """(path, kind, link target, mode, owner, group) for each row of the table."""
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        found = ROW.match(line)
        if found:
            kind = "link" if found[2].startswith("link") else found[2]
            rows.append((found[1], kind, found[3], found[4], found[5], found[6]))
    return rows


def ids(root: Path, table: str) -> dict[str, int]:
    lines = (root / "etc" / table).read_text(encoding="utf-8").splitlines()
    return {line.split(":")[0]: int(line.split(":")[2]) for line in lines if line}


def conf(root: Path, path: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((root / path.lstrip("/")).read_text(encoding="utf-8"))
    return parser


def test_the_table_in_the_docs_is_read() -> None:
    paths = [row[0] for row in documented()]
    assert len(paths) >= 25
    assert "/var/lib/civic-kiosk" in paths
    assert "/etc/civic-kiosk" in paths


def test_it_lays_down_what_the_docs_say(root: Path) -> None:
    done = run_install(root)
    assert done.returncode == 0, done.output
    users, groups = ids(root, "passwd"), ids(root, "group")
    for path, kind, target, mode, owner, group in documented():
        where = root / path.lstrip("/")
        info = where.lstat()
        if kind == "link":
            assert where.is_symlink(), path
            assert str(where.readlink()) == target, path
        else:
            assert (stat.S_ISDIR(info.st_mode) if kind == "dir" else stat.S_ISREG(info.st_mode)), path
            assert f"{stat.S_IMODE(info.st_mode):04o}" == mode, path
        assert (info.st_uid, info.st_gid) == (users[owner], groups[group]), path


def test_the_kiosk_user_is_a_system_user_that_cannot_log_in(root: Path) -> None:
    assert run_install(root).returncode == 0
    entry = next(line for line in (root / "etc/passwd").read_text().splitlines()
                 if line.startswith("kiosk:")).split(":")
    assert 0 < int(entry[2]) < 1000
    assert entry[5:] == ["/nonexistent", "/usr/sbin/nologin"]
    group_lines = (root / "etc/group").read_text().splitlines()
    assert any(line.startswith(f"kiosk:x:{entry[3]}:") for line in group_lines)
    dropin = conf(root, "/etc/systemd/system/civic-kiosk-ui.service.d/50-kiosk-user.conf")
    runtime = f"/run/user/{entry[2]}"
    assert dropin["Service"]["Environment"] == f"XDG_RUNTIME_DIR={runtime} HOME={runtime}"
    assert dropin["Service"]["BindPaths"] == f"/run/user/{entry[2]}"


def test_the_lockdown_drop_ins_say_what_they_must(root: Path) -> None:
    assert run_install(root).returncode == 0
    login = conf(root, "/etc/systemd/logind.conf.d/50-civic-kiosk.conf")["Login"]
    for key in ("HandlePowerKey", "HandleSuspendKey", "HandleHibernateKey", "HandleRebootKey",
                "HandleLidSwitch", "HandleLidSwitchExternalPower", "HandleLidSwitchDocked"):
        assert login[key] == "ignore", key
    assert (login["NAutoVTs"], login["ReserveVT"]) == ("0", "0")
    manager = conf(root, "/etc/systemd/system.conf.d/50-civic-kiosk.conf")["Manager"]
    assert manager["CtrlAltDelBurstAction"] == "none"
    assert conf(root, "/etc/systemd/coredump.conf.d/50-civic-kiosk.conf")["Coredump"]["Storage"] == "none"
    sysctl = dict(line.replace(" ", "").split("=") for line in
                  (root / "etc/sysctl.d/50-civic-kiosk.conf").read_text().splitlines()
                  if line and not line.startswith("#"))
    assert sysctl["kernel.sysrq"] == "0"
    for name in ("50-civic-kiosk-pcscd.rules", "50-civic-kiosk-reboot.rules",
                 "60-civic-kiosk-printer.rules"):
        installed = next(root.glob(f"etc/*/rules.d/{name}"))
        assert installed.read_bytes() == (REPO / "systemd" / name).read_bytes()


def test_the_app_is_laid_from_the_checkout_without_its_venv_or_caches(root: Path) -> None:
    assert run_install(root).returncode == 0
    src = root / "opt/civic-kiosk/src"
    assert (src / "kiosk" / "cli.py").read_bytes() == (REPO / "kiosk" / "cli.py").read_bytes()
    assert not any((src / name).exists() for name in (".venv", ".git"))
    assert not list(src.rglob("__pycache__"))
    cfg = (root / "opt/civic-kiosk/.venv/pyvenv.cfg").read_text()
    assert "home = /usr/bin" in cfg


def test_a_second_run_keeps_the_state_and_changes_nothing(root: Path) -> None:
    assert run_install(root).returncode == 0
    state = root / "var/lib/civic-kiosk"
    kiosk = ids(root, "passwd")["kiosk"]
    (state / "profiles" / "versions" / "v1").mkdir(parents=True)
    (state / "profiles" / "versions" / "v1" / "profile.yaml").write_text("schema_version: 1\n")
    (state / "profiles" / "current").symlink_to("versions/v1")
    (state / "outbox.db").write_bytes(b"rows the council has not got yet")
    for path in [state, *state.rglob("*")]:
        if not path.is_symlink():
            shutil.chown(path, kiosk, kiosk)
    before = snapshot(root)
    again = run_install(root)
    assert again.returncode == 0, again.output
    assert snapshot(root) == before
    said = [line for line in again.output.splitlines() if not line.startswith("install: skipping")]
    assert said == ["install: done (files only: nothing started)."]


def test_an_upgrade_changes_only_what_changed(root: Path, tmp_path: Path) -> None:
    assert run_install(root).returncode == 0
    (root / "var/lib/civic-kiosk/outbox.db").write_bytes(b"kept")
    newer = tmp_path / "newer"
    shutil.copytree(REPO, newer, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__"))
    unit = newer / "systemd" / "civic-kiosk-relay.service"
    unit.write_text(unit.read_text().replace("RestartSec=5", "RestartSec=7"))
    before = snapshot(root)
    done = run_install(root, source=newer)
    assert done.returncode == 0, done.output
    after = snapshot(root)
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    relay = "/etc/systemd/system/civic-kiosk-relay.service"
    assert relay in changed
    assert "RestartSec=7" in (root / relay.lstrip("/")).read_text()
    assert {p for p in changed if not p.startswith("/opt/civic-kiosk/src")} == {relay}
    assert (root / "var/lib/civic-kiosk/outbox.db").read_bytes() == b"kept"


def test_mistakes_get_a_clear_message(root: Path, tmp_path: Path) -> None:
    import subprocess

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", str(REPO / "systemd/install.sh"), *args], capture_output=True,
                              text=True, timeout=60, check=False)

    no_skip = run("--root", str(root))
    assert no_skip.returncode != 0
    assert "--skip-packages" in no_skip.stderr
    not_a_checkout = run("--root", str(root), "--skip-packages", "--source", str(tmp_path))
    assert not_a_checkout.returncode != 0
    assert "is not a Civic Kiosk checkout" in not_a_checkout.stderr
    bare = tmp_path / "bare"
    bare.mkdir()
    no_passwd = run("--root", str(bare), "--skip-packages")
    assert no_passwd.returncode != 0
    assert "must be a Debian root" in no_passwd.stderr
    unknown = run("--frobnicate")
    assert unknown.returncode != 0
    assert "unknown option --frobnicate" in unknown.stderr


def test_the_qt_libraries_are_the_ones_bootstrap_installs() -> None:
    def words(text: str, name: str) -> set[str]:
        block = re.search(rf"{name}=\(\n(.*?)\n\)", text, re.S)
        assert block, name
        return {w for line in block[1].splitlines() if not line.strip().startswith("#")
                for w in line.split()}

    bootstrap = words((REPO / "script/bootstrap").read_text(), "DEB_PACKAGES")
    install = words((REPO / "systemd/install.sh").read_text(), "PACKAGES")
    test_tools = {"libzbar0", "xvfb", "xauth"}  # read QR codes back, a virtual X server
    assert bootstrap - test_tools <= install

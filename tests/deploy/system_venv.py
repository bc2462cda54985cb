"""A venv an unprivileged user can run the kiosk from, made per test in a few milliseconds.

The unit runs `/opt/civic-kiosk/.venv/bin/python -I -m kiosk.cli run`, a venv made from
Debian's /usr/bin/python3. The tests' own .venv cannot stand in: its interpreter here is a
pyenv build inside root's home (0700), which the test's unprivileged user cannot even open.
So `script/bootstrap --test` keeps the pinned runtime dependencies in a venv made from
/usr/bin/python3 under /opt/civic-kiosk-test/deps-<digest of the dependency list>, and each
test makes a tiny venv of its own (no pip) whose one .pth file puts a copy of this
checkout's code first and that dependency venv after it. The copy lives in the test's own
folder, so it is readable whatever the checkout's permissions, and it is this commit's code.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tomllib
from pathlib import Path

from tests.needs import require_or_skip

REPO = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = Path("/usr/bin/python3")
PACKAGES = ("kiosk", "ui", "accessibility", "peripherals", "provisioning", "hub")


def dependency_venv() -> Path:
    """The folder script/bootstrap --test makes (the same name, from the same list)."""
    with (REPO / "pyproject.toml").open("rb") as handle:
        deps = sorted(tomllib.load(handle)["project"]["dependencies"])
    digest = hashlib.sha256(("\n".join(deps) + "\n").encode()).hexdigest()[:16]
    folder = Path("/opt/civic-kiosk-test") / f"deps-{digest}"
    require_or_skip(SYSTEM_PYTHON.exists() and (folder / ".complete").exists(),
                    f"{folder}: the dependencies in a venv of Debian's python "
                    f"(script/bootstrap --test makes it, as root)")
    return folder


def kiosk_venv(folder: Path) -> Path:
    """A venv in `folder` running this checkout's code on the pinned dependencies; returns its
    python. Everything in it is readable by any user."""
    deps = dependency_venv()
    app = folder / "app"
    for package in PACKAGES:
        shutil.copytree(REPO / package, app / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    venv = folder / "venv"
    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=60, capture_output=True)
    site = next((venv / "lib").glob("python3.*/site-packages"))
    dep_site = next((deps / "lib").glob("python3.*/site-packages"))
    (site / "civic_kiosk_test.pth").write_text(
        f"{app}\nimport site; site.addsitedir({str(dep_site)!r})\n", encoding="utf-8")
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o444 | (0o111 if path.is_dir() else 0))
    return venv / "bin" / "python"

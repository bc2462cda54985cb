"""The prerequisites docs/peripherals.md lists are the ones bootstrap installs and the tests
run on: a list IT can trust because CI checks it against both."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.needs import require_module, require_or_skip

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "peripherals.md").read_text(encoding="utf-8")
BOOTSTRAP = (REPO / "script" / "bootstrap").read_text(encoding="utf-8")
PYPROJECT = (REPO / "pyproject.toml").read_text(encoding="utf-8")


def bootstrap_packages() -> set[str]:
    """Every package in `DEB_PACKAGES=( ... )` and `DEB_PACKAGES+=( ... )`."""
    blocks = re.findall(r"DEB_PACKAGES\+?=\(([^)]*)\)", BOOTSTRAP)
    return set(" ".join(blocks).split())


def documented_packages() -> set[str]:
    section = DOC[DOC.index("### Prerequisites (tested)"):]
    first = section[section.index("Debian packages:"):]
    first = first[: first.index("\n- ")]
    return set(" ".join(re.findall(r"`([^`]+)`", first)).split())


def test_documented_debian_packages_are_installed_by_bootstrap() -> None:
    documented = documented_packages()
    assert documented >= {"pcscd", "libpcsclite-dev", "libccid", "vsmartcard-vpcd"}
    assert documented <= bootstrap_packages()


def test_documented_pyscard_pin_is_the_projects() -> None:
    pin = re.search(r"pyscard==([0-9.]+)", DOC)
    assert pin is not None
    assert f'"pyscard=={pin.group(1)}"' in PYPROJECT


@pytest.mark.parametrize("extra", ["serial", "usb"])
def test_printer_extras_named_in_the_doc_exist(extra: str) -> None:
    assert f"pip install .[{extra}]" in DOC
    assert re.search(rf"^{extra} = \[", PYPROJECT, re.MULTILINE)


def test_the_rule_files_the_doc_points_to_exist_and_name_the_kiosk_user() -> None:
    polkit = (REPO / "systemd" / "50-civic-kiosk-pcscd.rules").read_text(encoding="utf-8")
    assert 'subject.user == "kiosk"' in polkit
    for action in ("org.debian.pcsc-lite.access_pcsc", "org.debian.pcsc-lite.access_card"):
        assert action in polkit
    udev = (REPO / "systemd" / "60-civic-kiosk-printer.rules").read_text(encoding="utf-8")
    rules = [line for line in udev.splitlines() if line and not line.startswith("#")]
    assert rules
    for rule in rules:
        for part in rule.split(", "):
            assert re.fullmatch(r'[A-Z]+(\{[a-zA-Z]+\})?(==|=|\+=)"[^"]*"', part), part
    assert 'GROUP="kiosk"' in udev


def test_the_installed_pcscd_matches_what_the_doc_and_tests_assume() -> None:
    """On a bootstrapped machine (CI), the daemon, the virtual reader driver and pyscard are
    all where the tests and the doc say; elsewhere this says what is missing."""
    require_or_skip(shutil.which("pcscd", path="/usr/sbin:/sbin:/usr/bin") is not None,
                    "pcscd is not installed here (script/bootstrap --test installs it)")
    assert Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so").exists()
    assert Path("/lib/systemd/system/pcscd.socket").exists()  # socket-activated, as documented
    scard = require_module("smartcard.scard", "pyscard is not installed (pip install pyscard==2.3.1)")
    assert hasattr(scard, "SCardGetStatusChange")

"""The profile's printer, card reader and staff sections: each printer type takes its own
connection settings, fakes are refused outside demo mode, and mistakes name the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.assembly import paper_spec, printer_options
from kiosk.config_errors import ConfigError
from kiosk.profile import load_profile
from peripherals.printer import make_printer
from peripherals.printer.cups import CupsPrinter
from peripherals.printer.network import NetworkPrinter
from peripherals.printer.serial import SerialPrinter
from peripherals.printer.usb import UsbPrinter
from tests.kiosk.test_profile_lookups import profile_with
from tests.kiosk_fixtures import demo_profile_copy, production_secrets


def problems(path: Path) -> dict[str, tuple[str, str]]:
    with pytest.raises(ConfigError) as info:
        load_profile(path, secrets=production_secrets())
    return {p.path: (p.expected, p.found) for p in info.value.problems}


@pytest.mark.parametrize(("printer", "kind", "check"), [
    ({"type": "network", "host": "10.1.2.3"}, NetworkPrinter,
     lambda p: (p.host, p.port, p.timeout) == ("10.1.2.3", 9100, 5.0)),
    ({"type": "network", "host": "printer.lan", "port": 9101, "timeout_seconds": 2}, NetworkPrinter,
     lambda p: (p.port, p.timeout) == (9101, 2)),
    ({"type": "serial", "device": "/dev/ttyUSB0", "baudrate": 19200, "rtscts": True},
     SerialPrinter, lambda p: (p.device, p.baudrate, p.rtscts) == ("/dev/ttyUSB0", 19200, True)),
    ({"type": "usb", "vendor_id": 0x04B8, "product_id": 0x0202}, UsbPrinter,
     lambda p: (p.vendor_id, p.product_id, p.interface) == (0x04B8, 0x0202, 0)),
    ({"type": "cups", "queue": "receipts"}, CupsPrinter, lambda p: p.queue == "receipts"),
])
def test_each_printer_type_reaches_its_backend(tmp_path: Path, printer: dict[str, Any],
                                               kind: type, check: Any) -> None:
    loaded = load_profile(profile_with(tmp_path, printer={**printer, "paper_width_mm": 58}))
    settings = loaded.profile.printer
    built = make_printer(settings.type, paper=paper_spec(settings),
                         **printer_options(settings, tmp_path))
    assert isinstance(built, kind)
    assert check(built)
    assert built.paper.width_mm == 58


def test_usb_ids_can_be_written_in_hex(tmp_path: Path) -> None:
    path = demo_profile_copy(tmp_path)
    text = path.read_text(encoding="utf-8")
    start = text.index("printer:")
    end = text.index("\n", text.index("type:", start))
    text = text[:start] + "printer:\n  type: usb\n  vendor_id: 0x04b8\n  product_id: 0x0e15" + text[end:]
    path.write_text(text, encoding="utf-8")
    settings = load_profile(path).profile.printer
    assert (settings.vendor_id, settings.product_id) == (0x04B8, 0x0E15)  # type: ignore[union-attr]


def test_a_printer_missing_its_connection_says_which_field(tmp_path: Path) -> None:
    found = problems(profile_with(tmp_path, printer={"type": "network"}))
    assert found == {"printer.host": ("this field", "nothing")}


def test_settings_of_another_printer_type_are_refused(tmp_path: Path) -> None:
    found = problems(profile_with(tmp_path, printer={"type": "cups", "queue": "r", "host": "x"}))
    assert list(found) == ["printer.host"]
    assert found["printer.host"][1] == "an unknown field 'host'"


def test_unknown_printer_type_lists_the_known_ones(tmp_path: Path) -> None:
    found = problems(profile_with(tmp_path, printer={"type": "laser"}))
    expected, seen = found["printer.type"]
    assert seen == "'laser'"
    for kind in ("usb", "serial", "network", "cups", "file", "fake"):
        assert f"'{kind}'" in expected


@pytest.mark.parametrize(("section", "value", "field"), [
    ("printer", {"type": "fake"}, "printer.type"),
    ("card_reader", {"type": "fake"}, "card_reader.type"),
])
def test_fakes_are_refused_in_production(tmp_path: Path, section: str, value: dict[str, str],
                                         field: str) -> None:
    real = {"printer": {"type": "file"}, "card_reader": {"type": "none"}}
    path = profile_with(tmp_path, **{**real, section: value}, mode="production",
                        demo_quit_shortcut=False)
    found = problems(path)
    assert list(found) == [field]
    assert "production" in found[field][0]


def test_the_demo_profile_uses_the_fakes_and_enrols_demo_staff() -> None:
    loaded = load_profile(Path(__file__).resolve().parents[2] / "kiosk" / "demo" / "profile.yaml")
    profile = loaded.profile
    assert (profile.mode, profile.printer.type, profile.card_reader.type) == ("demo", "fake", "fake")
    assert profile.staff is not None
    assert {c.role for c in profile.staff.cards} == {"staff", "it"}
    assert {p.role for p in profile.staff.pins} == {"staff", "it"}


def test_a_bad_staff_section_names_the_field(tmp_path: Path) -> None:
    staff = {"salt": "c2hvcnQ=", "cards": [{"fingerprint": "ABC", "role": "boss", "label": "x"}],
             "pins": [{"hash": "1234", "role": "staff", "label": "x"}]}
    found = problems(profile_with(tmp_path, staff=staff))
    assert set(found) == {"staff.salt", "staff.cards[0].fingerprint", "staff.cards[0].role",
                          "staff.pins[0].hash"}
    # A PIN typed where its hash belongs is never echoed back.
    assert "1234" not in " ".join(found["staff.pins[0].hash"])
    assert "c2hvcnQ" not in " ".join(found["staff.salt"])

"""Serial, USB and CUPS printers: missing dependencies, and the bytes sent, with fakes.

pyserial and pyusb are not installed with the kiosk: these tests hide or replace them in
`sys.modules`, and put a fake `lp`/`lpstat` on the PATH for CUPS.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from peripherals.printer.base import PAPER_58MM, ErrorCode, PrinterError, PrinterStatus
from peripherals.printer.cups import CupsPrinter
from peripherals.printer.escpos_render import render_escpos
from peripherals.printer.serial import SerialPrinter
from peripherals.printer.status import status_query
from peripherals.printer.usb import UsbPrinter
from peripherals.receipt_document import ReceiptDocument, TextBlock

DOC = ReceiptDocument((TextBlock("Lambeth Council", "title", "center"), TextBlock("ABCD 2345", "reference")))
JOB = render_escpos(DOC, PAPER_58MM)


# --- serial ---------------------------------------------------------------------------


class FakeSerialPort:
    def __init__(self, device: FakeSerialModule, **settings: Any) -> None:
        self.settings = settings
        self.module = device
        self.written = b""

    def write(self, data: bytes) -> int:
        if self.module.fail_after is not None and len(self.written) + len(data) > self.module.fail_after:
            raise OSError(errno.EIO, "Input/output error")
        self.written += data
        return len(data)

    def read(self, size: int) -> bytes:
        return bytes((self.module.replies.pop(0),)) if self.module.replies else b""

    def flush(self) -> None:
        pass

    def reset_input_buffer(self) -> None:
        pass

    def close(self) -> None:
        self.module.closed += 1


class FakeSerialModule(ModuleType):
    def __init__(self) -> None:
        super().__init__("serial")
        self.ports: list[FakeSerialPort] = []
        self.replies: list[int] = []
        self.fail_after: int | None = None
        self.unplugged = False
        self.closed = 0

    def Serial(self, **settings: Any) -> FakeSerialPort:
        if self.unplugged:
            raise OSError(errno.ENOENT, "could not open port")
        self.ports.append(FakeSerialPort(self, **settings))
        return self.ports[-1]


@pytest.fixture
def pyserial(monkeypatch: pytest.MonkeyPatch) -> FakeSerialModule:
    module = FakeSerialModule()
    monkeypatch.setitem(sys.modules, "serial", module)
    return module


def test_serial_without_pyserial_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "serial", None)  # makes `import serial` fail
    assert SerialPrinter.is_usable() is False
    with pytest.raises(PrinterError, match=r"needs pyserial.*pip install pyserial") as missing:
        SerialPrinter("/dev/ttyUSB0", paper=PAPER_58MM).open()
    assert missing.value.code is ErrorCode.BAD_CONFIG


def test_serial_prints_the_job_and_reads_status(pyserial: FakeSerialModule) -> None:
    assert SerialPrinter.is_usable() is True
    with SerialPrinter("/dev/ttyUSB0", paper=PAPER_58MM, baudrate=19200) as printer:
        result = printer.print_receipt(DOC, "ABCD2345")
        pyserial.replies = [0x1A, 0x12, 0x72]
        status = printer.status()
    port = pyserial.ports[0]
    assert (result.ok, result.bytes_sent) == (True, len(JOB))
    assert port.settings["port"] == "/dev/ttyUSB0"
    assert port.settings["baudrate"] == 19200
    assert status is PrinterStatus.PAPER_OUT
    assert port.written == JOB + status_query(1) + status_query(2) + status_query(4)
    assert pyserial.closed == 1


def test_serial_silent_unplugged_and_cut_short(pyserial: FakeSerialModule) -> None:
    printer = SerialPrinter("/dev/ttyUSB0", paper=PAPER_58MM)
    printer.open()
    assert printer.status() is PrinterStatus.UNKNOWN  # no reply at all
    pyserial.fail_after = 10
    result = printer.print_receipt(DOC, "ABCD2345")
    assert (result.ok, result.error) == (False, ErrorCode.WRITE_FAILED)
    assert result.bytes_sent == 0  # the first chunk is refused whole
    pyserial.unplugged = True
    assert printer.status() is PrinterStatus.OFFLINE
    assert printer.print_receipt(DOC, "ABCD2345").error == ErrorCode.OFFLINE
    pyserial.unplugged, pyserial.fail_after = False, None
    assert printer.print_receipt(DOC, "ABCD2345").ok  # plugged back in: reconnects
    printer.close()


# --- USB ------------------------------------------------------------------------------


class FakeUsbDevice:
    def __init__(self, endpoints: list[int], replies: list[int]) -> None:
        self.endpoints = [SimpleNamespace(bEndpointAddress=a, bmAttributes=0x02) for a in endpoints]
        self.replies = replies
        self.written: list[tuple[int, bytes]] = []
        self.detached: list[int] = []

    def is_kernel_driver_active(self, interface: int) -> bool:
        return True

    def detach_kernel_driver(self, interface: int) -> None:
        self.detached.append(interface)

    def set_configuration(self) -> None:
        pass

    def get_active_configuration(self) -> dict[tuple[int, int], list[SimpleNamespace]]:
        return {(0, 0): self.endpoints}

    def write(self, endpoint: int, data: bytes, timeout: int) -> int:
        self.written.append((endpoint, bytes(data)))
        return len(data)

    def read(self, endpoint: int, size: int, timeout: int) -> list[int]:
        if not self.replies:
            raise OSError(errno.ETIMEDOUT, "Operation timed out")
        return [self.replies.pop(0)]


def install_fake_pyusb(monkeypatch: pytest.MonkeyPatch, device: FakeUsbDevice | None) -> list[object]:
    disposed: list[object] = []
    core, util = ModuleType("usb.core"), ModuleType("usb.util")

    def find(idVendor: int, idProduct: int) -> FakeUsbDevice | None:
        assert (idVendor, idProduct) == (0x04B8, 0x0202)
        return device

    core.find = find  # type: ignore[attr-defined]
    util.dispose_resources = disposed.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "usb", ModuleType("usb"))
    monkeypatch.setitem(sys.modules, "usb.core", core)
    monkeypatch.setitem(sys.modules, "usb.util", util)
    return disposed


def test_usb_without_pyusb_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "usb", None)
    monkeypatch.setitem(sys.modules, "usb.core", None)
    assert UsbPrinter.is_usable() is False
    with pytest.raises(PrinterError, match=r"needs pyusb.*pip install pyusb") as missing:
        UsbPrinter(0x04B8, 0x0202, paper=PAPER_58MM).open()
    assert missing.value.code is ErrorCode.BAD_CONFIG


def test_usb_prints_to_the_bulk_out_endpoint_and_reads_status(monkeypatch: pytest.MonkeyPatch) -> None:
    device = FakeUsbDevice(endpoints=[0x81, 0x02], replies=[0x12, 0x12, 0x1E])
    disposed = install_fake_pyusb(monkeypatch, device)
    assert UsbPrinter.is_usable() is True
    with UsbPrinter(0x04B8, 0x0202, paper=PAPER_58MM) as printer:
        result = printer.print_receipt(DOC, "ABCD2345")
        assert printer.status() is PrinterStatus.PAPER_NEAR_END
        assert printer.status() is PrinterStatus.UNKNOWN  # no reply: read timed out
    assert (result.ok, result.bytes_sent) == (True, len(JOB))
    assert device.detached == [0]
    assert {endpoint for endpoint, _ in device.written} == {0x02}
    assert b"".join(data for _, data in device.written).startswith(JOB)
    assert disposed == [device]


def test_usb_without_a_return_channel_or_device(monkeypatch: pytest.MonkeyPatch) -> None:
    install_fake_pyusb(monkeypatch, FakeUsbDevice(endpoints=[0x01], replies=[]))
    with UsbPrinter(0x04B8, 0x0202, paper=PAPER_58MM) as printer:
        assert printer.status() is PrinterStatus.UNKNOWN
    install_fake_pyusb(monkeypatch, None)
    with UsbPrinter(0x04B8, 0x0202, paper=PAPER_58MM) as printer:
        assert printer.status() is PrinterStatus.OFFLINE
        assert printer.print_receipt(DOC, "ABCD2345").error == ErrorCode.OFFLINE
    with pytest.raises(PrinterError) as bad_id:
        UsbPrinter(0x1_0000, 1, paper=PAPER_58MM).open()
    assert bad_id.value.code is ErrorCode.BAD_CONFIG


# --- CUPS -----------------------------------------------------------------------------


def fake_command(folder: Path, name: str, body: str) -> None:
    script = folder / name
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return folder


def test_cups_without_lp_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert CupsPrinter.is_usable() is False
    with pytest.raises(PrinterError, match=r"needs the 'lp' command.*cups-client") as missing:
        CupsPrinter("receipts", paper=PAPER_58MM).open()
    assert missing.value.code is ErrorCode.BAD_CONFIG


def test_cups_sends_the_raw_job_on_stdin(bin_dir: Path, tmp_path: Path) -> None:
    fake_command(bin_dir, "lp", f'printf "%s\\n" "$@" > "{tmp_path}/args"\ncat > "{tmp_path}/job.bin"')
    assert CupsPrinter.is_usable() is True
    with CupsPrinter("receipts", paper=PAPER_58MM) as printer:
        result = printer.print_receipt(DOC, "ABCD2345")
    assert (result.ok, result.bytes_sent) == (True, len(JOB))
    assert (tmp_path / "job.bin").read_bytes() == JOB
    assert (tmp_path / "args").read_text().split("\n")[:-1] == [
        "-d", "receipts", "-o", "raw", "-t", "ABCD2345",
    ]


def test_cups_refused_job_and_queue_status(bin_dir: Path) -> None:
    refuse = 'cat > /dev/null\necho "lp: The printer or class does not exist." >&2\nexit 1'
    fake_command(bin_dir, "lp", refuse)
    fake_command(bin_dir, "lpstat", 'echo "printer $2 disabled since Mon 23 Nov 2026 - reason unknown"')
    printer = CupsPrinter("receipts", paper=PAPER_58MM)
    printer.open()
    result = printer.print_receipt(DOC, "ABCD2345")
    assert (result.ok, result.bytes_sent, result.error) == (False, 0, ErrorCode.WRITE_FAILED)
    assert printer.status() is PrinterStatus.OFFLINE
    fake_command(bin_dir, "lpstat", 'echo "printer $2 is idle.  enabled since Mon 23 Nov 2026"')
    assert printer.status() is PrinterStatus.ONLINE
    fake_command(bin_dir, "lpstat", 'echo "lpstat: Invalid destination name in list" >&2\nexit 1')
    assert printer.status() is PrinterStatus.UNKNOWN


@pytest.mark.parametrize("queue", ["", "-o", "a b", "a/b", "a#b"])
def test_cups_refuses_queue_names_lp_would_misread(bin_dir: Path, queue: str) -> None:
    fake_command(bin_dir, "lp", "cat > /dev/null")
    with pytest.raises(PrinterError) as bad_queue:
        CupsPrinter(queue, paper=PAPER_58MM).open()
    assert bad_queue.value.code is ErrorCode.BAD_CONFIG

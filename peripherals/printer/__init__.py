"""Receipt printers: one neutral document in, a backend chosen by name from the profile."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from peripherals.printer.base import (
    PAPER_58MM,
    PAPER_80MM,
    ErrorCode,
    PaperSpec,
    PrinterError,
    PrinterStatus,
    PrintResult,
    ReceiptPrinter,
)
from peripherals.printer.fake import FakePrinter
from peripherals.printer.file import FilePrinter

T = TypeVar("T")

__all__ = [
    "PAPER_58MM",
    "PAPER_80MM",
    "ErrorCode",
    "FakePrinter",
    "FilePrinter",
    "PaperSpec",
    "PrintResult",
    "PrinterError",
    "PrinterStatus",
    "ReceiptPrinter",
    "make_printer",
]

KNOWN_KINDS = ("cups", "fake", "file", "network", "serial", "usb")


def make_printer(
    kind: str,
    *,
    paper: PaperSpec,
    directory: Path | None = None,
    host: str | None = None,
    port: int = 9100,
    timeout: float = 5.0,
    device: str | None = None,
    baudrate: int = 9600,
    rtscts: bool = False,
    vendor_id: int | None = None,
    product_id: int | None = None,
    interface: int = 0,
    queue: str | None = None,
) -> ReceiptPrinter:
    """The backend the profile names, returned closed, ready for `open()`.

    Backends with an optional dependency (pyserial, pyusb, the CUPS `lp` command) are
    imported here but check for it in `open()`, so a missing one is reported at start-up
    with the package to install rather than as an ImportError.
    """
    if kind == "fake":
        return FakePrinter(paper)
    if kind == "file":
        return FilePrinter(_need(kind, "directory", directory), paper)
    if kind == "network":
        from peripherals.printer.network import NetworkPrinter

        return NetworkPrinter(_need(kind, "host", host), port, paper=paper, timeout=timeout)
    if kind == "serial":
        from peripherals.printer.serial import SerialPrinter

        return SerialPrinter(_need(kind, "device", device), paper=paper, baudrate=baudrate,
                             rtscts=rtscts)
    if kind == "usb":
        from peripherals.printer.usb import UsbPrinter

        return UsbPrinter(_need(kind, "vendor_id", vendor_id), _need(kind, "product_id", product_id),
                          paper=paper, interface=interface)
    if kind == "cups":
        from peripherals.printer.cups import CupsPrinter

        return CupsPrinter(_need(kind, "queue", queue), paper=paper)
    raise PrinterError(
        ErrorCode.UNKNOWN_KIND,
        f"unknown printer kind {kind!r}; known kinds: {', '.join(KNOWN_KINDS)}",
    )


def _need(kind: str, name: str, value: T | None) -> T:
    if value is None:
        raise PrinterError(ErrorCode.BAD_CONFIG, f"the {kind!r} printer needs {name}")
    return value

"""Receipt printers: one neutral document in, a backend chosen by name from the profile."""

from __future__ import annotations

from pathlib import Path

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

KNOWN_KINDS = ("fake", "file")
# Later: "usb", "serial", "network" and "cups", each wrapping the matching python-escpos
# printer class (escpos.printer.Usb, Serial, Network, CupsPrinter) and sending the bytes
# from `render_escpos`; their connection details will come from the profile as well.


def make_printer(
    kind: str, *, paper: PaperSpec, directory: Path | None = None
) -> ReceiptPrinter:
    """The backend the profile names; the printer is returned closed, ready for `open()`."""
    if kind == "fake":
        return FakePrinter(paper)
    if kind == "file":
        if directory is None:
            raise PrinterError(ErrorCode.BAD_CONFIG, "the 'file' printer needs a directory")
        return FilePrinter(directory, paper)
    raise PrinterError(
        ErrorCode.UNKNOWN_KIND,
        f"unknown printer kind {kind!r}; known kinds: {', '.join(KNOWN_KINDS)}",
    )

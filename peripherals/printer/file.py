"""A printer that writes each job to a folder: the demo's printer, and a spool for debugging.

Each job leaves `<name>.bin` (the exact ESC/POS bytes, which `cat name.bin > /dev/usb/lp0`
prints on a real printer) and `<name>.png` (the preview). Both are written to a temporary
file, flushed to disk and renamed into place, so a power cut never leaves half a job.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from peripherals.printer.base import (
    ErrorCode,
    OpenCloseContext,
    PaperSpec,
    PrinterError,
    PrinterStatus,
    PrintResult,
    check_job_name,
)
from peripherals.printer.escpos_render import load_profile, render_escpos
from peripherals.printer.preview import render_preview_png
from peripherals.receipt_document import ReceiptDocument


class FilePrinter(OpenCloseContext):
    def __init__(self, directory: Path, paper: PaperSpec) -> None:
        self.directory = Path(directory)
        self.paper = paper
        self._open = False

    def open(self) -> None:
        """Create the folder and check the profile, so set-up mistakes show at start-up."""
        load_profile(self.paper.profile)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise PrinterError(
                ErrorCode.OPEN_FAILED, f"cannot create {self.directory}: {error}"
            ) from error
        self._open = True

    def close(self) -> None:
        self._open = False

    def status(self) -> PrinterStatus:
        if self.directory.is_dir() and os.access(self.directory, os.W_OK | os.X_OK):
            return PrinterStatus.ONLINE
        return PrinterStatus.OFFLINE

    def print_receipt(self, doc: ReceiptDocument, name: str) -> PrintResult:
        if not self._open:
            raise PrinterError(ErrorCode.NOT_OPEN, "FilePrinter.open() was not called")
        check_job_name(name)
        if self.status() is not PrinterStatus.ONLINE:
            return PrintResult(ok=False, bytes_sent=0, error=ErrorCode.OFFLINE)
        job = render_escpos(doc, self.paper)
        preview = render_preview_png(doc, self.paper)
        try:
            # The preview first: a .bin next to it means the whole job is there.
            _write_atomically(self.directory / f"{name}.png", preview)
            _write_atomically(self.directory / f"{name}.bin", job)
        except OSError:
            return PrintResult(ok=False, bytes_sent=0, error=ErrorCode.WRITE_FAILED)
        return PrintResult(ok=True, bytes_sent=len(job))


def _write_atomically(path: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)

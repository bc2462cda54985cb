"""What every printer on one long-lived byte stream (serial port, USB endpoint) shares.

One job or status check at a time (a status query inside a job would be read as part of
it), reconnect on the next job after a fault, and device faults reported as a PrintResult
rather than raised. Subclasses say how to connect, write a chunk and ask for status.
"""

from __future__ import annotations

import logging
import threading

from peripherals.printer.base import (
    ErrorCode,
    OpenCloseContext,
    PaperSpec,
    PrinterStatus,
    PrintResult,
    check_job_name,
)
from peripherals.printer.escpos_render import render_escpos
from peripherals.receipt_document import ReceiptDocument

_log = logging.getLogger(__name__)

CHUNK = 4096


class StreamPrinter(OpenCloseContext):
    def __init__(self, paper: PaperSpec) -> None:
        self.paper = paper
        self._open = False
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._disconnect()
            self._open = False

    def status(self) -> PrinterStatus:
        with self._lock:
            return self._status()

    def print_receipt(self, doc: ReceiptDocument, name: str) -> PrintResult:
        with self._lock:
            check_job_name(name)
            if not self._ready():
                return PrintResult(ok=False, bytes_sent=0, error=ErrorCode.OFFLINE)
            job = render_escpos(doc, self.paper)
            sent = 0
            try:
                while sent < len(job):
                    sent += self._write(job[sent : sent + CHUNK])
                self._finish_job()
            except OSError as error:
                _log.debug("%s job %s cut short: %s", self._describe(), name, error)
                self._disconnect()
                return PrintResult(ok=False, bytes_sent=sent, error=ErrorCode.WRITE_FAILED)
            return PrintResult(ok=True, bytes_sent=sent)

    # ----- for subclasses ------------------------------------------------------------------

    def _ready(self) -> bool:
        """Connected (connecting if need be); raises NOT_OPEN before `open()`."""
        raise NotImplementedError

    def _write(self, chunk: bytes) -> int:
        """Send one chunk; the number of bytes taken. OSError on a device fault."""
        raise NotImplementedError

    def _finish_job(self) -> None:
        """Anything after the last chunk (a flush)."""

    def _disconnect(self) -> None:
        raise NotImplementedError

    def _status(self) -> PrinterStatus:
        raise NotImplementedError

    def _describe(self) -> str:
        return type(self).__name__

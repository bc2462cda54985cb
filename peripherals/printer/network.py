"""A receipt printer on the network: raw ESC/POS over TCP (port 9100, "JetDirect").

Each job and each status check uses its own short connection, so a printer that was
switched off and on again works from the next receipt without any reconnect logic, and
the kiosk never holds the printer's single raw port open between jobs.

A job is sent, the sending side is closed (`shutdown(SHUT_WR)`), and then the printer is
given up to `confirm_timeout` seconds to close its side. A reset at that point means the
printer dropped the connection with part of the job unread; silence is accepted, as many
printers keep the connection open until they time out themselves.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time

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
from peripherals.printer.status import query_status
from peripherals.receipt_document import ReceiptDocument

_log = logging.getLogger(__name__)

_CHUNK = 4096


class NetworkPrinter(OpenCloseContext):
    def __init__(
        self,
        host: str,
        port: int = 9100,
        *,
        paper: PaperSpec,
        timeout: float = 5.0,
        confirm_timeout: float = 1.0,
    ) -> None:
        self.host = host
        self.port = port
        self.paper = paper
        self.timeout = timeout
        self.confirm_timeout = confirm_timeout
        self._open = False
        # One job or status check at a time: a status query inside a job would be read as
        # part of it, and many printers take only one connection.
        self._lock = threading.Lock()

    def open(self) -> None:
        """Check the settings and the profile; the printer itself may still be switched off."""
        if not self.host or self.host != self.host.strip():
            raise PrinterError(ErrorCode.BAD_CONFIG, f"network printer host {self.host!r} is not valid")
        if not 0 < self.port < 65536:
            raise PrinterError(ErrorCode.BAD_CONFIG, f"network printer port {self.port} is not 1-65535")
        if not self.timeout > 0 or not self.confirm_timeout >= 0:
            raise PrinterError(ErrorCode.BAD_CONFIG, "network printer timeouts must be positive")
        load_profile(self.paper.profile)
        self._open = True

    def close(self) -> None:
        self._open = False

    def _connect(self) -> socket.socket:
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def status(self) -> PrinterStatus:
        """DLE EOT 1, 2 and 4 on a fresh connection; offline when it cannot connect."""
        with self._lock:
            return self._status()

    def _status(self) -> PrinterStatus:
        self._require_open()
        try:
            with self._connect() as connection:
                return query_status(connection.sendall, lambda: _read_byte(connection))
        except OSError as error:
            _log.debug("printer %s:%s status: %s", self.host, self.port, error)
            return PrinterStatus.OFFLINE

    def print_receipt(self, doc: ReceiptDocument, name: str) -> PrintResult:
        with self._lock:
            return self._print(doc, name)

    def _print(self, doc: ReceiptDocument, name: str) -> PrintResult:
        self._require_open()
        check_job_name(name)
        job = render_escpos(doc, self.paper)
        try:
            connection = self._connect()
        except OSError as error:
            _log.debug("printer %s:%s unreachable: %s", self.host, self.port, error)
            return PrintResult(ok=False, bytes_sent=0, error=ErrorCode.OFFLINE)
        sent = 0
        with connection:
            try:
                view = memoryview(job)
                while sent < len(job):
                    sent += connection.send(view[sent : sent + _CHUNK])
                connection.shutdown(socket.SHUT_WR)
                _await_close(connection, self.confirm_timeout)
            except OSError as error:
                _log.debug("printer %s:%s job %s cut short: %s", self.host, self.port, name, error)
                return PrintResult(ok=False, bytes_sent=sent, error=ErrorCode.WRITE_FAILED)
        return PrintResult(ok=True, bytes_sent=sent)

    def _require_open(self) -> None:
        if not self._open:
            raise PrinterError(ErrorCode.NOT_OPEN, "NetworkPrinter.open() was not called")


def _read_byte(connection: socket.socket) -> int | None:
    """One reply byte, or None if none came in time; a closed connection is an error."""
    try:
        data = connection.recv(1)
    except TimeoutError:
        return None
    if not data:
        raise ConnectionResetError(errno.ECONNRESET, "printer closed the connection")
    return data[0]


def _await_close(connection: socket.socket, seconds: float) -> None:
    """Wait for the printer to close its side; raise if it reset the connection instead.

    Bytes the printer sends meanwhile (automatic status back) are read and dropped.
    """
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        connection.settimeout(left)
        try:
            if not connection.recv(_CHUNK):
                return
        except TimeoutError:
            return

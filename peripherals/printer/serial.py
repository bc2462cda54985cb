"""A receipt printer on a serial port (RS-232, or a USB adapter such as /dev/ttyUSB0).

Needs pyserial (`pip install pyserial`), which the kiosk does not install by default:
`SerialPrinter.is_usable()` says whether it is there, and `open()` refuses with a clear
message when it is not. pyserial is imported in `open()`, never at import time.

pyserial's `SerialException` is an `OSError`, so link faults are caught as such. If the
port cannot be opened (adapter unplugged), the printer reports offline and tries
again at the next job or status check, so a printer plugged in later just works.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from types import ModuleType
from typing import Any

from peripherals.printer.base import (
    ErrorCode,
    PaperSpec,
    PrinterError,
    PrinterStatus,
)
from peripherals.printer.escpos_render import load_profile
from peripherals.printer.status import query_status
from peripherals.printer.stream import CHUNK, StreamPrinter

_log = logging.getLogger(__name__)

MISSING_DEPENDENCY = (
    "the 'serial' printer needs pyserial, which is not installed (pip install pyserial)"
)


def _load_pyserial() -> ModuleType | None:
    try:
        return importlib.import_module("serial")
    except ImportError:
        return None


class SerialPrinter(StreamPrinter):
    def __init__(
        self,
        device: str,
        *,
        paper: PaperSpec,
        baudrate: int = 9600,
        timeout: float = 1.0,
        rtscts: bool = False,
    ) -> None:
        super().__init__(paper)
        self.device = device
        self.baudrate = baudrate
        self.timeout = timeout
        self.rtscts = rtscts
        self._module: ModuleType | None = None
        self._port: Any = None

    @staticmethod
    def is_usable() -> bool:
        """True when pyserial can be imported."""
        return _load_pyserial() is not None

    def open(self) -> None:
        module = _load_pyserial()
        if module is None:
            raise PrinterError(ErrorCode.BAD_CONFIG, MISSING_DEPENDENCY)
        if not self.device:
            raise PrinterError(ErrorCode.BAD_CONFIG, "the 'serial' printer needs a device path")
        if self.baudrate <= 0 or not self.timeout > 0:
            raise PrinterError(ErrorCode.BAD_CONFIG, "serial baud rate and timeout must be positive")
        load_profile(self.paper.profile)
        self._module = module
        self._open = True
        self._connect()

    def _status(self) -> PrinterStatus:
        port = self._connected_port()
        if port is None:
            return PrinterStatus.OFFLINE
        try:
            port.reset_input_buffer()
            return query_status(port.write, lambda: _first_byte(port.read(1)))
        except OSError as error:
            _log.debug("serial printer %s status: %s", self.device, error)
            self._disconnect()
            return PrinterStatus.OFFLINE

    def _ready(self) -> bool:
        return self._connected_port() is not None

    def _write(self, chunk: bytes) -> int:
        written = self._port.write(chunk)
        return len(chunk) if written is None else int(written)

    def _finish_job(self) -> None:
        self._port.flush()

    def _describe(self) -> str:
        return f"serial printer {self.device}"

    def _connected_port(self) -> Any:
        if not self._open:
            raise PrinterError(ErrorCode.NOT_OPEN, "SerialPrinter.open() was not called")
        if self._port is None:
            self._connect()
        return self._port

    def _connect(self) -> None:
        assert self._module is not None
        try:
            self._port = self._module.Serial(
                port=self.device,
                baudrate=self.baudrate,
                timeout=self.timeout,
                # Ten bits a byte; twice the time a chunk needs on the wire, plus slack.
                write_timeout=self.timeout + 2 * CHUNK * 10 / self.baudrate,
                rtscts=self.rtscts,
            )
        except OSError as error:
            _log.debug("serial printer %s cannot be opened: %s", self.device, error)
            self._port = None

    def _disconnect(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(OSError):
                port.close()


def _first_byte(data: bytes) -> int | None:
    return data[0] if data else None

"""A receipt printer on USB, found by vendor and product id, driven with pyusb.

Needs pyusb (`pip install pyusb`) and libusb (`apt install libusb-1.0-0`), which the kiosk
does not install by default: `UsbPrinter.is_usable()` says whether pyusb is there, and
`open()` refuses with a clear message when either is missing. pyusb is imported in
`open()`, never at import time.

The printer is claimed on the first interface: the kernel's `usblp` driver is detached if
it holds it. Jobs go to the first bulk OUT endpoint. Status is read with DLE EOT on the
bulk IN endpoint when the printer has one, and is `unknown` otherwise. An unplugged
printer reads as offline, and is looked for again at the next job or status check.
pyusb's `USBError` is an `OSError`, so link faults are caught as such.
"""

from __future__ import annotations

import contextlib
import errno
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
from peripherals.printer.stream import StreamPrinter

_log = logging.getLogger(__name__)

_ENDPOINT_IN = 0x80
_TRANSFER_BULK = 0x02
MISSING_DEPENDENCY = "the 'usb' printer needs pyusb, which is not installed (pip install pyusb)"
MISSING_LIBUSB = (
    "the 'usb' printer needs libusb, which pyusb cannot find (apt install libusb-1.0-0)"
)


def _load_pyusb() -> tuple[ModuleType, ModuleType] | None:
    try:
        return importlib.import_module("usb.core"), importlib.import_module("usb.util")
    except ImportError:
        return None


class UsbPrinter(StreamPrinter):
    def __init__(
        self,
        vendor_id: int,
        product_id: int,
        *,
        paper: PaperSpec,
        interface: int = 0,
        timeout_ms: int = 5000,
    ) -> None:
        super().__init__(paper)
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.interface = interface
        self.timeout_ms = timeout_ms
        self._modules: tuple[ModuleType, ModuleType] | None = None
        self._device: Any = None
        self._out: int | None = None
        self._in: int | None = None

    @staticmethod
    def is_usable() -> bool:
        """True when pyusb can be imported (libusb itself is checked by `open()`)."""
        return _load_pyusb() is not None

    def open(self) -> None:
        modules = _load_pyusb()
        if modules is None:
            raise PrinterError(ErrorCode.BAD_CONFIG, MISSING_DEPENDENCY)
        for label, value in (("vendor", self.vendor_id), ("product", self.product_id)):
            if not 0 <= value <= 0xFFFF:
                raise PrinterError(ErrorCode.BAD_CONFIG, f"USB {label} id {value!r} is not 0x0000-0xFFFF")
        if self.timeout_ms <= 0:
            raise PrinterError(ErrorCode.BAD_CONFIG, "USB timeout must be positive")
        load_profile(self.paper.profile)
        self._modules = modules
        self._open = True
        self._connect()

    def _status(self) -> PrinterStatus:
        if not self._ensure_connected():
            return PrinterStatus.OFFLINE
        if self._in is None:
            return PrinterStatus.UNKNOWN
        try:
            return query_status(self._write_all, self._read_byte)
        except OSError as error:
            _log.debug("USB printer %04x:%04x status: %s", self.vendor_id, self.product_id, error)
            self._disconnect()
            return PrinterStatus.OFFLINE

    def _ready(self) -> bool:
        return self._ensure_connected()

    def _write(self, chunk: bytes) -> int:
        return int(self._device.write(self._out, chunk, self.timeout_ms))

    def _describe(self) -> str:
        return f"USB printer {self.vendor_id:04x}:{self.product_id:04x}"

    def _write_all(self, data: bytes) -> None:
        self._device.write(self._out, data, self.timeout_ms)

    def _read_byte(self) -> int | None:
        try:
            data = self._device.read(self._in, 64, self.timeout_ms)
        except OSError as error:
            if error.errno == errno.ETIMEDOUT or type(error).__name__ == "USBTimeoutError":
                return None
            raise
        return int(data[0]) if len(data) else None

    def _ensure_connected(self) -> bool:
        if not self._open:
            raise PrinterError(ErrorCode.NOT_OPEN, "UsbPrinter.open() was not called")
        if self._device is None:
            self._connect()
        return self._device is not None

    def _connect(self) -> None:
        assert self._modules is not None
        core, _ = self._modules
        try:
            device = core.find(idVendor=self.vendor_id, idProduct=self.product_id)
        except OSError as error:
            _log.debug("USB printer %04x:%04x: %s", self.vendor_id, self.product_id, error)
            return
        except ValueError as error:  # usb.core.NoBackendError: libusb is missing
            raise PrinterError(ErrorCode.BAD_CONFIG, MISSING_LIBUSB) from error
        if device is None:
            return
        try:
            with contextlib.suppress(NotImplementedError, OSError):
                if device.is_kernel_driver_active(self.interface):
                    device.detach_kernel_driver(self.interface)
            with contextlib.suppress(OSError):  # already configured, as after a reconnect
                device.set_configuration()
            endpoints = list(device.get_active_configuration()[(self.interface, 0)])
        except (OSError, KeyError, IndexError) as error:
            _log.debug("USB printer %04x:%04x cannot be claimed: %s", self.vendor_id, self.product_id, error)
            return
        bulk = [ep.bEndpointAddress for ep in endpoints if ep.bmAttributes & 0x03 == _TRANSFER_BULK]
        outs = [address for address in bulk if not address & _ENDPOINT_IN]
        ins = [address for address in bulk if address & _ENDPOINT_IN]
        if not outs:
            _log.debug("USB printer %04x:%04x has no bulk OUT endpoint", self.vendor_id, self.product_id)
            return
        self._device, self._out, self._in = device, outs[0], (ins[0] if ins else None)

    def _disconnect(self) -> None:
        device, self._device = self._device, None
        self._out = self._in = None
        if device is not None and self._modules is not None:
            with contextlib.suppress(OSError):
                self._modules[1].dispose_resources(device)

"""What every receipt printer backend promises, and the paper it prints on.

Faults a resident can meet (offline, out of paper, a job cut short) come back as a
`PrintResult` with a stable code, so the confirmation screen can say "your receipt could
not be printed" and carry on. `PrinterError` is for set-up mistakes (unknown backend,
unknown profile, printing before `open()`), which should fail loudly during start-up and
in tests.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Protocol, Self

from peripherals.receipt_document import ReceiptDocument

QRMode = Literal["native", "raster"]


@dataclass(frozen=True)
class PaperSpec:
    """The roll and the printer model, as chosen in the profile.

    `qr_mode` is per printer model: "native" sends the payload and lets the printer draw
    the code (GS ( k: small, crisp), "raster" sends a picture of it (GS v 0), for the
    many cheap printers without a QR engine. `profile` names a python-escpos printer
    profile; it decides which code pages exist and whether there is a cutter.
    """

    width_mm: Literal[58, 80]
    chars_per_line: int
    raster_width_dots: int
    profile: str
    qr_mode: QRMode = "raster"

    def __post_init__(self) -> None:
        if self.width_mm not in (58, 80):
            raise ValueError(f"paper width must be 58 or 80 mm, got {self.width_mm}")
        if self.chars_per_line < 8 or self.raster_width_dots < 8 * self.chars_per_line:
            raise ValueError(
                f"implausible paper: {self.chars_per_line} characters per line, "
                f"{self.raster_width_dots} dots"
            )
        if self.qr_mode not in ("native", "raster"):
            raise ValueError(f"qr_mode must be 'native' or 'raster', got {self.qr_mode!r}")
        if not self.profile:
            raise ValueError("a python-escpos profile name is required")


# Common rolls at 203 dpi (8 dots per mm, font A 12 dots wide). The 58 mm profile has no
# QR engine and no cutter, as is usual for printers of that size.
PAPER_80MM = PaperSpec(
    width_mm=80, chars_per_line=48, raster_width_dots=576, profile="TM-T20II", qr_mode="native"
)
PAPER_58MM = PaperSpec(
    width_mm=58, chars_per_line=32, raster_width_dots=384, profile="POS-5890", qr_mode="raster"
)


class PrinterStatus(enum.StrEnum):
    """Stable ids: they go into the heartbeat and the staff health view, never to residents."""

    ONLINE = "online"
    OFFLINE = "offline"
    PAPER_OUT = "paper_out"
    PAPER_NEAR_END = "paper_near_end"
    COVER_OPEN = "cover_open"
    UNKNOWN = "unknown"


class ErrorCode(enum.StrEnum):
    """Stable codes the core maps to message keys; they are ids, not wording."""

    OFFLINE = "printer.offline"
    PAPER_OUT = "printer.paper_out"
    COVER_OPEN = "printer.cover_open"
    WRITE_FAILED = "printer.write_failed"
    NOT_OPEN = "printer.not_open"
    OPEN_FAILED = "printer.open_failed"
    BAD_JOB_NAME = "printer.bad_job_name"
    BAD_PROFILE = "printer.bad_profile"
    BAD_CONFIG = "printer.bad_config"
    UNKNOWN_KIND = "printer.unknown_kind"


@dataclass(frozen=True)
class PrintResult:
    """`bytes_sent` counts what reached the device, so a job cut short can be reported."""

    ok: bool
    bytes_sent: int
    error: str | None = None


class PrinterError(Exception):
    """A set-up or programming mistake, carrying a stable `code` for logs and the heartbeat."""

    def __init__(self, code: ErrorCode, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class ReceiptPrinter(Protocol):
    """One receipt printer, opened once at start-up and closed at shut-down.

    `name` identifies the job (the file printer uses it as the file name; it must be a
    plain name such as the reference). `print_receipt` reports device faults in its
    result instead of raising, because a failed receipt must never end a resident's
    session.
    """

    def open(self) -> None: ...

    def close(self) -> None: ...

    def print_receipt(self, doc: ReceiptDocument, name: str) -> PrintResult: ...

    def status(self) -> PrinterStatus: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class OpenCloseContext:
    """Gives a backend `with printer:` on top of its explicit `open()`/`close()`."""

    def open(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_JOB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def check_job_name(name: str) -> None:
    """Refuse names that could leave the output folder or hide a file (`../x`, `.x`, `a/b`)."""
    if not _JOB_NAME.fullmatch(name):
        raise PrinterError(
            ErrorCode.BAD_JOB_NAME,
            f"job name {name!r} must be 1-100 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
        )

"""An in-memory printer with switches for the faults a real one has.

Tests (and the demo without a printer) flip `offline`, `paper_state` and
`fail_after_bytes` to see how the kiosk behaves when a receipt cannot be printed.
"""

from __future__ import annotations

from typing import Literal

from peripherals.printer.base import (
    ErrorCode,
    OpenCloseContext,
    PaperSpec,
    PrinterError,
    PrinterStatus,
    PrintResult,
    check_job_name,
)
from peripherals.printer.escpos_render import render_escpos
from peripherals.receipt_document import ReceiptDocument

PaperState = Literal["ok", "near_end", "out"]


class FakePrinter(OpenCloseContext):
    """Records every job's bytes in `jobs` (and its name in `job_names`).

    The paper roll switch is called `paper_state` because `paper` is the `PaperSpec`, as
    for every backend. `fail_after_bytes` makes every job stop after that many bytes, as
    when the cable is pulled mid-receipt: only those bytes are recorded.
    `paper_out_after_bytes` runs the roll out part-way through the next job: the bytes up to
    there are recorded, the job reports paper out, and the printer stays out of paper.
    """

    def __init__(
        self,
        paper: PaperSpec,
        *,
        offline: bool = False,
        paper_state: PaperState = "ok",
        fail_after_bytes: int | None = None,
        paper_out_after_bytes: int | None = None,
    ) -> None:
        self.paper = paper
        self.offline = offline
        self.paper_state: PaperState = paper_state
        self.fail_after_bytes = fail_after_bytes
        self.paper_out_after_bytes = paper_out_after_bytes
        self.jobs: list[bytes] = []
        self.job_names: list[str] = []
        self.is_open = False

    @property
    def output(self) -> bytes:
        """The last job's bytes (empty before the first job)."""
        return self.jobs[-1] if self.jobs else b""

    def open(self) -> None:
        self.is_open = True

    def close(self) -> None:
        self.is_open = False

    def status(self) -> PrinterStatus:
        if self.offline:
            return PrinterStatus.OFFLINE
        if self.paper_state == "out":
            return PrinterStatus.PAPER_OUT
        if self.paper_state == "near_end":
            return PrinterStatus.PAPER_NEAR_END
        return PrinterStatus.ONLINE

    def print_receipt(self, doc: ReceiptDocument, name: str) -> PrintResult:
        if not self.is_open:
            raise PrinterError(ErrorCode.NOT_OPEN, "FakePrinter.open() was not called")
        check_job_name(name)
        if self.offline:
            return PrintResult(ok=False, bytes_sent=0, error=ErrorCode.OFFLINE)
        if self.paper_state == "out":
            return PrintResult(ok=False, bytes_sent=0, error=ErrorCode.PAPER_OUT)
        job = render_escpos(doc, self.paper)
        roll = self.paper_out_after_bytes
        if roll is not None and len(job) > roll:
            self.paper_state, self.paper_out_after_bytes = "out", None
            return self._cut_short(job, roll, name, ErrorCode.PAPER_OUT)
        limit = self.fail_after_bytes
        if limit is not None and len(job) > limit:
            return self._cut_short(job, limit, name, ErrorCode.WRITE_FAILED)
        self._record(job, name)
        return PrintResult(ok=True, bytes_sent=len(job))

    def _cut_short(self, job: bytes, limit: int, name: str, error: ErrorCode) -> PrintResult:
        """Only the first `limit` bytes reach the "printer"; the job is reported failed."""
        sent = job[: max(0, limit)]
        self._record(sent, name)
        return PrintResult(ok=False, bytes_sent=len(sent), error=error)

    def _record(self, job: bytes, name: str) -> None:
        self.jobs.append(job)
        self.job_names.append(name)

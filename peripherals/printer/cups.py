"""A receipt printer behind a CUPS raw queue, fed through the `lp` command.

The job goes to `lp -d QUEUE -o raw -t NAME` on standard input, with no shell, so the ESC/POS
bytes reach the printer unchanged. Needs the CUPS client commands (`apt install
cups-client`): `CupsPrinter.is_usable()` says whether `lp` is on the PATH, and `open()`
refuses with a clear message when it is not.

CUPS hides the device, so status is the queue's: `lpstat -p QUEUE` saying "disabled" (CUPS
stops a queue whose device failed) reads as offline, an enabled queue as online, and
anything else (no `lpstat`, no such queue, a timeout) as unknown.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess

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
from peripherals.receipt_document import ReceiptDocument

_log = logging.getLogger(__name__)

# CUPS queue names: up to 127 printable characters other than space, "/", "#" and quotes.
_QUEUE_NAME = re.compile(r"[A-Za-z0-9_.@+][A-Za-z0-9_.@+-]{0,126}")


def _missing_command(command: str) -> str:
    return (
        f"the 'cups' printer needs the {command!r} command, which is not on the PATH "
        "(apt install cups-client)"
    )


class CupsPrinter(OpenCloseContext):
    def __init__(
        self,
        queue: str,
        *,
        paper: PaperSpec,
        timeout: float = 30.0,
        lp_command: str = "lp",
        lpstat_command: str = "lpstat",
    ) -> None:
        self.queue = queue
        self.paper = paper
        self.timeout = timeout
        self.lp_command = lp_command
        self.lpstat_command = lpstat_command
        self._lp: str | None = None
        self._open = False

    @staticmethod
    def is_usable(lp_command: str = "lp") -> bool:
        """True when the `lp` command is on the PATH."""
        return shutil.which(lp_command) is not None

    def open(self) -> None:
        lp = shutil.which(self.lp_command)
        if lp is None:
            raise PrinterError(ErrorCode.BAD_CONFIG, _missing_command(self.lp_command))
        if not _QUEUE_NAME.fullmatch(self.queue):
            raise PrinterError(ErrorCode.BAD_CONFIG, f"CUPS queue name {self.queue!r} is not valid")
        if not self.timeout > 0:
            raise PrinterError(ErrorCode.BAD_CONFIG, "CUPS timeout must be positive")
        load_profile(self.paper.profile)
        self._lp = lp
        self._open = True

    def close(self) -> None:
        self._open = False

    def status(self) -> PrinterStatus:
        self._require_open()
        lpstat = shutil.which(self.lpstat_command)
        if lpstat is None:
            return PrinterStatus.UNKNOWN
        try:
            done = subprocess.run(
                [lpstat, "-p", self.queue],
                capture_output=True,
                timeout=self.timeout,
                check=False,
                env=_c_locale(),
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            _log.debug("lpstat for %s failed: %s", self.queue, error)
            return PrinterStatus.UNKNOWN
        text = done.stdout.decode(errors="replace")
        if done.returncode != 0 or not text.startswith(f"printer {self.queue} "):
            return PrinterStatus.UNKNOWN
        if "disabled" in text.splitlines()[0]:
            return PrinterStatus.OFFLINE
        return PrinterStatus.ONLINE

    def print_receipt(self, doc: ReceiptDocument, name: str) -> PrintResult:
        lp = self._require_open()
        check_job_name(name)
        job = render_escpos(doc, self.paper)
        try:
            done = subprocess.run(
                [lp, "-d", self.queue, "-o", "raw", "-t", name],
                input=job,
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except OSError as error:  # lp removed or not executable since open()
            _log.warning("cannot run %s for job %s: %s", lp, name, error)
            return PrintResult(ok=False, bytes_sent=0, error=ErrorCode.OFFLINE)
        except subprocess.TimeoutExpired:
            _log.warning("lp for job %s did not finish in %s s", name, self.timeout)
            return PrintResult(ok=False, bytes_sent=0, error=ErrorCode.WRITE_FAILED)
        if done.returncode != 0:
            _log.warning(
                "lp refused job %s for queue %s (exit %s): %s",
                name,
                self.queue,
                done.returncode,
                done.stderr.decode(errors="replace").strip()[:200],
            )
            return PrintResult(ok=False, bytes_sent=0, error=ErrorCode.WRITE_FAILED)
        return PrintResult(ok=True, bytes_sent=len(job))

    def _require_open(self) -> str:
        if not self._open or self._lp is None:
            raise PrinterError(ErrorCode.NOT_OPEN, "CupsPrinter.open() was not called")
        return self._lp


def _c_locale() -> dict[str, str]:
    """The environment with messages in English, so `lpstat` output can be read."""
    return {**os.environ, "LC_ALL": "C", "LANG": "C"}

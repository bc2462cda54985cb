"""One job the hub runs now and then at an interval, on a thread of its own, until closed.

The purges (appointments' personal details, raw usage events past retention, expired saved
applications) share this shape: run at start, then every so often; a database that is down
is logged by the error's type (never its message, which can quote a row) and tried again
next time; `runs` counts attempts so tests can wait for one.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError


class PeriodicJob:
    """Subclasses say what one run does (`once`, returning the line to log) and its name."""

    name = "hub-job"

    def __init__(self, every: timedelta, log: logging.Logger) -> None:
        self._every = every
        self._log = log
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def once(self) -> str:
        raise NotImplementedError

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                done = self.once()
            except SQLAlchemyError as exc:  # the database is down: try again next time
                self._log.warning("%s failed: %s", self.name, type(exc).__name__)
            else:
                self._log.info("%s", done)
            self.runs += 1
            self._stop.wait(self._every.total_seconds())

    def close(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

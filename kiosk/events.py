"""A tiny typed observer: the core publishes, views subscribe.

Not Qt signals, so the core stays Qt-free and headless tests can listen the same way the
window does (napari's evented models, without the machinery). Delivery is synchronous and in
subscription order. `emit` calls every subscriber and then raises the first failure, so a bug
in a view shows in tests; `emit_all` only collects failures (logged by type), for paths that
must complete whatever a view does wrong: the terminal's wipe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, ParamSpec

log = logging.getLogger(__name__)

P = ParamSpec("P")


class Event(Generic[P]):
    """One kind of event. `connect` returns the function that disconnects."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._subscribers: list[Callable[P, object]] = []

    def connect(self, callback: Callable[P, object]) -> Callable[[], None]:
        self._subscribers.append(callback)

        def disconnect() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return disconnect

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        failures = self.emit_all(*args, **kwargs)
        if failures:
            raise failures[0]

    def emit_all(self, *args: P.args, **kwargs: P.kwargs) -> list[BaseException]:
        """Call every subscriber; return what any of them raised (logged by type, never by
        message: a message can quote what a resident typed)."""
        failures: list[BaseException] = []
        for callback in list(self._subscribers):
            try:
                callback(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - every subscriber runs; see emit
                log.error("a subscriber to %s raised %s", self.name, type(exc).__name__)
                failures.append(exc)
        return failures

    def clear(self) -> None:
        self._subscribers.clear()

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

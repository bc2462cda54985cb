"""The wipe's helpers: guarded steps and the proof that nothing of the visit is left.

Kept apart from `kiosk.terminal` because they are the safety path's own rules (every step
guarded, every check run, a check that cannot run counts as a failure), and are easier to
review on their own than inside the terminal's intents.
"""

from __future__ import annotations

import gc
import logging
import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from kiosk.terminal_events import WipeCheck

log = logging.getLogger(__name__)

T = TypeVar("T")


def verify(checks: Sequence[WipeCheck], watched: list[tuple[str, weakref.ref[Any]]]) -> list[str]:
    """Every view's check, then the ended visit's objects: what is left, as problems."""
    problems: list[str] = []
    for check in checks:
        try:
            problems += check()
        except Exception as exc:  # noqa: BLE001 - a check that cannot run proves nothing
            problems.append(f"a wipe check raised {type(exc).__name__}")
    alive = [name for name, ref in watched if ref() is not None]
    if alive:
        # Only a reference cycle keeps these now; a full collection frees them. Logged
        # because every such cycle is a bug (answers kept in memory until collected).
        gc.collect()
        late = [name for name, ref in watched if ref() is not None]
        if late:
            problems += [f"the ended visit's {name} is still reachable" for name in late]
        else:
            log.warning("the ended visit's %s needed a full garbage collection",
                        " and ".join(alive))
    return problems

def collect(into: list[Callable[[], None]], step: Callable[[T], Callable[[], None] | None],
             argument: T) -> None:
    job = step(argument)
    if job is not None:
        into.append(job)


def ignore(result: object) -> None:
    return None


def audit_failed(error: BaseException) -> None:
    log.error("audit line after the wipe not written (%s)", type(error).__name__)


def guarded(step: str, action: Callable[[], object]) -> None:
    """Run one wipe step; a failure is logged and the wipe goes on (verified afterwards)."""
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - the wipe goes on whatever one step does
        log.error("wipe: %s failed (%s); carrying on", step, type(exc).__name__)

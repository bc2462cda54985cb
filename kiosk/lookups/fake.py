"""An in-process lookup for tests and the demo, with faults that can be switched on at run time.

It honours the same contract as the hub client: it gives up by itself within its timeout, and
everything it raises is a `LookupUnavailable`. It keeps no inputs: `calls` lists sources only.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta

from kiosk.lookups.base import (
    LookupItem,
    LookupRequest,
    LookupResult,
    LookupUnavailable,
    UnavailableReason,
)

Answer = Callable[[LookupRequest], Sequence[LookupItem]]


class FakeLookup:
    def __init__(self, answers: Mapping[str, Answer] | None = None, *,
                 timeout_seconds: float = 5.0) -> None:
        self._answers = dict(answers if answers is not None else demo_answers(date.today))
        self.timeout_seconds = timeout_seconds
        self._lock = threading.Lock()
        self._failure: UnavailableReason | None = None
        self._delay = 0.0
        self._released = threading.Event()
        self.calls: list[str] = []

    def fail_with(self, reason: UnavailableReason | None) -> None:
        """Every lookup from now on fails with `reason` (None: answer again)."""
        with self._lock:
            self._failure = reason

    def delay(self, seconds: float) -> None:
        """Every lookup from now on takes `seconds` (more than the timeout: it times out)."""
        with self._lock:
            self._delay = max(0.0, seconds)
            self._released = threading.Event()

    def clear_faults(self) -> None:
        """Answer normally, and at once, including lookups already waiting on a delay."""
        with self._lock:
            self._failure = None
            self._delay = 0.0
            self._released.set()

    def lookup(self, request: LookupRequest) -> LookupResult:
        with self._lock:
            failure, delay, released = self._failure, self._delay, self._released
            self.calls.append(request.source)
        if delay > 0:
            cut_short = released.wait(min(delay, self.timeout_seconds))
            if not cut_short and delay > self.timeout_seconds:
                raise LookupUnavailable("timeout", f"no answer within {self.timeout_seconds:g} s")
        if failure is not None:
            raise LookupUnavailable(failure, "injected by the fake")
        answer = self._answers.get(request.source)
        if answer is None:
            raise LookupUnavailable("not_configured", f"no canned answers for {request.source}")
        return LookupResult(request.source, tuple(answer(request)))


def _postcode_key(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


_DEMO_ADDRESSES: dict[str, tuple[tuple[str, str], ...]] = {
    "DE991AB": (("990000001001", "1 Library Lane, Demo Town, DE99 1AB"),
                ("990000001002", "2 Library Lane, Demo Town, DE99 1AB"),
                ("990000001014", "14 Library Lane, Demo Town, DE99 1AB"),
                ("990000001015", "Rose Cottage, Library Lane, Demo Town, DE99 1AB")),
    "DE992DE": (("990000002001", "Flat 1, Orchard House, Orchard Rise, Little Demo, Demo Town, "
                                 "DE99 2DE"),
                ("990000002007", "7 Orchard Rise, Little Demo, Demo Town, DE99 2DE")),
    "DE999ZZ": (),
    # Across the boundary: the council's list holds them (shared streets), but they are in the
    # neighbouring council's area (`in_area: no`, so `inside_area` is "no").
    "DE999XA": (("990000009001", "Boundary Farm, Border Lane, Other Town, DE99 9XA"),
                ("990000009002", "2 Border Lane, Other Town, DE99 9XA")),
}
_OUTSIDE_AREA = frozenset({"990000009001", "990000009002"})
_DEMO_BINS = (("general", "green", "Green bin – general waste", 1, 14, 2),
              ("recycling", "blue", "Blue bin – recycling", 8, 21, 2),
              ("food", "brown", "Brown caddy – food waste", 1, 8, 1))


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"  # the demo's canned rows are in English


def demo_answers(today: Callable[[], date]) -> dict[str, Answer]:
    """A few fictional DE99 addresses and their bins, like the demo hub's (docs/lookups.md)."""

    def addresses(request: LookupRequest) -> Sequence[LookupItem]:
        found = _DEMO_ADDRESSES.get(_postcode_key(request.inputs.get("postcode", "")), ())
        return [LookupItem(uprn, label, None,
                           {"uprn": uprn, "lat": f"52.6{uprn[-4:]}", "long": "-1.47021",
                            **({"in_area": "no"} if uprn in _OUTSIDE_AREA else {})})
                for uprn, label in found]

    def bins(request: LookupRequest) -> Sequence[LookupItem]:
        known = {uprn for group in _DEMO_ADDRESSES.values() for uprn, _ in group}
        if request.inputs.get("uprn", "") not in known:
            return []
        start = today()
        rows = []
        for bin_id, colour, label, first, then, weeks in _DEMO_BINS:
            next_day, then_day = start + timedelta(days=first), start + timedelta(days=then)
            rows.append(LookupItem(bin_id, label, f"{_day(next_day)}, {_day(then_day)}", {
                "bin": bin_id, "colour": colour, "every_weeks": str(weeks),
                "next": next_day.isoformat(), "next_usual": next_day.isoformat(),
                "next_moved": "false", "then": then_day.isoformat(),
                "then_usual": then_day.isoformat(), "then_moved": "false"}))
        return rows

    return {"addresses": addresses, "bin-collections": bins}

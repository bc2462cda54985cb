"""FakeLookup: canned answers by source, and faults switched on and off while it runs."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from kiosk.lookups import FakeLookup, LookupItem, LookupRequest, LookupUnavailable
from kiosk.lookups.fake import demo_answers


def request(source: str = "addresses", **inputs: str) -> LookupRequest:
    return LookupRequest(source, inputs or {"postcode": "de99 1ab"}, "en")


def test_demo_answers_by_source_and_input() -> None:
    fake = FakeLookup(demo_answers(lambda: date(2026, 3, 2)))
    addresses = fake.lookup(request(postcode=" de99  1ab "))
    assert [i.value for i in addresses.items] == ["990000001001", "990000001002", "990000001014",
                                                  "990000001015"]
    assert fake.lookup(request(postcode="DE99 9ZZ")).items == ()
    bins = fake.lookup(request("bin-collections", uprn="990000001014"))
    assert [(i.value, i.data["colour"], i.data["next"]) for i in bins.items] == [
        ("general", "green", "2026-03-03"), ("recycling", "blue", "2026-03-10"),
        ("food", "brown", "2026-03-03")]
    assert bins.items[0].hint == "Tuesday 3 March, Monday 16 March"
    assert fake.lookup(request("bin-collections", uprn="1")).items == ()
    assert fake.calls == ["addresses", "addresses", "bin-collections", "bin-collections"]


def test_custom_answers_and_an_unknown_source() -> None:
    fake = FakeLookup({"slots": lambda r: [LookupItem("s1", f"Slot for {len(r.inputs)} inputs")]})
    assert fake.lookup(request("slots", day="mon")).items == (LookupItem("s1", "Slot for 1 inputs"),)
    with pytest.raises(LookupUnavailable) as info:
        fake.lookup(request("addresses"))
    assert info.value.reason == "not_configured"


@pytest.mark.parametrize("reason", ["unreachable", "timeout", "refused", "bad_answer",
                                    "not_configured"])
def test_fail_with_each_reason_then_recover(reason: str) -> None:
    fake = FakeLookup()
    fake.fail_with(reason)  # type: ignore[arg-type]
    with pytest.raises(LookupUnavailable) as info:
        fake.lookup(request(postcode="ZZ9 9ZQ"))
    assert info.value.reason == reason
    assert "ZZ9" not in str(info.value)
    fake.fail_with(None)
    assert fake.lookup(request()).items


def test_a_delay_within_the_timeout_answers_late() -> None:
    fake = FakeLookup(timeout_seconds=2.0)
    fake.delay(0.3)
    started = time.monotonic()
    assert fake.lookup(request()).items
    assert 0.3 <= time.monotonic() - started < 1.5


def test_a_delay_past_the_timeout_gives_up_at_the_timeout() -> None:
    fake = FakeLookup(timeout_seconds=0.4)
    fake.delay(30)
    started = time.monotonic()
    with pytest.raises(LookupUnavailable) as info:
        fake.lookup(request())
    elapsed = time.monotonic() - started
    assert info.value.reason == "timeout"
    assert 0.4 <= elapsed < 1.5


def test_clearing_faults_releases_a_waiting_lookup() -> None:
    fake = FakeLookup(timeout_seconds=30.0)
    fake.delay(30)
    results: list[object] = []
    worker = threading.Thread(target=lambda: results.append(fake.lookup(request())))
    started = time.monotonic()
    worker.start()
    deadline = time.monotonic() + 5
    while not fake.calls and time.monotonic() < deadline:
        time.sleep(0.01)
    fake.clear_faults()
    worker.join(5)
    assert not worker.is_alive()
    assert time.monotonic() - started < 5
    assert len(results) == 1

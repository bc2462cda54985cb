"""The relay tells the real hub where third-party deliveries went: one small record per
request (no personal data), kept and sent again while the hub is down, idempotent."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy.orm import sessionmaker

from hub.db import make_engine
from hub.tracked import find
from kiosk.assembly import open_outbox
from kiosk.outbox import Outbox
from kiosk.outbox.reference_reports import (
    FILE_NAME,
    MAX_RETRY,
    ReferenceReporter,
    reported_destinations,
)
from kiosk.profile import load_profile
from tests.hub.helpers import missed_bin as hub_form
from tests.hub_server import HubProcess, running_hub
from tests.kiosk.delivery_helpers import CANARY, missed_bin
from tests.kiosk_fixtures import demo_profile_copy


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    with running_hub(tmp_path / "hub", extra_args=["--log-level", "info"]) as process:
        yield process


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = open_outbox(tmp_path / "state")
    yield box
    box.close()


def delivered(outbox: Outbox, destination: str = "county", token: str | None = "tok-77",
              remote_id: str | None = None) -> str:
    submission = missed_bin(destination=destination)
    outbox.enqueue(submission)
    outbox.mark_delivered(submission.submission_id, remote_id=remote_id, remote_token=token)
    return submission.reference


def reporter(outbox: Outbox, tmp_path: Path, hub_url: str, clock: Clock) -> ReferenceReporter:
    return ReferenceReporter(outbox, tmp_path / "state" / FILE_NAME, f"{hub_url}/kiosk/v1",
                             "demo-kiosk-key", ["county", "mailbox"],
                             {"missed-bin": "MISSED_BIN"}, clock=clock, timeout_seconds=2)


def hub_knows(hub: HubProcess, reference: str) -> tuple[str, str | None, str | None, str] | None:
    engine = make_engine(hub.database_url)
    try:
        found = find(sessionmaker(engine), reference)
    finally:
        engine.dispose()
    if found is None:
        return None
    return found.destination, found.remote_id, found.remote_token, found.service_code


def test_third_party_deliveries_reach_the_hub(tmp_path: Path, hub: HubProcess,
                                              outbox: Outbox) -> None:
    county = delivered(outbox)
    by_mail = delivered(outbox, destination="mailbox", token=None)
    at_hub = delivered(outbox, destination="council", token=None, remote_id="1000000001")
    clock = Clock(time.time() + 1)  # the outbox's own clock dated the deliveries
    reports = reporter(outbox, tmp_path, hub.base_url, clock)
    try:
        reports.after_pass()
        assert reports.waiting() == 0
        assert hub_knows(hub, county) == ("county", None, "tok-77", "MISSED_BIN")
        assert hub_knows(hub, by_mail) == ("mailbox", None, None, "MISSED_BIN")
        assert hub_knows(hub, at_hub) is None  # the hub's own delivery is not reported
        # A second pass finds nothing new and sends nothing again.
        assert reports.note_deliveries() == 0
        assert reports.send_due() == 0
    finally:
        reports.close()
    # Nothing the resident wrote left the outbox: not in the hub, not in the reports file.
    output = hub.output()
    assert "POST /kiosk/v1/references" in output
    assert CANARY not in output
    for path in (tmp_path / "hub").glob("hub.db*"):
        assert CANARY.encode() not in path.read_bytes()
    for path in (tmp_path / "state").glob(f"{FILE_NAME}*"):
        assert CANARY.encode() not in path.read_bytes()
        assert CANARY.encode("utf-16-le") not in path.read_bytes()


def test_a_hub_that_is_down_hears_later(tmp_path: Path, outbox: Outbox) -> None:
    with running_hub(tmp_path / "hub") as hub:
        port = hub.port
    reference = delivered(outbox)
    row = outbox.find(reference)
    assert row is not None
    assert row.delivered_at is not None
    clock = Clock(row.delivered_at + 1)
    reports = reporter(outbox, tmp_path, f"http://127.0.0.1:{port}", clock)
    try:
        reports.after_pass()  # refused connection: kept, tried again later
        assert reports.waiting() == 1
        with running_hub(tmp_path / "hub", port=port) as hub:
            reports.after_pass()
            assert reports.waiting() == 1  # not yet: the backoff says when
            clock.now += MAX_RETRY
            reports.after_pass()
            assert reports.waiting() == 0
            assert hub_knows(hub, reference) == ("county", None, "tok-77", "MISSED_BIN")
    finally:
        reports.close()
    with sqlite3.connect(tmp_path / "state" / FILE_NAME) as conn:
        (attempts,) = conn.execute("SELECT attempts FROM reports").fetchone()
    assert attempts == 1


def test_a_refusal_that_cannot_change_is_dropped(tmp_path: Path, hub: HubProcess,
                                                 outbox: Outbox) -> None:
    """The hub received this reference itself (409): the record is never sent again."""
    reference = delivered(outbox)
    response = requests.post(f"{hub.open311_url}/requests.json", timeout=5,
                             data=hub_form(api_key="demo-kiosk-key",
                                           **{"attribute[kiosk_reference]": reference}))
    assert response.status_code == 200, response.text
    row = outbox.find(reference)
    assert row is not None
    assert row.delivered_at is not None
    reports = reporter(outbox, tmp_path, hub.base_url, Clock(row.delivered_at + 1))
    try:
        reports.after_pass()
        assert reports.waiting() == 0
        assert reports.send_due() == 0
    finally:
        reports.close()
    with sqlite3.connect(tmp_path / "state" / FILE_NAME) as conn:
        assert conn.execute("SELECT last_error FROM reports").fetchone() == ("http_409",)


def test_which_destinations_are_reported(tmp_path: Path) -> None:
    path = demo_profile_copy(tmp_path, base_url="http://127.0.0.1:8311")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["destinations"]["county"] = {
        "type": "open311", "endpoint": "https://county.example.gov.uk/open311/v2",
        "api_key": "k", "status_url": "http://127.0.0.1:8311/status/{reference}"}
    data["destinations"]["inbox"] = {
        "type": "email", "host": "127.0.0.1", "starttls": False, "from": "kiosk@example.org",
        "to": ["officer@example.org"], "status_url": "http://127.0.0.1:8311/status/{reference}"}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    profile = load_profile(path).profile
    assert reported_destinations(profile) == ["county", "inbox"]  # not "council": the hub
    del data["lookups"]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert reported_destinations(load_profile(path).profile) == []  # nowhere to report

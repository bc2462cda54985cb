"""The Open311 sender against a loopback back office: what is sent, and each verdict."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email.utils import formatdate

import pytest
import requests

from kiosk.clock import FakeClock
from kiosk.outbox import Open311Sender, SendResult, parse_retry_after, senders_from_profile
from kiosk.profile import Open311Destination
from tests.kiosk.open311_fake import Open311Fake, Reply, make_submission

CANARY = "CANARY-7f3e-JANE-DOE"


@pytest.fixture
def fake() -> Iterator[Open311Fake]:
    with Open311Fake() as server:
        yield server


def _sender(fake: Open311Fake, **kwargs: object) -> Open311Sender:
    options: dict[str, object] = {"timeout_seconds": 5.0, **kwargs}
    return Open311Sender(fake.url, "secret-key", **options)  # type: ignore[arg-type]


def test_the_request_carries_the_submission_reference_and_idempotency_key(
    fake: Open311Fake,
) -> None:
    submission = make_submission()
    result = _sender(fake, jurisdiction_id="example.gov.uk").send(submission)
    assert result.kind == "delivered"
    [received] = fake.received
    assert received.path == "/open311/v2/requests.json"
    assert received.headers["content-type"] == (
        "application/x-www-form-urlencoded; charset=utf-8")
    assert received.idempotency_key == submission.submission_id
    assert received.headers["kiosk-reference"] == submission.reference
    assert received.form == {
        "api_key": ["secret-key"],
        "service_code": ["POTHOLE"],
        "jurisdiction_id": ["example.gov.uk"],
        "attribute[size]": ["large"],
        "attribute[hazards][]": ["traffic", "children"],
        "attribute[details]": ["pothole outside"],
        "attribute[kiosk_reference]": [submission.reference],
        **{name: [value] for name, value in submission.fields.items()},
    }


def test_no_jurisdiction_when_none_is_set_and_our_reference_wins(fake: Open311Fake) -> None:
    submission = make_submission(attributes={"ref_code": "spoofed"})
    _sender(fake, reference_attribute="ref_code").send(submission)
    [received] = fake.received
    assert "jurisdiction_id" not in received.form
    assert received.form["attribute[ref_code]"] == [submission.reference]


def test_a_success_records_the_service_request_id(fake: Open311Fake) -> None:
    result = _sender(fake).send(make_submission())
    assert result == SendResult("delivered", "http_201", 201, remote_id="SR-00001",
                                reason="Received by the back office as SR-00001")


def test_a_token_is_recorded_when_the_id_comes_later(fake: Open311Fake) -> None:
    fake.script(Reply(200, token=True))
    result = _sender(fake).send(make_submission())
    assert (result.kind, result.remote_id, result.remote_token) == (
        "delivered", None, "SR-00001")


@pytest.mark.parametrize(("body", "remote_id", "detail"), [
    (b'[{"service_request_id": 4521}]', "4521", "http_201"),
    (b'{"service_request_id": "A-1"}', "A-1", "http_201"),
    (b"[]", None, "http_201_no_id"),
    (b"<html>thanks</html>", None, "http_201_no_id"),
    (b'[{"service_request_id": null}]', None, "http_201_no_id"),
    (b" " * 70_000, None, "http_201_no_id"),
])
def test_any_2xx_is_delivered_even_without_a_readable_id(
    fake: Open311Fake, body: bytes, remote_id: str | None, detail: str
) -> None:
    fake.script(Reply(201, body=body))
    result = _sender(fake).send(make_submission())
    assert (result.kind, result.remote_id, result.detail) == ("delivered", remote_id, detail)


@pytest.mark.parametrize(("status", "kind", "detail"), [
    (500, "retry", "http_500"), (502, "retry", "http_502"), (503, "retry", "http_503"),
    (429, "retry", "http_429"), (408, "retry", "http_408"), (409, "retry", "http_409"),
    (401, "retry", "http_401_api_key"), (403, "retry", "http_403_api_key"),
    (301, "retry", "http_301"), (400, "permanent", "http_400"), (404, "permanent", "http_404"),
    (422, "permanent", "http_422"), (410, "permanent", "http_410"),
])
def test_status_codes_map_to_verdicts(fake: Open311Fake, status: int, kind: str,
                                      detail: str) -> None:
    headers = (("Location", "http://127.0.0.1:9/elsewhere"),) if status == 301 else ()
    fake.script(Reply(status, headers=headers))
    submission = make_submission(text=CANARY)
    result = _sender(fake).send(submission)
    assert (result.kind, result.status, result.detail) == (kind, status, detail)
    assert f"HTTP {status}" in result.reason
    # The fake echoes the whole form back, as real back offices do: none of it is kept.
    assert CANARY.lower() not in result.reason.lower()
    assert "secret-key" not in result.reason
    assert len(fake.received) == 1  # a redirect is not followed


def test_a_wrong_api_key_is_a_retry_that_it_can_fix(fake: Open311Fake) -> None:
    fake.api_key = "the-real-key"
    result = _sender(fake).send(make_submission())
    assert (result.kind, result.detail) == ("retry", "http_403_api_key")
    assert result.reason.startswith("The back office refused the kiosk's API key: check "
                                    "api_key for this destination in the profile")


def test_retry_after_in_seconds_and_as_a_date(fake: Open311Fake) -> None:
    clock = FakeClock()
    fake.script(Reply(503, headers=(("Retry-After", "120"),)),
                Reply(429, headers=(("Retry-After", formatdate(clock.epoch() + 300, usegmt=True)),)))
    sender = _sender(fake, clock=clock.epoch)
    assert sender.send(make_submission()).retry_after == 120
    assert sender.send(make_submission()).retry_after == 300


@pytest.mark.parametrize(("header", "expected"), [
    (None, None), ("", None), ("soon", None), ("-5", None), ("٣", None),
    ("0", 0.0), (" 30 ", 30.0), ("99999999999999", 7 * 24 * 3600.0),
    ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past: no extra wait
])
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, FakeClock().epoch()) == expected


def test_a_refused_connection_is_a_retry() -> None:
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = Open311Sender(f"http://127.0.0.1:{port}/open311/v2", "k", timeout_seconds=2)
    result = sender.send(make_submission())
    # Nothing left: not ambiguous, a plain retry.
    assert (result.kind, result.detail, result.ambiguous) == ("retry", "connection_error", False)
    assert result.reason == "Could not reach the back office (ConnectionError)"


def test_a_dropped_connection_after_the_body_is_ambiguous(fake: Open311Fake) -> None:
    fake.script(Reply(201, drop=True))
    result = _sender(fake).send(make_submission())
    assert (result.kind, result.detail, result.ambiguous) == ("retry", "connection_lost", True)
    assert "it may have arrived (ambiguous)" in result.reason
    assert len(fake.service_requests) == 1


def test_no_answer_in_time_after_the_body_is_ambiguous(fake: Open311Fake) -> None:
    fake.script(Reply(201, delay=5.0))
    result = _sender(fake, timeout_seconds=0.2).send(make_submission())
    assert (result.kind, result.detail, result.ambiguous) == ("retry", "timeout", True)
    assert result.reason.startswith("No answer within 0.2 s after the report was sent")


def test_a_field_outside_open311_is_never_sent(fake: Open311Fake) -> None:
    base = make_submission()
    bad = type(base)(**{**base.__dict__, "fields": {"api_key": "x", "address_string": "1 A St"}})
    result = _sender(fake).send(bad)
    assert (result.kind, result.detail) == ("permanent", "invalid_field")
    assert fake.received == []


def test_a_shared_session_is_left_open_for_its_owner(fake: Open311Fake) -> None:
    with requests.Session() as session:
        sender = _sender(fake, session=session)
        sender.close()
        assert sender.send(make_submission()).kind == "delivered"


def test_senders_from_profile(fake: Open311Fake) -> None:
    destination = Open311Destination.model_validate({
        "type": "open311", "endpoint": fake.url, "api_key": "secret-key",
        "jurisdiction_id": "example.gov.uk", "status_url": "https://x/{reference}",
        "reference_attribute": "our_ref", "timeout_seconds": 3,
    })
    senders = senders_from_profile({"council": destination})
    submission = make_submission()
    assert senders["council"].send(submission).kind == "delivered"
    [received] = fake.received
    assert received.form["api_key"] == ["secret-key"]
    assert received.form["jurisdiction_id"] == ["example.gov.uk"]
    assert received.form["attribute[our_ref]"] == [submission.reference]
    for sender in senders.values():
        assert isinstance(sender, Open311Sender)
        sender.close()

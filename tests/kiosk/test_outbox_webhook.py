"""The webhook destination against a real receiver on 127.0.0.1 that verifies signatures."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from kiosk.config_errors import ConfigError
from kiosk.outbox import Outbox, Relay, ReportContext, senders_from_profile
from kiosk.outbox.webhook import WebhookSender, signature
from kiosk.profile import load_profile
from tests.hub_server import free_port
from tests.kiosk.delivery_helpers import CANARY, demo_context, missed_bin
from tests.kiosk.webhook_receiver import Scripted, WebhookReceiver, verify
from tests.kiosk_fixtures import demo_profile_copy

SECRET = "a-council-webhook-secret-of-32-chars-or-more"


@pytest.fixture
def context() -> ReportContext:
    return demo_context()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as server:
        yield server


def _sender(receiver: WebhookReceiver, context: ReportContext, **options: object) -> WebhookSender:
    settings: dict[str, object] = {"context": context, "timeout_seconds": 5.0, **options}
    return WebhookSender(receiver.url, SECRET, **settings)  # type: ignore[arg-type]


def test_a_report_arrives_signed_in_the_documented_shape(
    receiver: WebhookReceiver, context: ReportContext
) -> None:
    submission = missed_bin()
    result = _sender(receiver, context, headers={"X-Api-Key": "gateway"}).send(submission)
    assert (result.kind, result.detail, result.remote_id) == ("delivered", "http_201", "WH-1")
    [delivery] = receiver.deliveries
    assert delivery.document == {
        "schema": "civic-kiosk.submission", "version": 1,
        "submission_id": submission.submission_id, "reference": submission.reference,
        "service": {"id": "missed-bin", "version": 1, "code": "MISSED_BIN",
                    "title": "Report a missed bin collection"},
        "submitted_at": "2026-11-23T10:00:00+00:00",
        "site": {"id": "central-library", "name": "Central Library"},
        "language": "cy", "assisted": True,
        "answers": {"bin_type": "general", "collection_date": "2026-11-20",
                    "contact_method": "email"},
        "fields": submission.fields,
    }
    headers = delivery.headers
    assert headers["idempotency-key"] == submission.submission_id
    assert headers["x-kiosk-reference"] == submission.reference
    assert headers["x-kiosk-schema"] == "civic-kiosk.submission/1"
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["x-api-key"] == "gateway"
    # The body is UTF-8 on the wire (not \\u escapes), and the signature covers those bytes.
    assert CANARY.encode() in delivery.body
    assert headers["x-kiosk-signature"] == signature(SECRET, headers["x-kiosk-timestamp"],
                                                     delivery.body)
    assert receiver.refusals == []


def test_the_receiver_refuses_a_wrong_secret_and_the_kiosk_retries_it(
    receiver: WebhookReceiver, context: ReportContext
) -> None:
    wrong = WebhookSender(receiver.url, "x" * 40, context=context, timeout_seconds=5.0)
    result = wrong.send(missed_bin())
    assert (result.kind, result.status) == ("retry", 401)
    assert result.detail == "http_401 Unauthorized"
    assert receiver.refusals == ["bad_signature"]
    assert receiver.deliveries == []


def test_the_receiver_refuses_a_replay_and_a_stale_timestamp(
    receiver: WebhookReceiver, context: ReportContext
) -> None:
    assert _sender(receiver, context).send(missed_bin()).kind == "delivered"
    [first] = receiver.deliveries
    replay_headers = {name: first.headers[name] for name in (
        "content-type", "x-kiosk-timestamp", "x-kiosk-signature", "idempotency-key")}
    replayed = requests.post(receiver.url, data=first.body, headers=replay_headers, timeout=5)
    assert replayed.status_code == 401
    stale = _sender(receiver, context, clock=lambda: time.time() - 301).send(missed_bin())
    assert (stale.kind, stale.status) == ("retry", 401)
    tampered_headers = dict(replay_headers, **{"x-kiosk-timestamp": str(int(time.time()))})
    tampered = requests.post(receiver.url, data=first.body + b" ", headers=tampered_headers,
                             timeout=5)
    assert tampered.status_code == 401
    assert receiver.refusals == ["replay", "stale", "bad_signature"]
    assert len(receiver.deliveries) == 1


def test_each_retry_is_signed_afresh_so_a_receiver_never_sees_a_replay(
    receiver: WebhookReceiver, context: ReportContext
) -> None:
    now = [time.time()]
    sender = _sender(receiver, context, clock=lambda: now[0])
    submission = missed_bin()
    receiver.script(Scripted(503))
    assert sender.send(submission).kind == "retry"
    now[0] += 2
    assert sender.send(submission).kind == "delivered"
    assert receiver.refusals == []


def test_the_verification_recipe_rejects_what_it_should() -> None:
    body, now = b'{"a":1}', 1_800_000_000.0
    seen: set[tuple[str, str]] = set()
    good = {"x-kiosk-timestamp": "1800000000",
            "x-kiosk-signature": signature(SECRET, "1800000000", body)}
    assert verify(SECRET, good, body, now, seen) is None
    assert verify(SECRET, good, body, now, seen) == "replay"
    assert verify(SECRET, good, body, now + 301, set()) == "stale"
    assert verify(SECRET, {}, body, now, set()) == "unsigned"
    assert verify("another" * 6, good, body, now, set()) == "bad_signature"


@pytest.mark.parametrize(("status", "headers", "kind", "retry_after"), [
    (503, (("Retry-After", "120"),), "retry", 120.0),
    (500, (), "retry", None),
    (429, (("Retry-After", "7"),), "retry", 7.0),
    (408, (), "retry", None),
    (302, (("Location", "/elsewhere"),), "retry", None),
    (404, (), "permanent", None),
    (422, (), "permanent", None),
])
def test_outcomes_map_like_open311(
    receiver: WebhookReceiver, context: ReportContext, status: int,
    headers: tuple[tuple[str, str], ...], kind: str, retry_after: float | None,
) -> None:
    # The error body echoes the resident's input, as real services do; it must go nowhere.
    receiver.script(Scripted(status, f'{{"error": "bad input: {CANARY}"}}'.encode(), headers))
    result = _sender(receiver, context).send(missed_bin())
    assert (result.kind, result.status, result.retry_after) == (kind, status, retry_after)
    assert result.detail.startswith(f"http_{status} ")
    assert CANARY not in result.detail
    assert "bad input" not in result.detail


def test_a_2xx_without_a_readable_id_is_still_delivered(
    receiver: WebhookReceiver, context: ReportContext
) -> None:
    receiver.script(Scripted(200, b"<html>ok</html>"), Scripted(204, b""),
                    Scripted(202, b'{"id": {"nested": 1}}'))
    sender = _sender(receiver, context)
    for _ in range(3):
        result = sender.send(missed_bin())
        assert (result.kind, result.remote_id) == ("delivered", None)


def test_connection_refused_and_timeout_are_retried(
    receiver: WebhookReceiver, context: ReportContext
) -> None:
    closed = WebhookSender(f"http://127.0.0.1:{free_port()}/x", SECRET, timeout_seconds=2.0)
    assert closed.send(missed_bin()).detail == "connection_error"
    receiver.script(Scripted(201, delay=5.0))
    slow = _sender(receiver, context, timeout_seconds=0.3).send(missed_bin())
    assert (slow.kind, slow.detail) == ("retry", "timeout")


def test_the_relay_delivers_to_a_webhook_named_in_the_profile(
    tmp_path: Path, receiver: WebhookReceiver, context: ReportContext
) -> None:
    destination = {"type": "webhook", "url": receiver.url, "secret": SECRET,
                   "status_url": "https://council.example/track/{reference}"}
    path = demo_profile_copy(tmp_path, destinations={"council": destination})
    profile = load_profile(path).profile
    senders = senders_from_profile(profile.destinations, context=context)
    assert type(senders["council"]).__name__ == "WebhookSender"
    with Outbox(tmp_path / "outbox.db", bytes(32)) as outbox:
        submission = missed_bin()
        outbox.enqueue(submission)
        relay = Relay(outbox, senders, time.time, random.Random(1))
        [outcome] = relay.deliver_due()
        assert (outcome.state, outcome.remote_id) == ("delivered", "WH-1")
    [delivery] = receiver.deliveries
    assert delivery.document["reference"] == submission.reference


def _profile_problem(tmp_path: Path, destination: dict[str, object]) -> str:
    path = demo_profile_copy(tmp_path, destinations={"council": destination})
    with pytest.raises(ConfigError) as caught:
        load_profile(path)
    return caught.value.describe()


@pytest.mark.parametrize(("change", "where", "expected"), [
    ({"url": "http://council.example/hook"}, "destinations.council.url", "an https URL"),
    ({"secret": "short"}, "destinations.council.secret", "at least 32"),
    ({"headers": {"X-Kiosk-Signature": "x"}}, "destinations.council.headers.X-Kiosk-Signature",
     "a header name of your own"),
    ({"headers": {"X-Api-Key": "a\nb"}}, "destinations.council.headers.X-Api-Key",
     "a value on one line"),
    ({"status_url": "https://council.example/track"}, "destinations.council.status_url",
     "{reference}"),
])
def test_a_bad_webhook_destination_is_a_precise_profile_error(
    tmp_path: Path, change: dict[str, object], where: str, expected: str
) -> None:
    destination = {"type": "webhook", "url": "https://council.example/hook", "secret": SECRET,
                   "status_url": "https://council.example/track/{reference}", **change}
    described = _profile_problem(tmp_path, destination)
    assert where in described
    assert expected in described


def test_the_webhook_section_reads_from_yaml(tmp_path: Path) -> None:
    destination = yaml.safe_load(
        "type: webhook\nurl: https://council.example/hook\n"
        f"secret: {SECRET}\nstatus_url: https://council.example/t/{{reference}}\n"
        "timeout_seconds: 4\nheaders: {X-Api-Key: k}\n")
    profile = load_profile(demo_profile_copy(tmp_path, destinations={"council": destination}))
    council = profile.profile.destinations["council"]
    assert council.type == "webhook"

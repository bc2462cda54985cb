"""The email destination against a real aiosmtpd server on 127.0.0.1, STARTTLS and AUTH."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config_errors import ConfigError
from kiosk.outbox import Outbox, Relay, ReportContext, senders_from_profile
from kiosk.outbox.email_sender import EmailSender
from kiosk.profile import load_profile
from kiosk.reference import spaced
from tests.hub_server import free_port
from tests.kiosk.delivery_helpers import CANARY, demo_context, missed_bin
from tests.kiosk.smtp_server import PASSWORD, USER, Mailbox
from tests.kiosk_fixtures import demo_profile_copy

MAILBOX = "streetscene@council.example"


@pytest.fixture
def context() -> ReportContext:
    return demo_context()


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[Mailbox]:
    with Mailbox(tmp_path) as server:
        yield server


def _sender(mailbox: Mailbox, context: ReportContext, **options: object) -> EmailSender:
    settings: dict[str, object] = {
        "from_address": "kiosk@council.example", "to": [MAILBOX], "context": context,
        "ca_file": str(mailbox.cert), "username": USER, "password": PASSWORD,
        "subject_prefix": "[Kiosk]", "timeout_seconds": 10.0, **options}
    return EmailSender("127.0.0.1", mailbox.port, **settings)  # type: ignore[arg-type]


def test_a_report_reaches_the_mailbox_over_starttls_for_a_case_officer(
    mailbox: Mailbox, context: ReportContext
) -> None:
    submission = missed_bin()
    result = _sender(mailbox, context).send(submission)
    assert (result.kind, result.detail) == ("delivered", "smtp_250")
    [received] = mailbox.messages
    assert received.tls
    assert received.user == USER
    assert received.rcpt_tos == [MAILBOX]
    message = received.message
    assert message["Subject"] == f"[Kiosk] {submission.reference}: Report a missed bin collection"
    assert message["Message-ID"] == f"<{submission.submission_id}@council.example>"
    assert message["X-Kiosk-Reference"] == submission.reference
    assert message.get_content_type() == "text/plain"
    body = message.get_content().replace("\r\n", "\n")
    for expected in (
        "Central Library (central-library)",
        "Report a missed bin collection (missed-bin, code MISSED_BIN)",
        f"Reference:    {spaced(submission.reference)}",
        "Submitted at: 23 November 2026 at 10:00 (UK time)",
        "Language:     cy (made with help from staff)",
        # Answers under their questions' English wording, option values as their labels.
        "Which bin was not collected?\n    General rubbish (black bin)\n",
        "How should we contact you about this report?\n    Email\n",
        "When should your bin have been collected?\n    2026-11-20\n",
        # The address question's pages (chosen from the list, or typed) under its name.
        f"Collection address\n    14, {CANARY}\n",
        f"Is there anything else we should know?\n    {CANARY}\n",
        "What is your email address?\n    resident@example.org\n",
    ):
        assert expected in body


def test_a_resend_carries_the_same_message_id_so_the_duplicate_is_recognisable(
    mailbox: Mailbox, context: ReportContext
) -> None:
    submission = missed_bin()
    sender = _sender(mailbox, context)
    assert sender.send(submission).kind == sender.send(submission).kind == "delivered"
    first, second = (m.message["Message-ID"] for m in mailbox.messages)
    assert first == second == f"<{submission.submission_id}@council.example>"


def test_a_refused_password_is_permanent_with_a_reason(
    mailbox: Mailbox, context: ReportContext
) -> None:
    result = _sender(mailbox, context, password="wrong password").send(missed_bin())
    assert result.kind == "permanent"
    assert result.detail == "smtp_535 authentication refused: check the username and password"
    assert "wrong password" not in result.detail
    assert mailbox.messages == []


def test_a_refused_connection_is_retried(context: ReportContext) -> None:
    sender = EmailSender("127.0.0.1", free_port(), from_address="kiosk@council.example",
                         to=[MAILBOX], context=context, timeout_seconds=5.0)
    result = sender.send(missed_bin())
    assert result.kind == "retry"
    assert result.detail.startswith("connection_error")


def test_a_certificate_nobody_pinned_is_not_trusted_and_nothing_is_sent(
    mailbox: Mailbox, context: ReportContext
) -> None:
    result = _sender(mailbox, context, ca_file=None).send(missed_bin())
    assert (result.kind, result.detail) == ("retry", "smtp certificate not trusted (see ca_file)")
    assert mailbox.messages == []


def test_a_server_without_starttls_is_refused_when_starttls_is_required(
    tmp_path: Path, context: ReportContext
) -> None:
    with Mailbox(tmp_path, tls=False) as plain:
        result = _sender(plain, context).send(missed_bin())
        assert (result.kind, result.detail) == ("permanent",
                                                "smtp STARTTLS not offered by the server")
        assert plain.messages == []


def test_plain_smtp_on_loopback_works_when_asked_and_says_so(
    tmp_path: Path, context: ReportContext, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING), Mailbox(tmp_path, tls=False) as plain:
        sender = _sender(plain, context, starttls=False, username=None, password=None)
        assert sender.send(missed_bin()).kind == "delivered"
        [received] = plain.messages
        assert not received.tls
    assert any("without STARTTLS" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(("reply", "kind"), [
    ("451 4.3.0 Try again later", "retry"),
    ("554 5.6.0 Message rejected", "permanent"),
])
def test_smtp_reply_codes_decide_retry_or_permanent(
    mailbox: Mailbox, context: ReportContext, reply: str, kind: str
) -> None:
    mailbox.handler.data_reply = reply
    result = _sender(mailbox, context).send(missed_bin())
    assert result.kind == kind
    assert result.detail.startswith(f"smtp_{reply[:3]} ")
    assert "rejected" not in result.detail
    assert "again" not in result.detail


def test_an_unknown_mailbox_is_permanent(mailbox: Mailbox, context: ReportContext) -> None:
    mailbox.handler.refuse_rcpt[MAILBOX] = "550 5.1.1 No such user here"
    result = _sender(mailbox, context).send(missed_bin())
    assert (result.kind, result.detail) == ("permanent", "smtp_550 recipient refused")


def test_the_relay_delivers_to_an_email_destination_named_in_the_profile(
    tmp_path: Path, mailbox: Mailbox, context: ReportContext
) -> None:
    destination = {"type": "email", "host": "127.0.0.1", "port": mailbox.port,
                   "ca_file": str(mailbox.cert), "username": USER, "password": PASSWORD,
                   "from": "kiosk@council.example", "to": [MAILBOX],
                   "status_url": "https://council.example/track/{reference}"}
    profile = load_profile(demo_profile_copy(tmp_path, destinations={"council": destination}))
    senders = senders_from_profile(profile.profile.destinations, context=context)
    assert type(senders["council"]).__name__ == "EmailSender"
    with Outbox(tmp_path / "outbox.db", bytes(32)) as outbox:
        submission = missed_bin()
        outbox.enqueue(submission)
        [outcome] = Relay(outbox, senders, time.time, random.Random(1)).deliver_due()
        assert outcome.state == "delivered"
    [received] = mailbox.messages
    assert submission.reference in received.message["Subject"]


@pytest.mark.parametrize(("change", "where", "expected"), [
    ({"starttls": False}, "destinations.council.starttls", "plain SMTP is allowed only"),
    ({"username": "kiosk"}, "destinations.council.password", "username and password together"),
    ({"to": ["not an address"]}, "destinations.council.to[0]", "an email address"),
    ({"from": "kiosk"}, "destinations.council.from", "an email address"),
    ({"ca_file": "certs/ca.pem"}, "destinations.council.ca_file", "^/"),
    ({"subject_prefix": "a\nBcc: x@y.z"}, "destinations.council.subject_prefix", "one line"),
])
def test_a_bad_email_destination_is_a_precise_profile_error(
    tmp_path: Path, change: dict[str, object], where: str, expected: str
) -> None:
    destination = {"type": "email", "host": "smtp.council.example", "from": "kiosk@council.example",
                   "to": [MAILBOX], "status_url": "https://council.example/t/{reference}", **change}
    path = demo_profile_copy(tmp_path, destinations={"council": destination})
    with pytest.raises(ConfigError) as caught:
        load_profile(path)
    described = caught.value.describe()
    assert where in described
    assert expected in described


def test_starttls_false_is_accepted_for_a_loopback_server(tmp_path: Path) -> None:
    destination = {"type": "email", "host": "127.0.0.1", "port": 2525, "starttls": False,
                   "from": "kiosk@council.example", "to": [MAILBOX],
                   "status_url": "https://council.example/t/{reference}"}
    loaded = load_profile(demo_profile_copy(tmp_path, destinations={"council": destination}))
    council = loaded.profile.destinations["council"]
    assert council.type == "email"
    assert not council.starttls

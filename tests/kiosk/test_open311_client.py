"""The Open311 client for real back offices: the location each one needs, mySociety's
extensions, every shape of answer servers send, and reasons staff can read."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from kiosk.outbox import Open311Sender, TokenAnswer
from kiosk.outbox.open311_answers import Redactor, plain, read_answer
from kiosk.outbox.open311_request import LocationForm
from kiosk.profile import Open311Destination
from kiosk.submission import Submission
from tests.kiosk.council_server import CouncilServer
from tests.kiosk.open311_fake import Open311Fake, Reply, make_submission

CANARY = "CANARY-5d1a-MARY-JONES"


@pytest.fixture
def fake() -> Iterator[Open311Fake]:
    with Open311Fake() as server:
        yield server


def _sender(url: str, **options: object) -> Open311Sender:
    return Open311Sender(url, "secret-key", timeout_seconds=5.0, **options)  # type: ignore[arg-type]


def located(**fields: str) -> Submission:
    """A report whose only location fields are those given."""
    base = make_submission(text=CANARY)
    kept = {k: v for k, v in base.fields.items()
            if k not in ("address_string", "address_id", "lat", "long")}
    return replace(base, fields={**kept, **fields})


ADDRESS = {"address_string": "14 Orchard Rise, DE99 2CD"}
LATLONG = {"lat": "52.61131", "long": "-1.48840"}
UPRN = {"address_id": "990000002007"}


# --- location ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("location", "fields", "detail", "reason"), [
    ("latlong", ADDRESS, "needs_latlong",
     "The back office needs lat/long; this report has only an address"),
    ("latlong", {**ADDRESS, **UPRN}, "needs_latlong",
     "The back office needs lat/long; this report has only an address and a UPRN"),
    ("latlong", {"lat": "52.6", "long": ""}, "needs_latlong",
     "The back office needs lat/long; this report has no location"),
    ("latlong", {"lat": "152.6", "long": "-1.4"}, "needs_latlong",
     "The back office needs lat/long; this report has no location"),
    ("address", LATLONG, "needs_address",
     "The back office needs an address (address_string); this report has only lat/long"),
    ("address_id", ADDRESS, "needs_address_id",
     "The back office needs a UPRN (address_id); this report has only an address"),
    ("any", {}, "no_location",
     "This report has no location, and Open311 needs lat/long, an address or a UPRN "
     "(address_id)"),
])
def test_a_report_without_the_location_its_back_office_needs_is_refused_unsent(
        fake: Open311Fake, location: LocationForm, fields: dict[str, str], detail: str,
        reason: str) -> None:
    result = _sender(fake.url, location=location).send(located(**fields))
    assert (result.kind, result.detail, result.reason) == ("permanent", detail, reason)
    assert fake.received == []


@pytest.mark.parametrize(("location", "fields"), [
    ("latlong", LATLONG), ("latlong", {**LATLONG, **ADDRESS, **UPRN}), ("address", ADDRESS),
    ("address_id", UPRN), ("any", ADDRESS), ("any", LATLONG), ("any", UPRN),
])
def test_every_location_the_report_has_is_sent(
        fake: Open311Fake, location: LocationForm, fields: dict[str, str]) -> None:
    assert _sender(fake.url, location=location).send(located(**fields)).kind == "delivered"
    [received] = fake.received
    for name, value in fields.items():
        assert received.form[name] == [value]


def test_a_report_with_no_location_of_its_own_goes_with_the_kiosks_address(
        fake: Open311Fake) -> None:
    site = "1 Library Square, Demo Town, DE99 1AA"
    assert _sender(fake.url, site_address=site).send(located()).kind == "delivered"
    assert fake.received[0].form["address_string"] == [site]
    # The kiosk's own address never replaces the report's.
    _sender(fake.url, site_address=site).send(located(**LATLONG))
    assert "address_string" not in fake.received[1].form
    # A back office that needs coordinates cannot use it: said so, nothing sent.
    refused = _sender(fake.url, location="latlong", site_address=site).send(located())
    assert refused.reason == ("The back office needs lat/long; this report has no location "
                              "of its own (the kiosk's address is not enough here)")
    assert len(fake.received) == 2


# --- mySociety extensions --------------------------------------------------------------------


def test_group_hidden_fields_and_the_uprn_go_as_attributes(fake: Open311Fake) -> None:
    submission = located(**UPRN, **LATLONG)
    sender = _sender(fake.url, groups={"POTHOLE": "Roads", "OTHER": "Bins"},
                     hidden_attributes={"channel": "kiosk", "size": "never-overrides"},
                     uprn_attribute="uprn", jurisdiction_id="demo.gov.uk")
    assert sender.send(submission).kind == "delivered"
    form = fake.received[0].form
    assert form["attribute[group]"] == ["Roads"]
    assert form["attribute[channel]"] == ["kiosk"]
    assert form["attribute[uprn]"] == ["990000002007"]
    assert form["attribute[size]"] == ["large"]  # the resident's answer wins
    assert form["jurisdiction_id"] == ["demo.gov.uk"]
    assert form["attribute[kiosk_reference]"] == [submission.reference]


def test_no_reference_attribute_for_a_back_office_that_refuses_unknown_ones(
        fake: Open311Fake) -> None:
    submission = located(**ADDRESS)
    _sender(fake.url, reference_attribute=None).send(submission)
    [received] = fake.received
    assert not [name for name in received.form if "kiosk_reference" in name]
    assert received.headers["kiosk-reference"] == submission.reference
    assert received.idempotency_key == submission.submission_id


def test_a_tell_us_once_part_goes_next_to_the_reference_and_only_a_part(
        fake: Open311Fake) -> None:
    """The hub keys requests by reference and part; a single report's form is unchanged."""
    single = located(**ADDRESS)
    part = replace(single, part="council_tax", attributes={**single.attributes,
                                                           "kiosk_part": "forged"})
    sender = _sender(fake.url)
    assert sender.send(single).kind == "delivered"
    assert sender.send(part).kind == "delivered"
    plain_form, part_form = (r.form for r in fake.received)
    assert not [name for name in plain_form if "kiosk_part" in name]
    assert part_form["attribute[kiosk_part]"] == ["council_tax"]  # ours, not an answer's
    assert {k: v for k, v in part_form.items() if k != "attribute[kiosk_part]"} == plain_form
    _sender(fake.url, reference_attribute=None).send(replace(single, part="council_tax"))
    assert not [name for name in fake.received[2].form if name.startswith("attribute[kiosk")]


def test_the_profile_sets_every_option(fake: Open311Fake) -> None:
    destination = Open311Destination.model_validate({
        "type": "open311", "endpoint": fake.url, "api_key": "secret-key",
        "status_url": "https://x/{reference}", "location": "latlong", "format": "json",
        "groups": {"POTHOLE": "Roads"}, "hidden_attributes": {"channel": "kiosk"},
        "uprn_attribute": "uprn", "reference_attribute": None,
    })
    sender = Open311Sender.from_destination(destination, site_address="1 Library Square")
    assert sender.location == "latlong"
    assert sender.send(located(**ADDRESS)).detail == "needs_latlong"
    assert sender.send(located(**LATLONG, **UPRN)).kind == "delivered"
    form = fake.received[0].form
    assert (form["attribute[group]"], form["attribute[uprn]"]) == (["Roads"], ["990000002007"])


def test_a_bad_location_setting_names_the_choices() -> None:
    with pytest.raises(ValueError, match="latlong"):
        Open311Destination.model_validate({
            "type": "open311", "endpoint": "https://x/open311/v2", "api_key": "k",
            "status_url": "https://x/{reference}", "location": "postcode"})


# --- answers ---------------------------------------------------------------------------------

XML = "text/xml; charset=utf-8"
HTML = "text/html; charset=utf-8"


@pytest.mark.parametrize(("status", "body", "content_type", "expected"), [
    # Successes, spec and not.
    (201, b'[{"service_request_id": "A-1", "service_notice": ""}]', "application/json",
     ("delivered", "http_201", "A-1", None)),
    (201, b'{"service_request_id": 77, "status": "open", "description": "x"}',
     "application/json", ("delivered", "http_201", "77", None)),
    (200, b'{"service_requests": {"request": [{"service_request_id": "W-9"}]}}',
     "application/json", ("delivered", "http_200", "W-9", None)),
    (201, b"<service_requests><request><service_request_id>X-4</service_request_id>"
          b"</request></service_requests>", XML, ("delivered", "http_201", "X-4", None)),
    (201, b"<?xml version='1.0'?><request><service_request_id>X-5</service_request_id>"
          b"<status>open</status></request>", XML, ("delivered", "http_201", "X-5", None)),
    (200, b'[{"token": "t-77"}]', "application/json", ("delivered", "http_200", None, "t-77")),
    (200, b"<service_requests><request><token>t-8</token></request></service_requests>",
     XML, ("delivered", "http_200", None, "t-8")),
    (200, b"", "application/json", ("delivered", "http_200_no_id", None, None)),
    (200, b'[{"service_notice": "Thank you"}]', "application/json",
     ("delivered", "http_200_no_id", None, None)),
    (200, b'{"received": ["yes"]}', "application/json",
     ("delivered", "http_200_no_id", None, None)),
    # Refusals in every dress.
    (400, b'[{"code": 400, "description": "attribute[bin_type] is required"}]',
     "application/json", ("permanent", "http_400", None, None)),
    (400, b'{"detail": "Unknown service code."}', "application/json",
     ("permanent", "http_400_unknown_service", None, None)),
    (404, b"<errors><error><code>404</code><description>Service not found</description>"
          b"</error></errors>", XML, ("permanent", "http_404_unknown_service", None, None)),
    (400, b'[{"code": "invalid_api_key", "description": "api_key is not valid"}]',
     "application/json", ("retry", "http_400_api_key", None, None)),
    (403, b'{"detail": "Invalid API key."}', "application/json",
     ("retry", "http_403_api_key", None, None)),
    (400, b'{"lat": ["This field is required."], "long": ["This field is required."]}',
     "application/json", ("permanent", "http_400", None, None)),
    (400, b'{"type": "about:blank", "title": "Bad Request", "status": 400, '
          b'"detail": "lat is required"}', "application/problem+json",
     ("permanent", "http_400", None, None)),
    (400, b'[{"code": 400, "description": "Invalid service request: base is a duplicate."}]',
     "application/json", ("permanent", "http_400_duplicate", None, None)),
    (200, b'[{"code": 500, "description": "CRM is down"}]', "application/json",
     ("permanent", "http_200_error", None, None)),
    (503, b'{"error": {"code": "E42", "message": "Maintenance"}}', "application/json",
     ("retry", "http_503", None, None)),
    (500, b"<html><head><title>500 Internal Server Error</title></head><body>boom</body>"
          b"</html>", HTML, ("retry", "http_500", None, None)),
    (404, b"<!DOCTYPE html><html><title>Page not found</title></html>", HTML,
     ("retry", "http_404_no_endpoint", None, None)),
])
def test_every_shape_of_answer_is_read(fake: Open311Fake, status: int, body: bytes,
                                       content_type: str,
                                       expected: tuple[str, str, str | None, str | None]) -> None:
    fake.script(Reply(status, body=body, content_type=content_type))
    result = _sender(fake.url).send(located(**ADDRESS))
    assert (result.kind, result.detail, result.remote_id, result.remote_token) == expected
    assert result.reason
    assert "<" not in result.reason


@pytest.mark.parametrize(("status", "body", "content_type", "reason"), [
    (400, b'{"detail": "Unknown service code."}', "application/json",
     "The back office does not know service code POTHOLE: check the service's service_code "
     "in the catalogue against the back office's services (HTTP 400; server said: Unknown "
     "service code.)"),
    (403, b'{"detail": "Invalid API key."}', "application/json",
     "The back office refused the kiosk's API key: check api_key for this destination in the "
     "profile; reports are kept and retried (HTTP 403; server said: Invalid API key.)"),
    (400, b'[{"code": "missing_attribute", "description": "attribute[bin_type] is required"}]',
     "application/json", "The back office refused the report (HTTP 400; server said: "
     "missing_attribute: attribute[bin_type] is required)"),
    (502, b"<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center>"
          b"</body></html>", HTML,
     'Server error at the back office (HTTP 502; an HTML page titled "502 Bad Gateway")'),
    (500, b"", "text/plain", "Server error at the back office (HTTP 500; no body)"),
    (400, b'{"lat": ["This field is required."], "long": ["This field is required."]}',
     "application/json", "The back office refused the report (HTTP 400; server said: lat: "
     "This field is required.; long: This field is required.)"),
])
def test_reasons_are_short_plain_sentences_with_the_servers_own_words(
        fake: Open311Fake, status: int, body: bytes, content_type: str, reason: str) -> None:
    fake.script(Reply(status, body=body, content_type=content_type))
    assert _sender(fake.url).send(located(**ADDRESS)).reason == reason


def test_what_the_resident_typed_never_reaches_a_reason(fake: Open311Fake) -> None:
    submission = located(**ADDRESS)
    echo = (f"<html><head><title>Error: {CANARY} at 14 Orchard Rise, DE99 2CD"
            "</title></head><body><pre>resident@example.org 07700 900123 secret-key</pre>"
            "</body></html>").encode()
    fake.script(Reply(500, body=echo, content_type=HTML),
                Reply(400, body=(f'[{{"code": "bad", "description": "bad value {CANARY} '
                                 f'from 07700 900123 / resident@example.org\\u0007"}}]'
                                 ).encode()))
    for _ in range(2):
        reason = _sender(fake.url).send(submission).reason
        for secret in (CANARY, "Orchard Rise", "07700", "resident@", "secret-key", "\x07"):
            assert secret.lower() not in reason.lower(), reason
        assert len(reason) < 400


def test_a_success_whose_body_breaks_off_is_delivered_not_resent() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]

        def answer_half() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 500\r\n\r\n[{\"service_req")
        server = threading.Thread(target=answer_half)
        server.start()
        result = _sender(f"http://127.0.0.1:{port}/open311/v2").send(located(**ADDRESS))
        server.join(10)
    assert (result.kind, result.detail, result.ambiguous) == ("delivered", "http_201_no_id",
                                                              False)


def test_xml_destinations_post_to_requests_xml_and_read_xml() -> None:
    with CouncilServer(api_key="secret-key") as council:
        sender = _sender(council.url, response_format="xml", location="latlong")
        result = sender.send(replace(located(**LATLONG), service_code="MISSED_BIN"))
    assert (result.kind, result.remote_id) == ("delivered", "CRM-1001")
    assert council.posted[0].headers["accept"].startswith("text/xml")


def test_a_token_becomes_an_id_after_a_few_polls() -> None:
    with CouncilServer(api_key="secret-key", token_waits=2) as council:
        sender = _sender(council.url, location="latlong")
        result = sender.send(replace(located(**LATLONG), service_code="BULKY"))
        assert (result.kind, result.remote_id, result.remote_token) == (
            "delivered", None, "tok-1001")
        answers = [sender.resolve_token("tok-1001") for _ in range(3)]
        assert [a.kind for a in answers] == ["waiting", "waiting", "resolved"]
        assert answers[-1] == TokenAnswer("resolved", "CRM-1001")
        assert sender.resolve_token("tok-nope").kind == "waiting"  # 404: not known yet
        assert sender.resolve_token("../../etc/passwd").kind == "failed"


# --- the pieces -------------------------------------------------------------------------------


def test_plain_strips_markup_entities_controls_and_length() -> None:
    assert plain("<b>Bad</b>&nbsp;&amp;\x00\n\t request  ") == "Bad & request"
    assert plain("x" * 500, limit=20) == "x" * 19 + "…"
    assert plain("\u202eevil\u202c name") == "evil name"


def test_the_redactor_takes_longest_values_first_and_ignores_case() -> None:
    redact = Redactor(["14 High St", "14", "Jo", "JANE"])
    assert redact("At 14 HIGH ST, jane said") == "At …, … said"
    assert redact("mail a.b@example.org or +44 7700 900123") == "mail [email] or [number]"


@pytest.mark.parametrize("body", [
    b'<!DOCTYPE x [<!ENTITY a "aaaa">]><errors><error><description>&a;</description>'
    b"</error></errors>",
    b"<errors><unclosed>",
    b"{not json",
])
def test_hostile_or_broken_bodies_are_unreadable_not_errors(body: bytes) -> None:
    answer = read_answer(body, "text/xml", Redactor([]))
    assert answer.kind == "unreadable"
    assert answer.errors == ()

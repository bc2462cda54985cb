"""Reading other back offices' answers: every shape seen in the wild gives a record, every
other body a short reason that never quotes it."""

from __future__ import annotations

import pytest

from hub.remote_answers import BadAnswer, first_record, moment, state_of

JSON = "application/json"


@pytest.mark.parametrize("body", [
    b'[{"service_request_id": "638344", "status": "closed", "status_notes": "Duplicate request."}]',
    b'{"service_request_id": 638344, "status": "closed", "status_notes": "Duplicate request."}',
    b'{"service_requests": [{"service_request_id": "638344", "status": "closed", '
    b'"status_notes": "Duplicate request."}]}',
    b'{"service_requests": {"request": [{"service_request_id": 638344, "status": "CLOSED", '
    b'"status_notes": "Duplicate request."}]}}',
    b'{"service_request": {"service_request_id": "638344", "status": "closed", '
    b'"status_notes": "Duplicate request."}}',
    b'<?xml version="1.0"?><service_requests><request><service_request_id>638344'
    b'</service_request_id><status>closed</status><status_notes>Duplicate request.'
    b'</status_notes></request></service_requests>',
    b'<request><service_request_id>638344</service_request_id><status>closed</status>'
    b'<status_notes>Duplicate request.</status_notes></request>',
])
def test_every_shape_of_one_request(body: bytes) -> None:
    record = first_record(body, JSON)
    assert record["service_request_id"] == "638344"
    assert state_of(record["status"]) == "closed"
    assert record["status_notes"] == "Duplicate request."


@pytest.mark.parametrize(("body", "content_type", "reason"), [
    (b'{"detail": "Not found."}', JSON, "error_detail"),
    (b'[{"code": 404, "description": "Service request not found"}]', JSON, "error_document"),
    (b'{"errors": [{"code": "403", "description": "api_key is not valid"}]}', JSON,
     "error_document"),
    (b"<errors><error><code>404</code><description>x</description></error></errors>",
     "text/xml", "error_document"),
    (b"<!DOCTYPE html><html><body>Internal error: resident@example.org</body></html>",
     "text/html", "html_page"),
    (b"<html>oops", "application/json", "html_page"),
    (b"[]", JSON, "no_request"),
    (b'{"hello": ["world"]}', JSON, "no_request"),
    (b'{"service_request_id": ', JSON, "invalid_json"),
    (b"<request><unclosed>", "text/xml", "not_json_or_xml"),
    (b"", JSON, "not_json_or_xml"),
    (b"\xff\xfe\x00garbage", JSON, "not_json_or_xml"),
    (b"42", JSON, "not_json_or_xml"),
])
def test_anything_else_is_a_reason(body: bytes, content_type: str, reason: str) -> None:
    with pytest.raises(BadAnswer) as caught:
        first_record(body, content_type)
    assert caught.value.reason == reason
    assert "resident" not in str(caught.value)


@pytest.mark.parametrize(("status", "state"), [
    ("open", "received"), ("", "received"), ("for_triage", "received"), ("reopen", "received"),
    ("in_progress", "in_progress"), ("action_scheduled", "in_progress"),
    ("investigating", "in_progress"), ("planned", "in_progress"),
    ("closed", "closed"), ("FIXED", "closed"), ("duplicate", "closed"),
    ("not_councils_responsibility", "closed"), ("no_further_action", "closed"),
    ("something new", "received"),
])
def test_extended_statuses_in_three_words(status: str, state: str) -> None:
    assert state_of(status) == state


def test_dates() -> None:
    assert moment("2026-04-03T09:30:00+01:00") is not None
    assert moment("2026-04-03T08:30:00Z") == moment("2026-04-03 08:30:00")
    assert moment("") is None
    assert moment("last Tuesday") is None

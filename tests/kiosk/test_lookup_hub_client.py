"""HubLookup against the real hub process: answers arrive, and every failure is a
LookupUnavailable with the right reason, in time, without a resident's input anywhere."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from kiosk.lookups import HubLookup, LookupRequest, LookupUnavailable
from tests.hub_server import HubProcess, free_port, running_hub

# Valid postcodes no gazetteer has (and an invalid input): if any of them turns up in a log,
# an access log line, or an exception, a resident's input has leaked.
CANARY = "ZZ9 9ZQ"
CANARY_FORMS = ("ZZ9 9ZQ", "ZZ99ZQ", "zz9 9zq", "zz99zq", "ZZ9%209ZQ", "ZZ9+9ZQ")
BAD_CANARY = "canary-7731"


def client(hub: HubProcess, *, key: str | None = None, timeout: float = 5.0) -> HubLookup:
    return HubLookup(f"{hub.base_url}/kiosk/v1", key or hub.api_key, timeout_seconds=timeout,
                     connect_timeout_seconds=min(1.0, timeout))


def ask(lookup: HubLookup, source: str, language: str = "en", **inputs: str) -> LookupUnavailable:
    with pytest.raises(LookupUnavailable) as info:
        lookup.lookup(LookupRequest(source, inputs, language))
    return info.value


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    # Info level: the access log and the hub's lookup lines are on, so the privacy checks
    # below look at what an installation actually writes.
    with running_hub(tmp_path, extra_args=["--log-level", "info"]) as process:
        yield process


def test_addresses_and_bin_days_arrive(hub: HubProcess) -> None:
    lookup = client(hub)
    try:
        result = lookup.lookup(LookupRequest("addresses", {"postcode": " de99 3ef"}, "en"))
        assert result.source == "addresses"
        assert [i.value for i in result.items] == ["990000003010", "990000003012", "990000003014",
                                                   "990000003016", "990000003018"]
        first = result.items[0]
        assert first.label == "10 Quarry Bank Road, Demo Town, DE99 3EF"
        assert first.hint is None
        assert (first.data["uprn"], first.data["postcode"]) == ("990000003010", "DE99 3EF")
        assert lookup.lookup(LookupRequest("addresses", {"postcode": "DE99 9ZZ"}, "en")).items == ()
        bins = lookup.lookup(LookupRequest("bin-collections", {"uprn": first.value}, "cy"))
        assert [i.data["colour"] for i in bins.items] == ["green", "blue", "brown"]
        assert bins.items[0].label == "Bin gwyrdd – gwastraff cyffredinol"
        assert bins.items[0].data["next"] < bins.items[0].data["then"]
    finally:
        lookup.close()
    assert "lookup source=addresses items=5" in hub.output()


def test_lookups_on_a_kept_alive_connection_are_quick(hub: HubProcess) -> None:
    # Measured: ~2 ms each on loopback; 44 ms when the hub's sockets had Nagle on (every
    # answer after the first waited for the kiosk's delayed ACK).
    lookup = client(hub)
    try:
        request = LookupRequest("addresses", {"postcode": "DE99 1AB"}, "en")
        lookup.lookup(request)
        times = []
        for _ in range(15):
            started = time.monotonic()
            lookup.lookup(request)
            times.append(time.monotonic() - started)
    finally:
        lookup.close()
    assert sorted(times)[len(times) // 2] < 0.030, times


def test_a_stopped_hub_is_unreachable_at_once(tmp_path: Path) -> None:
    with running_hub(tmp_path) as hub:
        lookup = client(hub)
        assert lookup.lookup(LookupRequest("addresses", {"postcode": "DE99 1AB"}, "en")).items
    try:
        started = time.monotonic()
        unavailable = ask(lookup, "addresses", postcode=CANARY)
        elapsed = time.monotonic() - started
    finally:
        lookup.close()
    assert unavailable.reason == "unreachable"
    assert elapsed < 1.0
    assert CANARY not in str(unavailable)


def test_a_frozen_hub_times_out_within_the_timeout_and_then_recovers(hub: HubProcess) -> None:
    lookup = client(hub, timeout=1.0)
    try:
        os.kill(hub.process.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            unavailable = ask(lookup, "addresses", postcode=CANARY)
            elapsed = time.monotonic() - started
        finally:
            os.kill(hub.process.pid, signal.SIGCONT)
        assert unavailable.reason == "timeout"
        assert 0.9 <= elapsed < 1.5
        assert CANARY not in str(unavailable)
        # The abandoned connection is not reused: the next question gets its answer.
        answer = lookup.lookup(LookupRequest("addresses", {"postcode": "DE99 2DE"}, "en"))
        assert len(answer.items) == 6
    finally:
        lookup.close()


def test_refusals_and_configuration_mistakes(hub: HubProcess) -> None:
    wrong_key = client(hub, key="not-the-key")
    right_key = client(hub)
    try:
        refused = ask(wrong_key, "addresses", postcode=CANARY)
        assert refused.reason == "refused"
        assert refused.detail == "HTTP 403 invalid_api_key"
        unknown = ask(right_key, "appointments", service="x")
        assert unknown.reason == "not_configured"
        assert unknown.detail == "HTTP 404 unknown_source"
        invalid = ask(right_key, "addresses", postcode=BAD_CANARY)
        assert invalid.reason == "refused"
        assert invalid.detail == "HTTP 422 invalid_input (postcode)"
        missing = ask(right_key, "bin-collections", postcode=CANARY)
        assert missing.detail == "HTTP 422 missing_input (uprn)"
        for unavailable in (refused, unknown, invalid, missing):
            assert CANARY not in str(unavailable)
            assert BAD_CANARY not in str(unavailable)
    finally:
        wrong_key.close()
        right_key.close()
    wrong_path = HubLookup(f"{hub.base_url}/kiosk/v9", hub.api_key)
    try:
        assert ask(wrong_path, "addresses", postcode=CANARY).reason == "not_configured"
    finally:
        wrong_path.close()


def test_no_input_reaches_a_log_a_url_or_an_exception(hub: HubProcess,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    lookup = client(hub, timeout=1.0)
    failures: list[LookupUnavailable] = []
    try:
        with caplog.at_level(logging.DEBUG):
            assert lookup.lookup(LookupRequest("addresses", {"postcode": CANARY}, "en")).items == ()
            failures.append(ask(lookup, "addresses", postcode=BAD_CANARY))
            failures.append(ask(client(hub, key="wrong"), "addresses", postcode=CANARY))
            os.kill(hub.process.pid, signal.SIGSTOP)
            try:
                failures.append(ask(lookup, "addresses", postcode=CANARY))
            finally:
                os.kill(hub.process.pid, signal.SIGCONT)
    finally:
        lookup.close()
    deadline = time.monotonic() + 5
    while "refused=invalid_api_key" not in hub.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    written = hub.output()
    # The logs were on: the access log and the lookup lines are there, with no input in them.
    assert '"POST /kiosk/v1/lookups/addresses HTTP/1.1" 200' in written
    assert "lookup source=addresses items=0" in written
    assert "lookup source=addresses refused=invalid_input" in written
    kiosk_records = [r.getMessage() for r in caplog.records]
    assert any("lookup addresses: 0 items" in m for m in kiosk_records)
    assert {f.reason for f in failures} == {"refused", "timeout"}
    for text in (written, caplog.text, *kiosk_records, *map(str, failures),
                 *(repr(f) for f in failures)):
        for form in (*CANARY_FORMS, BAD_CANARY):
            assert form not in text, text


class _Scripted(BaseHTTPRequestHandler):
    """Answers the way a broken or misconfigured server might; the path picks which."""

    answers: ClassVar[dict[str, tuple[int, bytes]]] = {
        "/kiosk/v1/lookups/not-json": (200, b"<html>proxy login</html>"),
        "/kiosk/v1/lookups/wrong-shape": (200, b'{"source": "wrong-shape", "items": {}}'),
        "/kiosk/v1/lookups/other-source": (200, b'{"source": "addresses", "items": []}'),
        "/kiosk/v1/lookups/no-label": (200, b'{"source": "no-label", "items": [{"value": "1"}]}'),
        "/kiosk/v1/lookups/number-data": (
            200, b'{"source": "number-data", "items": [{"value": "1", "label": "A", '
                 b'"data": {"lat": 52.1}}]}'),
        "/kiosk/v1/lookups/down": (503, b"Service Unavailable"),
        "/kiosk/v1/lookups/crash": (500, b'{"detail": "Internal Server Error"}'),
        "/kiosk/v1/lookups/moved": (302, b""),
        "/kiosk/v1/lookups/huge": (200, b'{"source": "huge", "items": [' + b" " * 1_100_000
                                   + b"]}"),
    }

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status, body = self.answers[self.path]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if status == 302:
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def scripted_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Scripted)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/kiosk/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.parametrize(("source", "reason", "detail"), [
    ("not-json", "bad_answer", "not JSON"),
    ("wrong-shape", "bad_answer", "items is not a list"),
    ("other-source", "bad_answer", "not an answer for this source"),
    ("no-label", "bad_answer", "item 0 has no value or label"),
    ("number-data", "bad_answer", "item 0 data is not text by name"),
    ("down", "unreachable", "HTTP 503"),
    ("crash", "unreachable", "HTTP 500"),
    ("moved", "bad_answer", "HTTP 302"),
    ("huge", "bad_answer", "the answer is larger than 1 MiB"),
])
def test_broken_answers(source: str, reason: str, detail: str) -> None:
    with scripted_server() as endpoint:
        lookup = HubLookup(endpoint, "key", timeout_seconds=3)
        try:
            unavailable = ask(lookup, source, postcode=CANARY)
        finally:
            lookup.close()
    assert (unavailable.reason, unavailable.detail) == (reason, detail)
    assert str(unavailable) == f"{reason}: {detail}"

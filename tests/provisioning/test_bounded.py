"""Endless data and slow retrieval: a hostile server cannot fill the disk, the memory or the
agent's time."""

from __future__ import annotations

import http.server
import resource
import time

from provisioning.fetching import BoundedFetcher
from provisioning.layout import profile_target
from tests.provisioning.world import COUNCIL, SITE, World


def _endless(handler: http.server.BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.end_headers()
    chunk = b" " * 65536
    try:
        for _ in range(16384):  # 1 GiB, which the agent must never take
            handler.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        return


def _trickle(handler: http.server.BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.end_headers()
    try:
        for _ in range(200):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.1)  # the hostile server's pace, not a wait in the test
    except (BrokenPipeError, ConnectionResetError):
        return


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_an_endless_timestamp_is_cut_off_at_its_limit(running: World) -> None:
    running.server.special["/metadata/timestamp.json"] = _endless
    peak = _peak_rss_mb()
    started = time.monotonic()
    outcome = running.refresh()
    assert outcome.status == "rejected"
    assert "sent more than allowed" in outcome.reason
    assert "16384" in outcome.reason
    assert time.monotonic() - started < 10
    assert _peak_rss_mb() - peak < 30
    assert running.store.current_name() == "p1-s1"


def test_an_endless_profile_is_cut_off_at_its_signed_length(running: World) -> None:
    running.publish("second", services=["feedback"])
    target = running.repo.target(COUNCIL, profile_target(COUNCIL, SITE))
    assert target is not None
    path = f"/targets/sites/{COUNCIL}/{SITE}/{target.hashes['sha256']}.profile.json"
    running.server.special[path] = _endless
    peak = _peak_rss_mb()
    outcome = running.refresh()
    assert outcome.status == "rejected"
    assert "more than the signed length" in outcome.reason
    assert _peak_rss_mb() - peak < 30
    assert (running.store.current_name(), running.store.pending()) == ("p1-s1", None)


def test_a_trickling_server_is_given_up_on_at_the_deadline(running: World) -> None:
    running.server.special["/metadata/timestamp.json"] = _trickle
    started = time.monotonic()
    outcome = running.agent(fetcher=BoundedFetcher(socket_timeout=5, deadline_seconds=1.0)).refresh()
    assert outcome.status == "unreachable"
    assert "longer than 1 s" in outcome.reason
    assert time.monotonic() - started < 8
    assert running.store.current_name() == "p1-s1"

"""mesh.js in a real headless chromium: two, then three participants of one call, through the
test double of the hub's signalling (tests/web_calls/signal_relay.py), on loopback.

Media is Chromium's fake camera and microphone. "Flowing" means, from getStats on the
receiving side: video frames decoded at ≥ 320×240 and audio bytes received.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.browser import running_chromium
from tests.web_calls.harness import Participant, flowing, join, serve_harness, wait_until
from tests.web_calls.signal_relay import RelayCore, RunningRelay, running_relay

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

TOKENS = {"kiosk": "kiosk-secret", "advisor": "advisor-secret", "interpreter": "interp-secret"}


@pytest.fixture(scope="module")
def relay() -> Iterator[RunningRelay]:
    with running_relay(RelayCore()) as running:
        serve_harness(running)
        yield running


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    with running_chromium(tmp_path_factory.mktemp("mesh")) as context:
        yield context


def new_call(relay: RunningRelay, call_id: str) -> str:
    relay.core.add_call(call_id, **TOKENS)
    return call_id


def close(*participants: Participant) -> None:
    for participant in participants:
        participant.page.close()


def test_two_peers_get_each_others_video_and_audio(relay: RunningRelay, browser: BrowserContext,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    call = new_call(relay, "two-way")
    kiosk = join(browser, relay, call, "kiosk", TOKENS["kiosk"])
    kiosk.wait_for_event("welcome")
    advisor = join(browser, relay, call, "advisor", TOKENS["advisor"])
    started = time.monotonic()
    try:
        at_kiosk = kiosk.wait_for_media(["advisor"])
        at_advisor = advisor.wait_for_media(["kiosk"])
        assert kiosk.events("peer_joined")[0]["role"] == "advisor"
        assert [c["role"] for c in advisor.wait_for_event("connected")] == ["kiosk"]
        assert advisor.events("welcome")[0]["peers"][0]["role"] == "kiosk"
        # The advisor, the newcomer, made the offer; the kiosk answered.
        offers = [m for m in relay.core.log if m["type"] == "signal"
                  and m["data"].get("sdp", {}).get("type") == "offer"]
        assert [m["role"] for m in offers] == ["advisor"]
        first = {"kiosk": kiosk.page.evaluate("H.firstFrame.advisor"),
                 "advisor": advisor.page.evaluate("H.firstFrame.kiosk")}
        assert all(isinstance(ms, int | float) and ms > 0 for ms in first.values()), first

        # Keep the call up ~10 s from the advisor's join, then read the frame rate.
        wait_until(lambda: time.monotonic() - started >= 10, "10 s of call", deadline=20)
        before = {p.role: p.stats()[0] for p in (kiosk, advisor)}
        t0 = time.monotonic()
        wait_until(lambda: time.monotonic() - t0 >= 2, "2 s more", deadline=5)
        after = {p.role: p.stats()[0] for p in (kiosk, advisor)}
        measured = {role: (after[role]["frames_decoded"] - before[role]["frames_decoded"])
                    / (time.monotonic() - t0) for role in after}
        with capsys.disabled():
            print(f"\n[mesh two-way] join→first frame ms: advisor's join→advisor sees kiosk "
                  f"{first['advisor']:.0f}, kiosk sees advisor {first['kiosk']:.0f} (from the "
                  f"kiosk's own join); getStats fps at ~10 s: "
                  f"{ {r: s['fps'] for r, s in after.items()} }; frames/s over 2 s: "
                  f"{ {r: round(v, 1) for r, v in measured.items()} }; size "
                  f"{ {r: (s['width'], s['height']) for r, s in after.items()} }; first stats "
                  f"{at_kiosk[0]['frames_decoded']}/{at_advisor[0]['frames_decoded']} frames")
        for role, rate in measured.items():
            assert rate >= 10, f"{role} decodes only {rate:.1f} frames/s"
            assert after[role]["audio_bytes"] > before[role]["audio_bytes"], role
    finally:
        close(kiosk, advisor)


def test_an_interpreter_makes_it_three_way_and_leaving_keeps_the_call(
        relay: RunningRelay, browser: BrowserContext) -> None:
    call = new_call(relay, "three-way")
    kiosk = join(browser, relay, call, "kiosk", TOKENS["kiosk"])
    kiosk.wait_for_event("welcome")
    advisor = join(browser, relay, call, "advisor", TOKENS["advisor"])
    interpreter = None
    try:
        kiosk.wait_for_media(["advisor"])
        interpreter = join(browser, relay, call, "interpreter",
                           TOKENS["interpreter"])
        interpreter.wait_for_media(["advisor", "kiosk"])
        kiosk.wait_for_media(["advisor", "interpreter"])
        advisor.wait_for_media(["interpreter", "kiosk"])

        interpreter.page.evaluate("H.call.leave()")
        for participant in (kiosk, advisor):
            left = participant.wait_for_event("peer_left")
            assert [(e["role"], e["reason"]) for e in left] == [("interpreter", "left")]
        # The interpreter's camera and microphone are released at once.
        assert all(t["state"] == "ended" for t in interpreter.page.evaluate(
            "H.call.localStream() === null ? [{state: 'ended'}] : H.tracks()"))
        assert relay.core.roles_in(call) == ["advisor", "kiosk"]
        # Media between the two who stayed keeps flowing: more frames and more audio.
        before = {p.role: p.stats() for p in (kiosk, advisor)}
        assert all(len(s) == 1 for s in before.values()), before

        def grew() -> bool:
            now = {p.role: p.stats() for p in (kiosk, advisor)}
            return all(len(now[r]) == 1 and flowing(now[r][0])
                       and now[r][0]["frames_decoded"] > before[r][0]["frames_decoded"] + 10
                       and now[r][0]["audio_bytes"] > before[r][0]["audio_bytes"]
                       for r in now)

        wait_until(grew, "media still flowing between kiosk and advisor", deadline=15)
        assert kiosk.events("call_ended") == []
        assert kiosk.events("closed") == []
    finally:
        close(kiosk, advisor, *([interpreter] if interpreter else []))


def test_captions_text_and_summary_are_relayed_and_mute_disables_tracks(
        relay: RunningRelay, browser: BrowserContext) -> None:
    call = new_call(relay, "messages")
    kiosk = join(browser, relay, call, "kiosk", TOKENS["kiosk"])
    kiosk.wait_for_event("welcome")
    advisor = join(browser, relay, call, "advisor", TOKENS["advisor"])
    try:
        advisor.wait_for_event("welcome")
        advisor.page.evaluate("H.call.send('caption', {text: 'Hel', final: false})")
        advisor.page.evaluate("H.call.send('caption', {text: 'Hello, how can I help?', final: true})")
        captions = kiosk.wait_for_event("caption", 2)
        assert [(c["role"], c["text"], c["final"]) for c in captions] == [
            ("advisor", "Hel", False), ("advisor", "Hello, how can I help?", True)]
        kiosk.page.evaluate("H.call.send('resident_text', {text: 'I cannot hear', final: true})")
        kiosk.page.evaluate("H.call.send('summary', {service: 'Missed bin', "
                            "rows: [{label: 'Bin', value: 'Recycling'}]})")
        assert advisor.wait_for_event("resident_text")[0]["text"] == "I cannot hear"
        summary = advisor.wait_for_event("summary")[0]
        assert summary == {"from": summary["from"], "role": "kiosk", "service": "Missed bin",
                           "rows": [{"label": "Bin", "value": "Recycling"}]}
        # Text is capped at the contract's 500 characters before it leaves the page.
        advisor.page.evaluate("H.call.send('caption', {text: 'x'.repeat(600), final: false})")
        assert len(kiosk.wait_for_event("caption", 3)[2]["text"]) == 500
        # Only the messages a client may send are sent.
        refused = advisor.page.evaluate(
            "(() => { try { H.call.send('call_ended', {}); return 'sent'; } "
            "catch (e) { return e.message; } })()")
        assert "cannot send call_ended" in refused

        kiosk.wait_for_media(["advisor"])
        kiosk.page.evaluate("H.call.mute(true)")
        assert kiosk.page.evaluate("H.tracks()") == [
            {"kind": "audio", "enabled": False, "state": "live"},
            {"kind": "video", "enabled": True, "state": "live"}]
        kiosk.page.evaluate("H.call.cameraOff(true); H.call.mute(false)")
        assert kiosk.page.evaluate("H.tracks()") == [
            {"kind": "audio", "enabled": True, "state": "live"},
            {"kind": "video", "enabled": False, "state": "live"}]

        relay.run(relay.core.end_call(call, "session_ended", "kiosk"))
        for participant in (kiosk, advisor):
            ended = participant.wait_for_event("call_ended")
            assert ended == [{"reason": "session_ended", "by": "kiosk"}]
        assert kiosk.page.evaluate("H.call.localStream()") is None
        assert kiosk.page.evaluate("H.call.stats()") == {"peers": []}
        assert kiosk.events("closed") == []
    finally:
        close(kiosk, advisor)


def test_candidates_that_arrive_before_the_description_wait_for_it(
        browser: BrowserContext) -> None:
    """The relay holds every offer and answer back while candidates go straight through, as
    a hub relaying across processes may: each side gets candidates for a connection whose
    remote description it has not got. They must wait, not fail (addIceCandidate before
    setRemoteDescription throws)."""
    core = RelayCore(hold_sdp_seconds=0.7)
    with running_relay(core) as relay:
        serve_harness(relay)
        call = new_call(relay, "early-candidates")
        kiosk = join(browser, relay, call, "kiosk", TOKENS["kiosk"])
        kiosk.wait_for_event("welcome")
        advisor = join(browser, relay, call, "advisor", TOKENS["advisor"])
        try:
            kiosk.wait_for_media(["advisor"])
            advisor.wait_for_media(["kiosk"])
            for peer in (kiosk, advisor):
                mine = [what for to, what in core.delivered
                        if to == peer.events("welcome")[0]["peer_id"]]
                assert mine[0] == "candidate", (peer.role, mine)  # the fault did happen
                assert "sdp" in mine
                assert peer.events("error") == [], peer.describe()
        finally:
            close(kiosk, advisor)


def test_a_wrong_token_is_refused_and_reported(relay: RunningRelay, browser: BrowserContext) -> None:
    call = new_call(relay, "refused")
    stranger = join(browser, relay, call, "advisor", "not-the-token")
    try:
        assert stranger.wait_for_event("closed")[0]["code"] == 4403
        assert stranger.events("error") == [{"what": "refused"}]
        assert stranger.events("welcome") == []
        assert stranger.page.evaluate("H.call.localStream()") is None
    finally:
        close(stranger)

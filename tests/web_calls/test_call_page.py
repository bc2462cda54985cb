"""The kiosk's call page (kiosk/calls/web/call.html) filled as docs/calls.md §4 says, in a real
chromium, talking to an advisor (the mesh test page) through the signalling test double.

Qt is not here: a test double of qwebchannel.js stands in for the bridge, recording every
`report` and letting the test raise the bridge's signals, as ui/call/ would. The page's
origin is the relay's, as the kiosk's page has the hub's origin (so the page's own CSP,
`connect-src 'self'`, is what lets its WebSocket through).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser import running_chromium
from tests.web_calls.harness import join, mesh_source, serve_harness, wait_until
from tests.web_calls.signal_relay import RelayCore, RunningRelay, running_relay

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

TOKENS = {"kiosk": "kiosk-secret", "advisor": "advisor-secret", "interpreter": "interp-secret"}
LABELS = {"connecting": "Connecting", "advisor": "Advisor", "you": "You",
          "interpreter": "Interpreter"}
CONFIG_ELEMENT = re.compile(r'(<script id="call-config" type="application/json">)(.*?)(</script>)',
                            re.DOTALL)

# Stands in for Qt's qwebchannel.js and the `kiosk` object ui/call/ registers.
BRIDGE_DOUBLE = """
window.qt = {webChannelTransport: {}};
window.Bridge = {reports: [], handlers: {}};
Bridge.emit = function (name) {
  var args = Array.prototype.slice.call(arguments, 1);
  (Bridge.handlers[name] || []).forEach(function (fn) { fn.apply(null, args); });
};
Bridge.events = function (name) {
  return Bridge.reports.filter(function (r) { return r.event === name; });
};
window.QWebChannel = function (transport, ready) {
  var kiosk = {report: function (json) { Bridge.reports.push(JSON.parse(json)); }};
  ["muteRequested", "cameraOffRequested", "textToSend", "summaryToSend", "hangUpRequested"]
    .forEach(function (name) {
      kiosk[name] = {connect: function (fn) {
        (Bridge.handlers[name] = Bridge.handlers[name] || []).push(fn);
      }};
    });
  setTimeout(function () { ready({objects: {kiosk: kiosk}}); }, 0);
};
"""


def template() -> str:
    return resources.files("kiosk").joinpath("calls", "web", "call.html").read_text(encoding="utf-8")


def filled(config: dict[str, Any]) -> str:
    """What ui/call/ does to the template (its own code does the same in Qt)."""
    page = template()
    config_json = json.dumps(config).replace("</", "<\\/")
    page = CONFIG_ELEMENT.sub(lambda m: m.group(1) + config_json + m.group(3), page, count=1)
    lines = page.split("\n")
    lines[lines.index("/*QWEBCHANNEL*/")] = BRIDGE_DOUBLE
    lines[lines.index("/*MESH*/")] = mesh_source()
    return "\n".join(lines)


@pytest.fixture(scope="module")
def relay() -> Iterator[RunningRelay]:
    with running_relay(RelayCore()) as running:
        serve_harness(running)
        yield running


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    with running_chromium(tmp_path_factory.mktemp("callpage")) as context:
        yield context


@dataclass
class KioskPage:
    page: Page
    errors: list[str] = field(default_factory=list)

    def evaluate(self, script: str) -> Any:
        return self.page.evaluate(script)

    def close(self) -> None:
        self.page.close()


def open_call_page(browser: BrowserContext, relay: RunningRelay, call_id: str,
                   config: dict[str, Any] | None = None) -> KioskPage:
    relay.core.add_call(call_id, **TOKENS)
    path = f"/kiosk-call/{call_id}"
    relay.page(path, filled(config or {"ws_url": relay.ws_url, "call_id": call_id,
                                       "token": TOKENS["kiosk"], "role": "kiosk",
                                       "labels": LABELS, "lang": "cy"}))
    kiosk = KioskPage(browser.new_page())
    kiosk.page.on("pageerror", lambda exc: kiosk.errors.append(str(exc)))
    kiosk.page.goto(relay.base_url + path)
    return kiosk


def reports(kiosk: KioskPage, event: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = kiosk.page.evaluate("e => Bridge.events(e)", event)
    return found


def wait_report(kiosk: KioskPage, event: str, check: Any = None, deadline: float = 20) -> dict[str, Any]:
    """The first `event` report for which `check(report)` holds."""
    hit: list[dict[str, Any]] = []

    def arrived() -> bool:
        hit[:] = [r for r in reports(kiosk, event) if check is None or check(r)]
        return bool(hit)

    try:
        wait_until(arrived, f"a {event} report from the call page", deadline=deadline)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; reports {kiosk.evaluate('Bridge.reports')[-8:]}; "
                             f"errors {kiosk.errors}") from None
    return hit[0]


def test_the_template_has_the_placeholders_qt_fills() -> None:
    page = template()
    assert page.split("\n").count("/*MESH*/") == 1
    assert page.split("\n").count("/*QWEBCHANNEL*/") == 1
    assert page.index("/*QWEBCHANNEL*/") < page.index("/*MESH*/")
    assert len(CONFIG_ELEMENT.findall(page)) == 1
    # No text of its own: every visible word comes from the config's labels.
    body = re.sub(r"<script.*?</script>|<style.*?</style>|<!--.*?-->", "", page, flags=re.DOTALL)
    assert re.sub(r"<[^>]+>", "", body.split("<body>")[1]).strip() == ""


def flowing_from(role: str) -> Any:
    return lambda r: any(p["role"] == role and p["frames_decoded"] > 0 and p["width"] >= 320
                         and p["audio_bytes"] > 0 for p in r["peers"])


def test_a_call_on_the_kiosk_page_reports_to_qt_and_obeys_its_signals(
        relay: RunningRelay, browser: BrowserContext) -> None:
    kiosk = open_call_page(browser, relay, "page-call")
    advisor = interpreter = None
    try:
        assert wait_report(kiosk, "media") == {"event": "media", "ok": True, "error": None}
        wait_report(kiosk, "welcome")
        assert kiosk.evaluate("document.body.innerText.trim()") == "Connecting"
        assert kiosk.evaluate("document.documentElement.lang") == "cy"

        advisor = join(browser, relay, "page-call", "advisor", TOKENS["advisor"])
        assert wait_report(kiosk, "peer_joined")["role"] == "advisor"
        assert wait_report(kiosk, "connected")["role"] == "advisor"
        wait_report(kiosk, "stats", flowing_from("advisor"))
        advisor.wait_for_media(["kiosk"])
        # The advisor large and playing, the resident's own picture small; the label gone.
        wait_until(lambda: kiosk.evaluate("document.getElementById('advisor').videoWidth") >= 320,
                   "the advisor's video playing on the kiosk page")
        assert kiosk.evaluate("document.getElementById('self').srcObject !== null")
        assert kiosk.evaluate("document.getElementById('advisor').getAttribute('aria-label')") \
            == "Advisor"
        wait_until(lambda: kiosk.evaluate("document.body.innerText.trim()") == "",
                   "the Connecting label cleared once the advisor's video plays")
        assert kiosk.evaluate("document.getElementById('interpreter').hidden")

        advisor.page.evaluate("H.call.send('caption', {text: 'Hello there', final: true})")
        assert wait_report(kiosk, "caption") == {"event": "caption", "role": "advisor",
                                                 "text": "Hello there", "final": True}
        kiosk.evaluate("Bridge.emit('textToSend', 'I need a form', false)")
        kiosk.evaluate("Bridge.emit('summaryToSend', JSON.stringify({service: 'Missed bin', "
                       "rows: [{label: 'Bin', value: 'Garden'}]}))")
        assert advisor.wait_for_event("resident_text")[0] == {
            "from": advisor.events("resident_text")[0]["from"], "role": "kiosk",
            "text": "I need a form", "final": False}
        assert advisor.wait_for_event("summary")[0]["rows"] == [{"label": "Bin", "value": "Garden"}]

        own = "document.getElementById('self').srcObject.get{}Tracks()[0].enabled"
        kiosk.evaluate("Bridge.emit('muteRequested', true)")
        assert kiosk.evaluate(own.format("Audio")) is False
        assert kiosk.evaluate(own.format("Video")) is True
        kiosk.evaluate("Bridge.emit('cameraOffRequested', true); Bridge.emit('muteRequested', false)")
        assert kiosk.evaluate(own.format("Audio")) is True
        assert kiosk.evaluate(own.format("Video")) is False

        interpreter = join(browser, relay, "page-call", "interpreter", TOKENS["interpreter"])
        wait_report(kiosk, "stats", lambda r: flowing_from("advisor")(r)
                    and flowing_from("interpreter")(r))
        wait_until(lambda: not kiosk.evaluate("document.getElementById('interpreter').hidden"),
                   "the interpreter's tile shown")
        interpreter.page.evaluate("H.call.leave()")
        left = wait_report(kiosk, "peer_left")
        assert (left["role"], left["reason"]) == ("interpreter", "left")
        assert kiosk.evaluate("document.getElementById('interpreter').hidden")

        # Stats come about once a second, each naming the peers' roles.
        stats = reports(kiosk, "stats")
        assert len(stats) >= 2
        assert set(stats[-1]["peers"][0]) >= {"role", "frames_decoded", "fps", "width", "height",
                                              "audio_bytes"}

        kiosk.evaluate("Bridge.emit('hangUpRequested')")
        # The advisor already heard the interpreter leave: wait for the second peer_left.
        bye = advisor.wait_for_event("peer_left", 2)
        assert [(e["role"], e["reason"]) for e in bye] == [("interpreter", "left"),
                                                           ("kiosk", "left")]
        assert kiosk.evaluate("document.getElementById('self').srcObject") is None
        assert kiosk.errors == []
    finally:
        for participant in (advisor, interpreter):
            if participant is not None:
                participant.page.close()
        kiosk.close()


def test_the_page_reports_the_hub_ending_the_call_and_a_bad_config(
        relay: RunningRelay, browser: BrowserContext) -> None:
    kiosk = open_call_page(browser, relay, "ended-call")
    broken = open_call_page(browser, relay, "no-config", {"labels": LABELS})
    try:
        wait_report(kiosk, "welcome")
        relay.run(relay.core.end_call("ended-call", "advisor_disconnected", "hub"))
        ended = wait_report(kiosk, "call_ended")
        assert ended == {"event": "call_ended", "reason": "advisor_disconnected", "by": "hub"}
        assert kiosk.evaluate("document.getElementById('self').srcObject") is None
        assert reports(kiosk, "error") == []
        assert wait_report(broken, "error") == {"event": "error", "what": "config"}
        assert reports(broken, "media") == []
    finally:
        kiosk.close()
        broken.close()

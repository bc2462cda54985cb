"""A bare test page around mesh.js, and what the tests ask of a page that runs it.

The page is the tests' own (not the kiosk's call page, not the console): it loads the real
`kiosk/calls/web/mesh.js` from the relay's origin, records every event the mesh reports into
`H.events`, gives each remote stream a <video>, and notes when each role's first frame was
painted, counted from the moment `CivicMesh.join` was called.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    from tests.web_calls.signal_relay import RunningRelay

MESH_PATH = "/mesh.js"
HARNESS_PATH = "/mesh-test.html"
MEDIA_DEADLINE = 30.0

HARNESS_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mesh test</title></head>
<body>
<video id="own" autoplay muted playsinline></video>
<script src="/mesh.js"></script>
<script>
"use strict";
window.H = {events: [], call: null, joinedAt: 0, firstFrame: {}, videos: {}};
H.start = function (config) {
  H.joinedAt = performance.now();
  H.call = CivicMesh.join(config, {
    any: function (name, detail) {
      var copy = {};
      Object.keys(detail || {}).forEach(function (k) { if (k !== "stream") copy[k] = detail[k]; });
      H.events.push({name: name, detail: copy});
    },
    local_stream: function (d) { document.getElementById("own").srcObject = d.stream; },
    remote_stream: function (d) {
      var v = document.createElement("video");
      v.autoplay = true; v.muted = true; v.playsInline = true;
      v.srcObject = d.stream; v.dataset.role = d.role;
      document.body.appendChild(v);
      H.videos[d.peer_id] = v;
      var mark = function () {
        if (!(d.role in H.firstFrame)) H.firstFrame[d.role] = performance.now() - H.joinedAt;
      };
      v.requestVideoFrameCallback(mark);
    },
    peer_left: function (d) {
      var v = H.videos[d.peer_id];
      if (v) { v.remove(); delete H.videos[d.peer_id]; }
    }
  });
};
H.named = function (name) {
  return H.events.filter(function (e) { return e.name === name; }).map(function (e) { return e.detail; });
};
H.tracks = function () {
  var s = H.call.localStream();
  return s ? s.getTracks().map(function (t) {
    return {kind: t.kind, enabled: t.enabled, state: t.readyState};
  }) : [];
};
</script>
</body></html>
"""


def mesh_source() -> str:
    return resources.files("kiosk").joinpath("calls", "web", "mesh.js").read_text(encoding="utf-8")


def serve_harness(relay: RunningRelay) -> str:
    relay.page(MESH_PATH, mesh_source(), "text/javascript; charset=utf-8")
    return relay.page(HARNESS_PATH, HARNESS_HTML)


@dataclass
class Participant:
    """One page joined to a call, with the script errors it has thrown."""

    page: Page
    role: str
    errors: list[str] = field(default_factory=list)

    def stats(self) -> list[dict[str, Any]]:
        peers: list[dict[str, Any]] = self.page.evaluate("H.call.stats()")["peers"]
        return peers

    def events(self, name: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.page.evaluate("n => H.named(n)", name)
        return found

    def describe(self) -> str:
        return f"{self.role}: events {self.page.evaluate('H.events')}; page errors {self.errors}"

    def wait_for_media(self, roles: list[str]) -> list[dict[str, Any]]:
        """Wait until this page gets flowing media from exactly one peer of each role in
        `roles`; the stats that showed it."""
        seen: list[dict[str, Any]] = []

        def ready() -> bool:
            seen[:] = self.stats()
            return (sorted(p["role"] for p in seen) == sorted(roles)
                    and all(flowing(p) for p in seen))

        try:
            wait_until(ready, f"media from {roles} at the {self.role}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; last stats {seen}; {self.describe()}") from None
        return seen

    def wait_for_event(self, name: str, count: int = 1) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []

        def arrived() -> bool:
            found[:] = self.events(name)
            return len(found) >= count

        try:
            wait_until(arrived, f"{count} {name} event(s) at the {self.role}", deadline=10)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; {self.describe()}") from None
        return found


class Served(Protocol):
    """Where the harness page and the signalling socket are (the relay, or a hub)."""

    @property
    def base_url(self) -> str: ...
    @property
    def ws_url(self) -> str: ...


def join(browser: BrowserContext, site: Served, call_id: str, role: str, token: str
         ) -> Participant:
    """A new page on the harness, joined to `call_id` as `role`."""
    page = browser.new_page()
    participant = Participant(page, role)
    page.on("pageerror", lambda exc: participant.errors.append(str(exc)))
    page.goto(site.base_url + HARNESS_PATH)
    page.evaluate("c => H.start(c)", {"ws_url": site.ws_url, "call_id": call_id,
                                      "token": token, "role": role})
    return participant


def flowing(peer: dict[str, Any]) -> bool:
    """Video decoded at a usable size, and audio arriving."""
    return (peer["frames_decoded"] > 0 and peer["width"] >= 320 and peer["height"] >= 240
            and peer["audio_bytes"] > 0)


def wait_until(condition: Callable[[], object], what: str, deadline: float = MEDIA_DEADLINE
               ) -> None:
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"not within {deadline:.0f} s: {what}")
        time.sleep(0.1)

"""The only paths that answer without sign-in. Everything else needs a signed-in account.

This is an allowlist on purpose: a route added anywhere in the hub is closed to strangers
until someone adds it here, with a reason. `tests/hub/test_route_protection.py` reads this
list, walks every route of the app and checks both ways: each route not listed here turns
a stranger away, and each entry here still matches a route.

A route under a public prefix protects itself: the Open311 POST and everything under
/kiosk/v1 check the kiosk API key, or for the heartbeat the device's signature (and the
crawl test checks that they refuse without one).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublicRoute:
    path: str
    reason: str
    prefix: bool = False  # `path` ends in "/" and everything under it is public

    def matches(self, path: str) -> bool:
        return path.startswith(self.path) if self.prefix else path == self.path


PUBLIC_ROUTES: tuple[PublicRoute, ...] = (
    PublicRoute("/open311/v2/", "Open311 GeoReport v2: public reads by the spec; a POST "
                "needs a kiosk API key", prefix=True),
    PublicRoute("/status/", "the status page a receipt's QR code opens: no personal data",
                prefix=True),
    PublicRoute("/kiosk/v1/", "the kiosks' API: every route checks the X-Api-Key header, "
                "or (the heartbeat) a registered device's signature", prefix=True),
    PublicRoute("/sign-in", "the sign-in page itself"),
    PublicRoute("/static/", "the staff pages' stylesheet, the call pages' scripts: code, "
                "no data", prefix=True),
    PublicRoute("/calendar/", "each site's appointments feed for council calendars: checks "
                "the site's feed token; carries no names", prefix=True),
    PublicRoute("/calls/v1/ws", "advisor calls' signalling WebSocket: the first message's "
                "per-call token is the credential (kiosks and interpreters have no sign-in)"),
    PublicRoute("/join/", "an interpreter's invitation link to one advisor call: checks the "
                "invitation, which expires when the call ends", prefix=True),
)


def is_public(path: str) -> bool:
    return any(route.matches(path) for route in PUBLIC_ROUTES)

"""Who the call view trusts, and the record of what it refused (issue 12; V14, K11).

One origin is trusted: the hub's (scheme, host and port), the origin the call page is loaded
at. Only it may be navigated to, and only it gets the camera and the microphone. Every other
request a page can make of the browser is refused, and each refusal is counted and logged
with the origin alone: a URL's path and query can carry a token (an interpreter's
`/join/<token>`) or what a resident typed.

No QtWebEngine here: these decisions are tested without starting a browser.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from PySide6.QtCore import QObject, QUrl, Signal

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_WEB_SCHEMES = frozenset({"http", "https"})
# QWebEnginePermission.PermissionType names the hub's page may have.
MEDIA_PERMISSIONS = frozenset({"MediaAudioCapture", "MediaVideoCapture", "MediaAudioVideoCapture"})


@dataclass(frozen=True)
class Origin:
    """A web origin. `str()` is what logs show of any URL."""

    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: QUrl | str) -> Origin | None:
        """The origin of an http(s) URL, or None for anything else (data:, file:, about:)."""
        url = QUrl(url) if isinstance(url, str) else url
        scheme = url.scheme().lower()
        host = url.host().lower()
        if scheme not in _WEB_SCHEMES or not host:
            return None
        return cls(scheme, host, url.port(_DEFAULT_PORTS[scheme]))

    @classmethod
    def parse(cls, text: str) -> Origin:
        """The hub's origin from its base URL; a clear error for anything else."""
        origin = cls.of(text)
        if origin is None:
            raise ValueError(f"the hub's address must be an http or https URL, got {shown(text)!r}")
        return origin

    @property
    def secure_context(self) -> bool:
        """Whether a page of this origin is a secure context, the only kind Chromium gives a
        camera (measured: a page at http://10.1.2.3:8000 has no `navigator.mediaDevices`).
        https, or http on the loopback."""
        if self.scheme == "https":
            return True
        host = self.host.strip("[]")
        return (host == "localhost" or host.endswith(".localhost") or host == "::1"
                or (host.startswith("127.") and host.replace(".", "").isdigit()))

    def url(self, path: str = "/") -> QUrl:
        return QUrl(f"{self}{path}")

    def websocket(self, path: str) -> str:
        """The WebSocket URL of `path` on this origin (wss beside https)."""
        return f"{'wss' if self.scheme == 'https' else 'ws'}://{self._authority()}{path}"

    def _authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port == _DEFAULT_PORTS[self.scheme]:
            return host
        return f"{host}:{self.port}"

    def __str__(self) -> str:
        return f"{self.scheme}://{self._authority()}"


def shown(url: QUrl | str) -> str:
    """What a log may show of a URL: its origin, or its scheme alone."""
    origin = Origin.of(url)
    if origin is not None:
        return str(origin)
    scheme = (QUrl(url) if isinstance(url, str) else url).scheme().lower()
    return f"{scheme}:" if scheme else "(no scheme)"


def media_allowed(permission: str, origin: Origin | None, hub: Origin) -> bool:
    """Camera and microphone for the hub's origin; nothing else for anyone."""
    return permission in MEDIA_PERMISSIONS and origin == hub


class Refusals(QObject):
    """What the view refused, by kind (`counts`), and `refused(kind)` as it happens."""

    refused = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.counts: Counter[str] = Counter()

    def note(self, kind: str, url: QUrl | str | None = None) -> None:
        self.counts[kind] += 1
        if url is None:
            log.warning("call view refused: %s", kind)
        else:
            log.warning("call view refused: %s (%s)", kind, shown(url))
        self.refused.emit(kind)

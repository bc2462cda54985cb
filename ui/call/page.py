"""The call page's browser tab, locked down (issue 12; reliability-security V14, K11).

The call page is our own HTML, but it runs a browser engine on a public terminal, so the tab
refuses everything the call does not need, whatever the page asks:

* **navigation** only to the hub's origin, plus the one `setHtml` load the view itself arms
  (Chromium reports it as a typed navigation to a `data:` URL); redirects are navigations too;
* **new windows** (`window.open`, `target=_blank`): `createWindow` returns None;
* **file choosers** (`<input type=file>`): `chooseFiles` returns no file;
* **permissions**: camera and microphone for the hub's origin; screen capture, location,
  notifications, clipboard, pointer lock, local fonts are denied. Screen capture is refused
  twice: Qt 6.11 asks `desktopMediaRequested` (the screen picker) before any permission,
  and the picker is cancelled;
* **JavaScript dialogs** (alert, confirm, prompt, leaving-page prompts) are never shown;
* **certificate errors** are rejected, client certificates never sent, HTTP sign-in
  prompts cancelled, full screen, protocol handlers, file-system access, web
  authentication and printing refused.

Settings close what needs no callback: scripts cannot open windows or touch the clipboard,
unknown URL schemes (`mailto:`, `tel:`) never reach the desktop, nothing plays only after a
touch (the advisor's voice must play although the resident only touches Qt buttons).

Each refusal goes to the view's `Refusals` (counted, logged with the origin only). Console
messages are not logged (a page may print what a resident typed); `console` carries them
for tests.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtNetwork import QAuthenticator
from PySide6.QtWebEngineCore import (
    QWebEngineCertificateError,
    QWebEngineClientCertificateSelection,
    QWebEngineDesktopMediaRequest,
    QWebEngineFileSystemAccessRequest,
    QWebEngineFullScreenRequest,
    QWebEnginePage,
    QWebEnginePermission,
    QWebEngineProfile,
    QWebEngineRegisterProtocolHandlerRequest,
    QWebEngineSettings,
    QWebEngineWebAuthUxRequest,
)

from ui.call.policy import Origin, Refusals, media_allowed, shown

log = logging.getLogger(__name__)

_A = QWebEngineSettings.WebAttribute
# Everything a call page does not need, off; what it needs, on.
SETTINGS: dict[QWebEngineSettings.WebAttribute, bool] = {
    _A.JavascriptEnabled: True,
    _A.JavascriptCanOpenWindows: False,
    _A.JavascriptCanAccessClipboard: False,
    _A.JavascriptCanPaste: False,
    _A.AllowWindowActivationFromJavaScript: False,
    _A.LocalContentCanAccessRemoteUrls: False,
    _A.LocalContentCanAccessFileUrls: False,
    _A.AllowRunningInsecureContent: False,
    _A.AllowGeolocationOnInsecureOrigins: False,
    _A.PluginsEnabled: False,
    _A.PdfViewerEnabled: False,
    _A.FullScreenSupportEnabled: False,
    _A.ScreenCaptureEnabled: False,
    _A.NavigateOnDropEnabled: False,
    _A.HyperlinkAuditingEnabled: False,
    _A.DnsPrefetchEnabled: False,
    _A.ErrorPageEnabled: False,
    _A.FocusOnNavigationEnabled: False,
    _A.SpatialNavigationEnabled: False,
    _A.ShowScrollBars: False,
    _A.PlaybackRequiresUserGesture: False,
    _A.WebGLEnabled: False,
    _A.AutoLoadIconsForPage: False,
    _A.TouchIconsEnabled: False,
}
_NAV = QWebEnginePage.NavigationType


class CallPage(QWebEnginePage):
    """A tab that only ever shows the hub's call page. `arm_html_load` before `setHtml`."""

    console = Signal(int, str)

    def __init__(self, profile: QWebEngineProfile, hub: Origin, refusals: Refusals,
                 parent: QObject | None = None) -> None:
        super().__init__(profile, parent)
        self.hub = hub
        self.refusals = refusals
        self._html_armed = False
        settings = self.settings()
        for attribute, on in SETTINGS.items():
            settings.setAttribute(attribute, on)
        settings.setUnknownUrlSchemePolicy(
            QWebEngineSettings.UnknownUrlSchemePolicy.DisallowUnknownUrlSchemes)
        self.permissionRequested.connect(self._permission)
        self.desktopMediaRequested.connect(self._desktop_media)
        self.certificateError.connect(self._certificate)
        self.selectClientCertificate.connect(self._client_certificate)
        self.authenticationRequired.connect(self._authentication)
        self.proxyAuthenticationRequired.connect(self._proxy_authentication)
        self.fullScreenRequested.connect(self._full_screen)
        self.registerProtocolHandlerRequested.connect(self._protocol_handler)
        self.fileSystemAccessRequested.connect(self._file_system)
        self.webAuthUxRequested.connect(self._web_auth)
        self.printRequested.connect(lambda: self.refusals.note("print"))

    def arm_html_load(self) -> None:
        """The next `setHtml` is ours: let its one `data:` navigation through."""
        self._html_armed = True

    # ----- navigation and windows ----------------------------------------------------------

    def acceptNavigationRequest(self, url: QUrl | str, type: QWebEnginePage.NavigationType,
                                isMainFrame: bool) -> bool:
        url = QUrl(url)
        if (self._html_armed and isMainFrame and url.scheme() == "data"
                and type == _NAV.NavigationTypeTyped):
            self._html_armed = False
            return True
        if Origin.of(url) == self.hub:
            return True
        self.refusals.note("navigation", url)
        return False

    def createWindow(self, type: QWebEnginePage.WebWindowType) -> None:  # type: ignore[override]
        self.refusals.note("window")
        return None

    def chooseFiles(self, mode: QWebEnginePage.FileSelectionMode, oldFiles: Sequence[str],
                    acceptedMimeTypes: Sequence[str]) -> list[str]:
        self.refusals.note("file_chooser")
        return []

    # ----- dialogs and console -------------------------------------------------------------

    def javaScriptAlert(self, securityOrigin: QUrl | str, msg: str) -> None:
        self.refusals.note("dialog")

    def javaScriptConfirm(self, securityOrigin: QUrl | str, msg: str) -> bool:
        self.refusals.note("dialog")
        return False

    def javaScriptPrompt(self, securityOrigin: QUrl | str, msg: str,
                         defaultValue: str) -> tuple[bool, str]:
        self.refusals.note("dialog")
        return False, ""

    def javaScriptConsoleMessage(self, level: QWebEnginePage.JavaScriptConsoleMessageLevel,
                                 message: str, lineNumber: int, sourceID: str) -> None:
        self.console.emit(level.value, message)

    # ----- requests the page may make of the browser ---------------------------------------

    def _permission(self, permission: QWebEnginePermission) -> None:
        kind = permission.permissionType().name
        origin = permission.origin()
        if media_allowed(kind, Origin.of(origin), self.hub):
            log.info("call view: %s granted to the hub (%s)", kind, shown(origin))
            permission.grant()
            return
        permission.deny()
        self.refusals.note(f"permission:{kind}", origin)

    def _desktop_media(self, request: QWebEngineDesktopMediaRequest) -> None:
        request.cancel()
        self.refusals.note("screen_capture")

    def _certificate(self, error: QWebEngineCertificateError) -> None:
        error.rejectCertificate()
        self.refusals.note("certificate", error.url())

    def _client_certificate(self, selection: QWebEngineClientCertificateSelection) -> None:
        selection.selectNone()
        self.refusals.note("client_certificate", selection.host())

    def _authentication(self, url: QUrl, authenticator: QAuthenticator) -> None:
        # Left empty, the authenticator cancels the request.
        self.refusals.note("authentication", url)

    def _proxy_authentication(self, url: QUrl, authenticator: QAuthenticator, host: str) -> None:
        self.refusals.note("authentication", url)

    def _full_screen(self, request: QWebEngineFullScreenRequest) -> None:
        request.reject()
        self.refusals.note("full_screen", request.origin())

    def _protocol_handler(self, request: QWebEngineRegisterProtocolHandlerRequest) -> None:
        request.reject()
        self.refusals.note("protocol_handler", request.origin())

    def _file_system(self, request: QWebEngineFileSystemAccessRequest) -> None:
        request.reject()
        self.refusals.note("file_system", request.origin())

    def _web_auth(self, request: QWebEngineWebAuthUxRequest) -> None:
        request.cancel()
        self.refusals.note("web_authentication")

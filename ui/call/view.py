"""One call's screen: the locked-down web view of the call page, and its teardown (issue 12).

Import this module only when a call starts: it loads QtWebEngine (see `ui.call`). Make one
`CallView` per call and tear it down when the call ends:

    view = CallView(hub_url, fake_media=demo)      # a fresh off-the-record profile
    view.events.call_ended.connect(...)             # what the page reports (ui.call.bridge)
    view.start(CallConfig(view.hub, call_id, token, labels))
    view.bridge.mute(True)                          # the native controls' orders
    ...
    problems = view.teardown()                      # page, then profile, then its folder

`teardown` is synchronous, so the session wipe can call it and know the result; a non-empty
list means something of the call may be left, and the caller fails closed. `wipe_check` is
the same verdict for `Terminal.add_wipe_check`. Never call `teardown` from inside one of the
page's own callbacks: `CallEvents` are delivered on a later turn of the event loop for that
reason, so reacting to `call_ended` is safe.

The native controls (mute, camera, end call, captions, the text box) are the integrator's,
beside or below `view`; this widget holds only the web view.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.call.bridge import CallBridge, CallEvents
from ui.call.chromium_env import prepare_environment
from ui.call.page import CallPage
from ui.call.page_html import DEFAULT_MESH, DEFAULT_TEMPLATE, CallConfig, call_page_html
from ui.call.policy import Origin, Refusals
from ui.call.profile import CallProfile, folder_problems

log = logging.getLogger(__name__)

NOT_TORN_DOWN = "the call view was not torn down"


class CallView(QWidget):
    """The web view of one call. `torn_down(problems)` says how its teardown went."""

    torn_down = Signal(list)

    def __init__(self, hub: Origin | str, *, fake_media: bool = False,
                 storage_parent: Path | None = None, parent: QWidget | None = None) -> None:
        """`hub`: the hub's origin (its base URL will do). `fake_media`: Chromium's made-up
        camera and microphone (tests, the demo); it takes effect only if this is the
        process's first call view. `storage_parent`: where the call's private folder is made
        (default: the system's temporary folder)."""
        super().__init__(parent)
        self.setObjectName("callView")
        self.hub = hub if isinstance(hub, Origin) else Origin.parse(hub)
        if not self.hub.secure_context:
            raise ValueError(f"calls need the hub on https (or on this machine's loopback): "
                             f"the browser gives no camera to a page at {self.hub}")
        prepare_environment(os.environ, QCoreApplication.arguments(), fake_media=fake_media)
        self.refusals = Refusals(self)
        self._profile = CallProfile(self.refusals, storage_parent)
        assert self._profile.profile is not None
        self.folder = self._profile.folder
        # No Qt parent: the page is deleted by hand, before its profile.
        self.page: CallPage | None = self._new_page(self._profile.profile)
        self.bridge = CallBridge(self.refusals, self)
        self.channel = QWebChannel(self)
        self.channel.registerObject("kiosk", self.bridge)
        self.page.setWebChannel(self.channel)
        self.page.renderProcessTerminated.connect(self._render_process_ended)
        self.view: QWebEngineView | None = QWebEngineView(self)
        self.view.setObjectName("callWebView")
        self.view.setPage(self.page)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.view.setAcceptDrops(False)
        # The resident types in the native text box; the page never takes the keyboard.
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._problems: list[str] | None = None
        # Deleted without a teardown (its parent went first): still page before profile.
        self.destroyed.connect(partial(_last_resort, self.page, self._profile))

    def _new_page(self, profile: QWebEngineProfile) -> CallPage:
        """The view's locked tab. (A test overrides this to loosen one lock and show the
        next one still holds.)"""
        return CallPage(profile, self.hub, self.refusals)

    @property
    def events(self) -> CallEvents:
        return self.bridge.events

    def start(self, config: CallConfig, template: Path = DEFAULT_TEMPLATE,
              mesh: Path = DEFAULT_MESH) -> None:
        """Load the call page for `config` (at the hub's origin). Raises `CallPageError`
        (for IT: which file, what was wrong) if the page cannot be built."""
        if self.page is None:
            raise RuntimeError("this call view has been torn down")
        if config.hub != self.hub:
            raise ValueError("the call's hub is not the hub this view trusts")
        html = call_page_html(config, template, mesh)
        self.page.arm_html_load()
        self.page.setHtml(html, QUrl(config.base_url))

    def _render_process_ended(self, status: QWebEnginePage.RenderProcessTerminationStatus,
                              code: int) -> None:
        log.warning("call page's render process ended: %s", status.name)
        self.events.post("error", {"what": "render_process_ended"})

    # ----- the end -------------------------------------------------------------------------

    def teardown(self) -> list[str]:
        """Delete the page, then its profile, then the call's folder, and check they are
        gone. Returns (and signals) the problems: empty when verified. A second call returns
        the first call's verdict."""
        if self._problems is not None:
            return list(self._problems)
        problems: list[str] = []
        page, view = self.page, self.view
        self.page = self.view = None
        _step(problems, "the web channel could not be closed",
              lambda: self.channel.deregisterObject(self.bridge))
        for thing, name in ((view, "web view"), (page, "call page")):
            if thing is not None and shiboken6.isValid(thing):
                _step(problems, f"the {name} could not be deleted", partial(shiboken6.delete, thing))
        if page is not None and shiboken6.isValid(page):
            # Deleting a profile under a live page crashes the browser: leave both, say so.
            problems.append("the call page is still alive")
            problems += folder_problems(self.folder)
        else:
            problems += self._profile.close()
        if problems:
            log.error("call teardown incomplete: %s", "; ".join(problems))
        self._problems = problems
        self.torn_down.emit(list(problems))
        return list(problems)

    def wipe_check(self) -> list[str]:
        """For the session wipe: what is left of this call (nothing once torn down cleanly)."""
        return [NOT_TORN_DOWN] if self._problems is None else list(self._problems)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the widget ends the call's page too."""
        self.teardown()
        super().closeEvent(event)


def _last_resort(page: CallPage, profile: CallProfile) -> None:
    """The view was deleted before `teardown`: do its work, with nobody left to tell but
    the log (the wipe's check of a deleted view cannot run, so the folder's removal is
    what counts)."""
    if shiboken6.isValid(page):
        shiboken6.delete(page)
    if profile.profile is not None:
        problems = profile.close()
        log.error("a call view was deleted without its teardown%s",
                  f": {'; '.join(problems)}" if problems else "")


def _step(problems: list[str], failure: str, action: Callable[[], object]) -> None:
    """One step of the teardown; a failure is noted and the rest still runs."""
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - the rest of the teardown must still run
        problems.append(f"{failure} ({type(exc).__name__})")

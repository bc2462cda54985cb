"""One call's web profile: off the record, made for the call and destroyed after it (issue 12;
V14; reliability-security §2, data remanence).

A `QWebEngineProfile` made without a storage name is off the record: cookies, local storage,
IndexedDB, the HTTP cache and permissions live in memory only, and go when the profile goes.
Measured with PySide6 6.11.3: a call page that used all of those, and the camera, wrote
nothing to disk. Each call gets its own profile, so nothing one caller's page stored can be
read by the next caller's.

Where Qt could still write (the download folder, the storage path it reports) points into a
private folder made for this call (mode 0700). Nothing is expected in it; `close` checks
that it is still empty, removes it, checks it is gone, and reports any problem, so the
session wipe can fail closed. Downloads are refused outright.

Order matters when closing: every page of the profile must be deleted first (Qt warns
"Release of profile requested but WebEnginePage still not deleted" and the browser context
outlives its pages otherwise). `ui.call.view.CallView.teardown` does it in that order.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

import shiboken6
from PySide6.QtWebEngineCore import QWebEngineDownloadRequest, QWebEngineProfile

from ui.call.policy import Refusals

log = logging.getLogger(__name__)

_P = QWebEngineProfile


class CallProfile:
    """The profile of one call and the private folder it may write to."""

    def __init__(self, refusals: Refusals, parent_folder: Path | None = None) -> None:
        self.refusals = refusals
        self.folder = Path(tempfile.mkdtemp(prefix="kiosk-call-",
                                            dir=str(parent_folder) if parent_folder else None))
        profile = QWebEngineProfile()  # no storage name: off the record
        if not profile.isOffTheRecord():  # pragma: no cover - Qt's documented behaviour
            raise RuntimeError("a web profile without a storage name was not off the record")
        profile.setPersistentStoragePath(str(self.folder / "storage"))
        profile.setDownloadPath(str(self.folder / "downloads"))
        profile.setHttpCacheType(_P.HttpCacheType.MemoryHttpCache)
        profile.setPersistentCookiesPolicy(_P.PersistentCookiesPolicy.NoPersistentCookies)
        # Ask the page every time: a grant is never remembered, even within the call.
        profile.setPersistentPermissionsPolicy(_P.PersistentPermissionsPolicy.AskEveryTime)
        profile.setSpellCheckEnabled(False)
        profile.setPushServiceEnabled(False)
        profile.downloadRequested.connect(self._refuse_download)
        self.profile: QWebEngineProfile | None = profile

    def _refuse_download(self, request: QWebEngineDownloadRequest) -> None:
        request.cancel()
        self.refusals.note("download", request.url())

    def close(self) -> list[str]:
        """Destroy the profile (its pages must be gone already) and the call's folder; the
        problems found, empty when both are verified gone."""
        problems: list[str] = []
        profile, self.profile = self.profile, None
        if profile is not None and shiboken6.isValid(profile):
            shiboken6.delete(profile)
        problems += folder_problems(self.folder)
        return problems


def folder_problems(folder: Path) -> list[str]:
    """Remove the call's folder; say if anything had been written to it, or if it is still
    there. Never names a file (a name could be a resident's download)."""
    problems: list[str] = []
    if folder.exists():
        written = sum(1 for entry in folder.rglob("*") if not entry.is_dir())
        if written:
            problems.append(f"the call's web folder held {written} file(s) after the call")
        try:
            shutil.rmtree(folder)
        except OSError as exc:
            log.error("could not remove the call's web folder: %s", type(exc).__name__)
    if folder.exists():
        problems.append("the call's web folder could not be removed")
    return problems

"""Saved applications on the council's hub: `POST {endpoint}/saved`, `/saved/resume`,
`/saved/delete` (the contract is hub/saved/api.py), with the kiosk API key.

One requests session behind a lock, as `HubBookings` keeps one. Every failure is an
`Unavailable` with a short reason; nothing the resident typed reaches a log line.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import requests

from kiosk.hub_http import HubCallFailed, post_json
from kiosk.lookups.base import UnavailableReason
from kiosk.saved.base import (
    Gone,
    Resumed,
    ResumeOutcome,
    SavedForLater,
    SaveOutcome,
    Unavailable,
    WrongWord,
)

log = logging.getLogger(__name__)


class HubSavedApplications:
    def __init__(self, endpoint: str, api_key: str, *, timeout_seconds: float = 5.0,
                 connect_timeout_seconds: float = 2.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._base = endpoint.rstrip("/") + "/saved"
        self._key = api_key
        self._timeout = timeout_seconds
        self._connect = connect_timeout_seconds
        self._monotonic = monotonic
        self._session = requests.Session()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "HubSavedApplications(<hub>)"

    def close(self) -> None:
        with self._lock:
            self._session.close()

    def _post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        deadline = self._monotonic() + self._timeout
        with self._lock:
            status, content = post_json(self._session, self._base + path, body, self._key,
                                        deadline=deadline, connect_timeout=self._connect,
                                        timeout_seconds=self._timeout, monotonic=self._monotonic)
        try:
            document = json.loads(content) if content else {}
        except ValueError:
            raise HubCallFailed("bad_answer", "the answer is not JSON") from None
        return status, document

    @staticmethod
    def _refused(action: str, status: int, document: Any) -> Unavailable:
        error = document.get("error") if isinstance(document, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        code = code if isinstance(code, str) and code.isidentifier() else ""
        log.warning("saved %s refused: HTTP %d %s", action, status, code)
        reason: UnavailableReason = ("not_configured" if code == "not_configured" else
                                     "unreachable" if status >= 500 else "refused")
        return Unavailable(reason, f"{status} {code}".strip())

    def save(self, snapshot: dict[str, Any], word: str) -> SaveOutcome:
        try:
            status, document = self._post("", {"snapshot": snapshot, "word": word})
            if status == 201 and isinstance(document, dict):
                reference, by = document.get("reference"), document.get("come_back_by")
                if isinstance(reference, str) and isinstance(by, str):
                    return SavedForLater(reference, date.fromisoformat(by))
                return Unavailable("bad_answer", "no reference or date")
            return self._refused("save", status, document)
        except HubCallFailed as failed:
            log.warning("saved save failed: %s", failed.reason)
            return Unavailable(failed.reason, failed.detail)
        except ValueError:
            return Unavailable("bad_answer", "come_back_by is not a date")

    def resume(self, reference: str, word: str) -> ResumeOutcome:
        try:
            status, document = self._post("/resume", {"reference": reference, "word": word})
        except HubCallFailed as failed:
            log.warning("saved resume failed: %s", failed.reason)
            return Unavailable(failed.reason, failed.detail)
        error = document.get("error") if isinstance(document, dict) else None
        if status == 200 and isinstance(document, dict):
            snapshot, token = document.get("snapshot"), document.get("token")
            if isinstance(snapshot, dict) and isinstance(token, str):
                return Resumed(snapshot, token)
            return Unavailable("bad_answer", "no snapshot")
        if status == 403 and isinstance(error, dict) and error.get("code") == "wrong_word":
            left = error.get("tries_left")
            if isinstance(left, int) and not isinstance(left, bool) and left >= 0:
                return WrongWord(left)
        if status == 404 and isinstance(error, dict) and error.get("code") in ("not_found",
                                                                                "locked"):
            return Gone(locked=error.get("code") == "locked")
        return self._refused("resume", status, document)

    def delete(self, reference: str, token: str) -> bool:
        try:
            status, _ = self._post("/delete", {"reference": reference, "token": token})
        except HubCallFailed as failed:
            log.warning("saved delete failed: %s", failed.reason)
            return False
        return status == 204

"""Save and come back, on the hub: save, resume, five wrong words, delete on submit, expiry —
each checked through the kiosk API, and on SQLite in the database FILE's bytes (and its
write-ahead log): neither the snapshot nor the word is ever there, and a deleted row leaves
nothing of itself (secure_delete and the checkpoint in hub/saved/store.py)."""

from __future__ import annotations

import json
import logging
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from hub.app import create_app
from hub.passwords import Passwords
from hub.saved.keyfile import SavedKeyError, load_or_create_saved_key
from hub.settings import HubSettings, load_settings
from tests.hub.appointment_helpers import KEY, MovingClock

SAVED = "/kiosk/v1/saved"
SECRET_ANSWER = "Canary-Saved-7Q4Z Flat 9 Marigold Court"
WORD = "Purple Elephant"
SNAPSHOT: dict[str, Any] = {"format": 1, "service": "blue-badge", "version": 3,
                            "steps": [{"page": "name", "raw": SECRET_ANSWER}], "lookups": {}}


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


@pytest.fixture
def saved_app(settings: HubSettings, clock: MovingClock, tmp_path: Path) -> Iterator[FastAPI]:
    app = create_app(replace(settings, saved_key_file=tmp_path / "keys" / "saved.key"),
                     passwords=Passwords.cheap_for_tests(), clock=clock)
    yield app
    app.state.hub.engine.dispose()


@pytest.fixture
def kiosk(saved_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(saved_app) as client:
        yield client


def save(kiosk: TestClient, snapshot: dict[str, Any] = SNAPSHOT, word: str = WORD) -> str:
    answer = kiosk.post(SAVED, json={"snapshot": snapshot, "word": word}, headers=KEY)
    assert answer.status_code == 201, answer.text
    reference: str = answer.json()["reference"]
    return reference


def resume(kiosk: TestClient, reference: str, word: str = WORD) -> Any:
    return kiosk.post(f"{SAVED}/resume", json={"reference": reference, "word": word}, headers=KEY)


def database_bytes(settings: HubSettings) -> bytes | None:
    """The SQLite database file and its write-ahead log, as a disk would hold them."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        return None
    path = Path(url.database or "")
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def rows(app: FastAPI) -> int:
    count: int = app.state.saved.count()
    return count


def assert_not_in_file(settings: HubSettings, *needles: str) -> None:
    data = database_bytes(settings)
    if data is None:
        return  # PostgreSQL: the row checks stand for it (docs/hub.md on dead tuples)
    for needle in needles:
        for encoded in (needle.encode("utf-8"), needle.encode("utf-16-le")):
            assert encoded not in data, f"{needle!r} is in the database file"


def test_save_then_resume_at_any_kiosk(kiosk: TestClient, saved_app: FastAPI,
                                       settings: HubSettings, clock: MovingClock) -> None:
    answer = kiosk.post(SAVED, json={"snapshot": SNAPSHOT, "word": WORD}, headers=KEY)
    assert answer.status_code == 201
    body = answer.json()
    reference = body["reference"]
    assert len(reference) == 8
    assert body["come_back_by"] == "2026-12-13"  # saved Sunday 6 December, kept 7 days
    assert answer.headers["cache-control"] == "no-store"
    assert_not_in_file(settings, SECRET_ANSWER, WORD, WORD.casefold(), "blue-badge")
    clock.advance(days=6)
    opened = resume(kiosk, reference.lower()[:4] + " " + reference.lower()[4:],
                    word="  purple   ELEPHANT ")
    assert opened.status_code == 200, opened.text
    assert opened.json()["snapshot"] == SNAPSHOT
    token = opened.json()["token"]
    assert rows(saved_app) == 1  # opening keeps it: the resident may save again or walk away
    assert kiosk.post(f"{SAVED}/delete", json={"reference": reference, "token": "not-it"},
                      headers=KEY).status_code == 404
    deleted = kiosk.post(f"{SAVED}/delete", json={"reference": reference, "token": token},
                         headers=KEY)
    assert deleted.status_code == 204
    assert rows(saved_app) == 0
    assert resume(kiosk, reference).json()["error"]["code"] == "not_found"
    assert_not_in_file(settings, reference, SECRET_ANSWER)


def test_five_wrong_words_delete_it(kiosk: TestClient, saved_app: FastAPI,
                                    settings: HubSettings) -> None:
    reference = save(kiosk)
    lefts = []
    for attempt in range(4):
        wrong = resume(kiosk, reference, word=f"wrong word {attempt}")
        assert wrong.status_code == 403
        lefts.append(wrong.json()["error"]["tries_left"])
    assert lefts == [4, 3, 2, 1]
    assert rows(saved_app) == 1
    fifth = resume(kiosk, reference, word="still wrong")
    assert fifth.status_code == 404
    assert fifth.json()["error"]["code"] == "locked"
    assert rows(saved_app) == 0
    # Even the right word cannot open it now.
    assert resume(kiosk, reference).json()["error"]["code"] == "not_found"
    assert_not_in_file(settings, reference)


def test_a_right_word_resets_the_count(kiosk: TestClient) -> None:
    reference = save(kiosk)
    for _ in range(4):
        assert resume(kiosk, reference, word="nope nope").status_code == 403
    assert resume(kiosk, reference).status_code == 200
    assert resume(kiosk, reference, word="nope nope").json()["error"]["tries_left"] == 4


def test_expiry_deletes_the_row(kiosk: TestClient, saved_app: FastAPI, settings: HubSettings,
                                clock: MovingClock) -> None:
    kept = save(kiosk)
    clock.advance(days=3)
    later = save(kiosk, word="another word")
    clock.advance(days=4)  # the first is 7 days old now, the second 4
    assert saved_app.state.saved.purge() == 1
    assert rows(saved_app) == 1
    assert resume(kiosk, kept).json()["error"]["code"] == "not_found"
    assert_not_in_file(settings, kept)
    clock.advance(days=3)
    # Past its time but not purged yet: resuming deletes it there and then.
    assert resume(kiosk, later, word="another word").json()["error"]["code"] == "not_found"
    assert rows(saved_app) == 0
    assert_not_in_file(settings, later, SECRET_ANSWER)


def test_refusals(kiosk: TestClient, saved_app: FastAPI) -> None:
    assert kiosk.post(SAVED, json={"snapshot": SNAPSHOT, "word": WORD}).status_code == 401
    assert kiosk.post(SAVED, json={"snapshot": SNAPSHOT, "word": WORD},
                      headers={"X-Api-Key": "wrong"}).status_code == 403
    short = kiosk.post(SAVED, json={"snapshot": SNAPSHOT, "word": "abc"}, headers=KEY)
    assert short.status_code == 422
    assert short.json()["error"]["input"] == "word"
    assert kiosk.post(SAVED, json={"snapshot": [1], "word": WORD},
                      headers=KEY).json()["error"]["input"] == "snapshot"
    huge = {"steps": ["x" * 60_000]}
    assert kiosk.post(SAVED, json={"snapshot": huge, "word": WORD}, headers=KEY).status_code == 413
    assert resume(kiosk, "not a reference").json()["error"]["code"] == "not_found"
    assert rows(saved_app) == 0


def test_nothing_personal_in_the_log(kiosk: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    reference = save(kiosk)
    resume(kiosk, reference, word="wrong wrong")
    resume(kiosk, reference)
    logged = caplog.text
    for secret in (reference, WORD, SECRET_ANSWER, json.dumps(SNAPSHOT)):
        assert secret not in logged
    assert "saved action=resume status=200" in logged


def test_without_a_key_file_the_hub_keeps_none(settings: HubSettings) -> None:
    app = create_app(settings, passwords=Passwords.cheap_for_tests())
    try:
        with TestClient(app) as client:
            refused = client.post(SAVED, json={"snapshot": SNAPSHOT, "word": WORD}, headers=KEY)
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "not_configured"
    finally:
        app.state.hub.engine.dispose()


def test_the_key_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "saved.key"
    key = load_or_create_saved_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_saved_key(path) == key
    path.chmod(0o644)
    with pytest.raises(SavedKeyError, match="chmod 600"):
        load_or_create_saved_key(path)
    path.chmod(0o600)
    path.write_bytes(b"short")
    with pytest.raises(SavedKeyError, match="holds 5 bytes"):
        load_or_create_saved_key(path)


def test_settings(tmp_path: Path) -> None:
    settings = load_settings(["--state-dir", str(tmp_path)], {})
    assert settings.saved_key_file == tmp_path / "saved-applications.key"
    assert settings.saved_days == 7
    chosen = load_settings(["--saved-days", "3"], {"KIOSK_HUB_SAVED_KEY_FILE": "/k/s.key"})
    assert (chosen.saved_days, chosen.saved_key_file) == (3, Path("/k/s.key"))
    with pytest.raises(SystemExit):
        load_settings(["--saved-days", "0"], {})

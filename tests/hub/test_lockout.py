"""Lock-out after repeated failures, per account and per address, at the cost of a real try."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from hub.accounts import recent_events, reset_password, set_disabled
from hub.app import create_app
from hub.db import AccountEvent, utcnow
from hub.passwords import Passwords
from hub.settings import HubSettings
from hub.sign_in_check import ACCOUNT_LIMIT, CLIENT_LIMIT, WINDOW, Outcome, try_sign_in
from hub.state import HubState
from tests.hub.helpers import PASSWORD, add_account, sign_in

WRONG = "not the right password"


def _fail(browser: TestClient, name: str, times: int) -> None:
    for _ in range(times):
        sign_in(browser, name, WRONG, expect=400)


def test_account_locks_after_five_failures(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "alice", "it")
    _fail(browser, "alice", ACCOUNT_LIMIT)
    locked = sign_in(browser, "alice", PASSWORD, expect=429)  # even the right password
    assert "too many failed attempts" in locked.text
    assert "__Host-hub_session" not in browser.cookies
    hub: HubState = app.state.hub
    assert recent_events(hub.sessions, 1)[0].event == "sign_in_locked"


def test_lock_is_per_account(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "alice", "it")
    add_account(app, "bob", "staff")
    _fail(browser, "alice", ACCOUNT_LIMIT)
    sign_in(browser, "bob")


def test_lock_lifts_after_the_window(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "alice", "it")
    _fail(browser, "alice", ACCOUNT_LIMIT)
    hub: HubState = app.state.hub
    with hub.sessions.begin() as session:
        session.execute(update(AccountEvent).where(AccountEvent.event == "sign_in_failed")
                        .values(at=utcnow() - WINDOW - timedelta(seconds=1)))
    sign_in(browser, "alice")


def test_success_starts_the_count_again(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "alice", "it")
    _fail(browser, "alice", ACCOUNT_LIMIT - 1)
    sign_in(browser, "alice")
    browser.cookies.clear()
    _fail(browser, "alice", ACCOUNT_LIMIT - 1)
    sign_in(browser, "alice")


def test_password_reset_unlocks(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "alice", "it")
    _fail(browser, "alice", ACCOUNT_LIMIT)
    hub: HubState = app.state.hub
    reset_password(hub.sessions, hub.passwords, "alice", "the new password here", by="test")
    sign_in(browser, "alice", "the new password here")


def test_one_address_is_locked_after_many_failures(app: FastAPI, browser: TestClient) -> None:
    add_account(app, "alice", "it")
    hub: HubState = app.state.hub
    now = utcnow()
    for n in range(CLIENT_LIMIT):  # guessing across many names, never five on one
        attempt = try_sign_in(hub.sessions, hub.passwords, f"name{n}", WRONG, "192.0.2.7", now)
        assert attempt.outcome is Outcome.REFUSED
    refused = try_sign_in(hub.sessions, hub.passwords, "alice", PASSWORD, "192.0.2.7", now)
    assert refused.outcome is Outcome.LOCKED
    elsewhere = try_sign_in(hub.sessions, hub.passwords, "alice", PASSWORD, "192.0.2.8", now)
    assert elsewhere.outcome is Outcome.SIGNED_IN


class CountingPasswords(Passwords):
    """Counts verifications, real and dummy: every refusal must cost the same work."""

    def __init__(self) -> None:
        super().__init__(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        self.verifications = 0

    def verify(self, password_hash: str, password: str) -> bool:
        self.verifications += 1
        return super().verify(password_hash, password)


@pytest.mark.parametrize("case", ["unknown name", "wrong password", "locked", "disabled",
                                  "right password"])
def test_every_answer_costs_one_verification(settings: HubSettings, case: str) -> None:
    passwords = CountingPasswords()
    app = create_app(settings, passwords=passwords)
    hub: HubState = app.state.hub
    add_account(app, "alice", "it")
    now = utcnow()
    if case == "locked":
        for _ in range(ACCOUNT_LIMIT):
            try_sign_in(hub.sessions, passwords, "alice", WRONG, "198.51.100.1", now)
    if case == "disabled":
        set_disabled(hub.sessions, "alice", True, by="test")
    name = "nobody" if case == "unknown name" else "alice"
    password = PASSWORD if case in ("locked", "disabled", "right password") else WRONG
    before = passwords.verifications
    try_sign_in(hub.sessions, passwords, name, password, "198.51.100.2", now)
    assert passwords.verifications - before == 1
    hub.engine.dispose()

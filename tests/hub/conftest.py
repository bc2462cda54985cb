"""Fixtures for the hub: a fresh app on a temporary SQLite file, driven through TestClient.

`browser` speaks https (to the in-process app), so the Secure sign-in cookies are sent
back as a browser would send them; `client` is plain http, as kiosks on loopback use it.
Passwords are hashed cheaply: the real cost is tested in tests/hub/test_passwords.py, here
it would only make every sign-in slow.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hub.app import create_app
from hub.passwords import Passwords
from hub.settings import HubSettings
from tests.hub.helpers import API_KEY, BASE_URL, add_account, sign_in


@pytest.fixture
def settings(tmp_path: Path) -> HubSettings:
    return HubSettings(database_url=f"sqlite:///{tmp_path / 'hub.db'}",
                       api_keys=frozenset({API_KEY}))


@pytest.fixture
def app(settings: HubSettings) -> Iterator[FastAPI]:
    app = create_app(settings, passwords=Passwords.cheap_for_tests())
    yield app
    app.state.hub.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def staff_client(app: FastAPI, browser: TestClient) -> TestClient:
    """`browser`, signed in to an account with the staff role."""
    add_account(app, "sam", "staff")
    sign_in(browser, "sam")
    return browser

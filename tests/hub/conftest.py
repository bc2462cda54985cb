"""Fixtures for the hub: a fresh app driven through TestClient, on SQLite and on PostgreSQL.

`database_url` is parametrized, so every test that uses it (through `settings`, `app`,
`client`...) runs twice: on a temporary SQLite file, and on a real PostgreSQL server that
this test session starts and stops itself (tests/pg_server.py), in one database migrated
once and emptied before each test.

`browser` speaks https (to the in-process app), so the Secure sign-in cookies are sent
back as a browser would send them; `client` is plain http, as kiosks on loopback use it.
Passwords are hashed cheaply: the real cost is tested in tests/hub/test_passwords.py, here
it would only make every sign-in slow.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from hub.app import create_app
from hub.db import make_engine
from hub.migrate import all_tables, upgrade
from hub.passwords import Passwords
from hub.settings import HubSettings
from tests.hub.helpers import API_KEY, BASE_URL, add_account, sign_in
from tests.needs import require_or_skip
from tests.pg_server import PostgresServer, postgres_bin, running_postgres


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    require_or_skip(postgres_bin() is not None, "the PostgreSQL server is not installed "
                    "(script/bootstrap --test installs Debian's postgresql)")
    with running_postgres() as server:
        yield server


@dataclass(frozen=True)
class SharedDatabase:
    url: str
    engine: Engine  # kept for emptying the tables between tests

    def empty(self) -> None:
        names = ", ".join(f'"{t.name}"' for t in all_tables().sorted_tables)
        with self.engine.begin() as connection:
            # A connection some earlier test left inside a transaction would make TRUNCATE
            # wait for ever: fail within seconds instead, naming the cause.
            connection.execute(text("SET LOCAL lock_timeout = '10s'"))
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def postgres_hub(postgres: PostgresServer) -> Iterator[SharedDatabase]:
    """One database at the head revision, shared by the PostgreSQL runs."""
    url = postgres.create_database("hub_tests")
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield SharedDatabase(url, engine)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty hub database at the head revision (SQLite: made on first use)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    shared: SharedDatabase = request.getfixturevalue("postgres_hub")
    shared.empty()
    return shared.url


@pytest.fixture
def settings(database_url: str) -> HubSettings:
    return HubSettings(database_url=database_url, api_keys=frozenset({API_KEY}))


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

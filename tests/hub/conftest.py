"""Fixtures for the hub: a fresh app on a temporary SQLite file, driven through TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hub.app import create_app
from hub.settings import HubSettings
from tests.hub.helpers import API_KEY


@pytest.fixture
def settings(tmp_path: Path) -> HubSettings:
    return HubSettings(database_url=f"sqlite:///{tmp_path / 'hub.db'}",
                       api_keys=frozenset({API_KEY}))


@pytest.fixture
def app(settings: HubSettings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
